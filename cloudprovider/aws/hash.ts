/**
 * Stable hashes of plain data: launch-template names, the EC2NodeClass hash drift compares, client tokens. JSON
 * with object keys sorted, so equal data hashes alike whatever order its keys were written in (Karpenter uses
 * mitchellh/hashstructure for the same purpose; the values differ, the property is the same).
 */
import { createHash } from "node:crypto";

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** SHA-256 of the canonical JSON, hex. */
export function stableHash(value: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(value)))
    .digest("hex");
}
