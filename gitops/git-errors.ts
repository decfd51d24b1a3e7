// What the Git source, the status writer and the history reader share about isomorphic-git's errors: which mean
// the remote is unreachable or refused us, and how to keep credentials out of every message (raw, URL-encoded,
// base64 and URL user info).
import type { SourceCredentials, SourceErrorKind } from "./source.ts";

export interface ErrorLike {
  code?: unknown;
  message?: unknown;
  data?: { statusCode?: unknown; statusMessage?: unknown } | undefined;
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** The network error code in an error or its causes, if any. */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as ErrorLike).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    current = (current as ErrorLike).cause;
  }
  return undefined;
}

/** Every form a secret can take in a message, longest first so an encoded form is not half-replaced. */
export function secretsOf(credentials: SourceCredentials | undefined): string[] {
  if (!credentials) return [];
  const secret = "token" in credentials ? credentials.token : credentials.password;
  if (secret.length === 0) return [];
  const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")];
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/** The text without URL user info and without any form of the secrets. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, "$1");
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}

/**
 * What a failure of isomorphic-git talking to `remote` means, as a kind and one sentence (not yet scrubbed);
 * undefined when the error says nothing about the remote, so the caller words it.
 */
export function remoteFailure(error: unknown, remote: string): { kind: SourceErrorKind; sentence: string } | undefined {
  const e = (typeof error === "object" && error !== null ? error : {}) as ErrorLike;
  const code = typeof e.code === "string" ? e.code : "";
  const net = networkCode(error);
  if (net) return { kind: "unreachable", sentence: `Git remote ${remote} is unreachable (${net}).` };
  if (code === "HttpError") {
    const status = typeof e.data?.statusCode === "number" ? e.data.statusCode : 0;
    const statusText = typeof e.data?.statusMessage === "string" ? ` ${e.data.statusMessage}` : "";
    if (status === 401 || status === 403) {
      return { kind: "auth", sentence: `Git remote ${remote} rejected the credentials (HTTP ${status}${statusText}).` };
    }
    if (status === 404) {
      return { kind: "not-found", sentence: `Git remote ${remote} has no repository there (HTTP 404).` };
    }
    if (status >= 500 || status === 408 || status === 429) {
      return { kind: "unreachable", sentence: `Git remote ${remote} is unavailable (HTTP ${status}${statusText}).` };
    }
    return { kind: "other", sentence: `Git remote ${remote} answered HTTP ${status}${statusText}.` };
  }
  if (code === "UserCanceledError") return { kind: "auth", sentence: `Git remote ${remote} rejected the credentials.` };
  if (code === "SmartHttpError" || code === "RemoteCapabilityError") {
    const detail = typeof e.message === "string" ? e.message : String(error);
    return { kind: "not-found", sentence: `${remote} does not look like a Git repository: ${detail}` };
  }
  return undefined;
}
