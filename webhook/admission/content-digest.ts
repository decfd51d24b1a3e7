// What a cache keeps findings by: a digest of the object's content, never what the caller says the object is.
// SHA-256 of the object's JSON text as JSON.stringify writes it: keys in their order (not sorted, as a canonical
// JSON would: rules see the order, and a message may list keys as they come). Equal digests mean objects no rule
// can tell apart, for the values whose JSON text says everything about them; a value that holds anything else
// (-0, which JSON.stringify writes as 0; undefined, NaN, a Date: only direct callers pass them, reviews are parsed
// JSON) has no digest, and is not cached.
import { createHash } from "node:crypto";

export function contentDigest(value: unknown): string | undefined {
  if (!isPlainJson(value)) return undefined;
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

function isPlainJson(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) {
        // Indexes, not every(): a hole is not JSON either.
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i])) return false;
        return true;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      return Object.values(value).every(isPlainJson);
    }
    default:
      return false;
  }
}
