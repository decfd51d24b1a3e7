// Verifies a push webhook before anything acts on it, pure over (headers, raw body bytes, secrets).
// GitHub: `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body keyed with the shared secret.
// GitLab: `X-Gitlab-Token`, the configured token itself. Both compare in constant time; no reason quotes a secret,
// a token or a signature.
import { isUtf8 } from "node:buffer";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export type PushHookHeaders = Record<string, string | string[] | undefined>;

export interface PushHookInput {
  headers: PushHookHeaders;
  /** The raw request body, exactly as received (the signature covers these bytes). */
  body: Uint8Array;
  /** The GitHub webhook secret; absent or empty: GitHub deliveries are refused. */
  githubSecret?: string;
  /** The GitLab secret token; absent or empty: GitLab deliveries are refused. */
  gitlabToken?: string;
}

export type PushHookResult =
  { ok: true; provider: "github" | "gitlab"; branch?: string } | { ok: false; status: 401 | 400; reason: string };

const GITHUB_HEADER = "x-hub-signature-256";
const GITLAB_HEADER = "x-gitlab-token";

export function verifyPushHook(input: PushHookInput): PushHookResult {
  const signature = header(input.headers, GITHUB_HEADER);
  const token = header(input.headers, GITLAB_HEADER);
  const github = nonEmpty(input.githubSecret);
  const gitlab = nonEmpty(input.gitlabToken);
  if (github === undefined && gitlab === undefined) {
    return fail(401, "no webhook secret is configured");
  }
  if (signature.present && token.present) {
    return fail(400, "both X-Hub-Signature-256 and X-Gitlab-Token are present");
  }
  if (signature.present) {
    if (github === undefined) return fail(401, "GitHub webhooks are not configured");
    if (signature.value === undefined) return fail(401, "X-Hub-Signature-256 is repeated");
    return verifyGithub(signature.value, input.body, github);
  }
  if (token.present) {
    if (gitlab === undefined) return fail(401, "GitLab webhooks are not configured");
    if (token.value === undefined) return fail(401, "X-Gitlab-Token is repeated");
    if (!equalSecret(token.value, gitlab)) return fail(401, "X-Gitlab-Token does not match");
    return succeed("gitlab", input.body);
  }
  const expected: string[] = [];
  if (github !== undefined) expected.push("X-Hub-Signature-256");
  if (gitlab !== undefined) expected.push("X-Gitlab-Token");
  return fail(401, `missing ${expected.join(" or ")}`);
}

function verifyGithub(value: string, body: Uint8Array, secret: string): PushHookResult {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim());
  if (match === null) return fail(401, "X-Hub-Signature-256 is not sha256=<64 hex digits>");
  const given = Buffer.from((match[1] ?? "").toLowerCase(), "hex");
  const expected = createHmac("sha256", secret).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail(401, "X-Hub-Signature-256 does not match the body");
  }
  return succeed("github", body);
}

// Digests first, so the comparison takes equal-length inputs and reveals nothing about the token's length.
function equalSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

function succeed(provider: "github" | "gitlab", body: Uint8Array): PushHookResult {
  const branch = branchOf(body);
  return branch === undefined ? { ok: true, provider } : { ok: true, provider, branch };
}

/** The branch of a push payload's `ref` (`refs/heads/<branch>`); undefined for tags, other refs or non-JSON. */
export function branchOf(body: Uint8Array): string | undefined {
  let payload: unknown;
  if (!isUtf8(body)) return undefined;
  try {
    payload = JSON.parse(new TextDecoder().decode(body));
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return undefined;
  const ref: unknown = (payload as Record<string, unknown>)["ref"];
  if (typeof ref !== "string" || !ref.startsWith("refs/heads/")) return undefined;
  const branch = ref.slice("refs/heads/".length);
  return branch === "" ? undefined : branch;
}

/** A header looked up case-insensitively; `value` is undefined when it is present more than once. */
function header(headers: PushHookHeaders, name: string): { present: boolean; value?: string } {
  const values: string[] = [];
  for (const [key, raw] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || raw === undefined) continue;
    if (Array.isArray(raw)) values.push(...raw);
    else values.push(raw);
  }
  if (values.length === 0) return { present: false };
  return values.length === 1 ? { present: true, value: values[0] ?? "" } : { present: true };
}

function nonEmpty(secret: string | undefined): string | undefined {
  return secret === undefined || secret === "" ? undefined : secret;
}

function fail(status: 401 | 400, reason: string): PushHookResult {
  return { ok: false, status, reason };
}
