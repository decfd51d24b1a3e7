// List continuation tokens in the API server's format (storage.EncodeContinue): base64 of
// {"v":"meta.k8s.io/v1","rv":<rv of the first page>,"start":"<next key>"}, so every page of one list is read at
// the first page's resource version.
import { badRequest } from "./status.ts";

export interface ContinueToken {
  resourceVersion: number;
  /** The key (namespace/name) the next page starts at, inclusive. */
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: token.resourceVersion, start: token.start })).toString(
    "base64url",
  );
}

export function decodeContinue(text: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw badRequest("continue key is not valid: illegal base64 data");
  }
  const p = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (p.v !== "meta.k8s.io/v1")
    throw badRequest("continue key is not valid: continue key is not in the expected format");
  if (typeof p.rv !== "number" || !Number.isInteger(p.rv) || p.rv < 1 || typeof p.start !== "string") {
    throw badRequest("continue key is not valid: continue key is not in the expected format");
  }
  return { resourceVersion: p.rv, start: p.start };
}
