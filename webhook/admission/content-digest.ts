// What a cache keeps findings by: a digest of the object's content, never what the caller says the object is.
// SHA-256 of the object's JSON text as JSON.stringify writes it: keys in their order (not sorted, as a canonical
// JSON would: rules see the order, and a message may list keys as they come). Equal digests mean objects no rule
// can tell apart, for the values whose JSON text says everything about them; a value that holds anything else
// (-0, which JSON.stringify writes as 0; undefined, NaN, a Date: only direct callers pass them, reviews are parsed
// JSON) has no digest, and is not cached.
import { createHash } from "node:crypto";
import { isPlainJson } from "../../policies/index.ts";

export function contentDigest(value: unknown): string | undefined {
  return digestOf(value)?.hex;
}

/** The digest, and the length of the JSON text it was taken of (for a cache that bounds what it keeps). */
export function digestOf(value: unknown): { hex: string; length: number } | undefined {
  if (!isPlainJson(value)) return undefined;
  const text = JSON.stringify(value);
  return { hex: createHash("sha256").update(text).digest("hex"), length: text.length };
}
