// What the Git source and the status writer share about isomorphic-git's errors: which mean the remote is
// unreachable, and how to keep credentials out of every message (raw, URL-encoded, base64 and URL user info).
import type { SourceCredentials } from "./source.ts";

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
