// What a cache keeps findings by: a digest of the object's content, never what the caller says the object is.
// SHA-256 of the object's JSON text, written exactly: keys in their order (not sorted, as a canonical JSON would:
// rules see the order, and a message may list keys as they come) and -0 as `-0` (JSON.stringify writes 0, and a
// rule that divides by it could tell them apart). Equal digests mean objects no rule can tell apart. Reviews
// arrive as parsed JSON; what JSON cannot carry (undefined, NaN) comes only from direct callers and is written as
// a token of its own, so it digests apart too.
import { createHash } from "node:crypto";

export function contentDigest(value: unknown): string {
  return createHash("sha256").update(exactJson(value)).digest("hex");
}

function exactJson(value: unknown): string {
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      return Object.is(value, -0) ? "-0" : Number.isFinite(value) ? String(value) : `<${value}>`;
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `[${value.map(exactJson).join(",")}]`;
      const record = value as Record<string, unknown>;
      return `{${Object.keys(record)
        .map((key) => `${JSON.stringify(key)}:${exactJson(record[key])}`)
        .join(",")}}`;
    }
    default:
      return `<${typeof value}:${String(value)}>`;
  }
}
