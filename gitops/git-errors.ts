// What the Git source, the status writer and the history reader share about isomorphic-git's errors: which mean
// the remote is unreachable or refused us, and how to keep credentials out of every message (raw, URL-encoded,
// base64, the Authorization header sent, and URL user info), also when a remote quotes them back.
import { base64, basicLogin } from "./basic-auth.ts";
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

/** Shorter runs of a secret's base64 are not scrubbed: they could match ordinary text. */
const MIN_BASE64_RUN = 6;
/** The shortest start of a secret form scrubbed where a message was cut short. */
const MIN_CUT_PREFIX = 4;

/**
 * Every form a secret can take in a message, longest first so an encoded form is not half-replaced: the
 * Authorization header sent, `user:password` raw, URL-encoded and in base64, the password raw, URL-encoded and in
 * base64, and the base64 characters its bytes make at each of the three offsets within base64 text (where a
 * password starts inside `base64(user:password)` depends on the user name's length mod 3).
 */
export function secretsOf(credentials: SourceCredentials | undefined): string[] {
  if (!credentials) return [];
  const { username, password, authorization } = basicLogin(credentials);
  if (password.length === 0) return [];
  const pair = `${username}:${password}`;
  const forms = [
    authorization,
    pair,
    `${encodeURIComponent(username)}:${encodeURIComponent(password)}`,
    base64(pair),
    password,
    encodeURIComponent(password),
    base64(password),
    ...base64Runs(password),
  ];
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/** The base64 characters `secret`'s bytes alone decide, when it starts 0, 1 or 2 bytes into a 3-byte group. */
function base64Runs(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  const runs: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    // Character i holds bits 6i..6i+5; the secret's bits are 8·offset .. 8·(offset + length) - 1.
    const run = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    if (run.length >= MIN_BASE64_RUN) runs.push(run);
  }
  return runs;
}

/**
 * The text without URL user info and without any form of the secrets, each replaced by "***" together with the
 * base64 string it is part of (the password inside someone's `base64(user:password)`). A remote's answer quoted
 * cut short (isomorphic-git quotes 256 characters and "...") may end in the start of a form: that goes too.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, "$1");
  for (const secret of secrets) out = blot(out, secret, "");
  for (const secret of secrets) {
    for (let length = secret.length - 1; length >= MIN_CUT_PREFIX; length--) {
      for (const ellipsis of ["...", "…"]) out = blot(out, secret.slice(0, length), ellipsis);
    }
  }
  return out;
}

/** `text` with each `needle` followed by `tail` replaced by "***" (the tail kept), with the base64 around it. */
function blot(text: string, needle: string, tail: string): string {
  if (needle === "") return text;
  let out = "";
  let from = 0;
  for (let at = text.indexOf(needle + tail); at >= 0; at = text.indexOf(needle + tail, from)) {
    let start = at;
    while (start > from && isBase64(text[start - 1])) start--;
    let end = at + needle.length;
    if (tail === "") {
      while (end < text.length && isBase64(text[end])) end++;
      for (let pad = 0; pad < 2 && text[end] === "="; pad++) end++;
    }
    out += `${text.slice(from, start)}***`;
    from = end;
  }
  return out + text.slice(from);
}

function isBase64(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9+/]/.test(char);
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
