// The pod-template-hash a Deployment gives its ReplicaSets (controller.ComputeHash): a 32-bit FNV-1a hash of
// the template and the collision count, spelt with rand.SafeEncodeString's alphabet. Upstream hashes the Go
// value as spew prints it; this hashes the template's canonical JSON, so the values differ from a real
// cluster's but are just as stable: the same template always gets the same hash.
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** rand.SafeEncodeString: each character of the decimal string mapped into the alphabet. */
function safeEncode(text: string): string {
  return [...text].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join("");
}

export function podTemplateHash(template: unknown, collisionCount = 0): string {
  const base = canonicalJson(template);
  return safeEncode(String(fnv32a(collisionCount > 0 ? `${base}${collisionCount}` : base)));
}
