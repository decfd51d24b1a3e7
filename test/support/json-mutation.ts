// Shared by the fuzz tests: a seeded random source (a failure is reproducible from its seed) and a mutator that
// damages JSON data at every level — values replaced by other types, keys dropped or misspelt, lists emptied or
// doubled, strings cut and garbled — with the probabilities of a profile.

/** mulberry32: small, fast, and good enough to spread test inputs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MutationProfile {
  replacements: readonly unknown[];
  /** Chance that a value is replaced outright, and the depth beyond which every value is. */
  replace: number;
  maxDepth: number;
  emptyList: number;
  doubleList: number;
  dropKey: number;
  misspellKey: number;
  garbleString: number;
  /** Extra keys occasionally added to objects (with a replacement value). */
  extraKeys?: readonly string[];
  addKey?: number;
}

const suffixes = ["*", "-", "@", "%", " ", "9", "\n"];

export function mutateJson(value: unknown, next: () => number, profile: MutationProfile, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  if (next() < profile.replace || depth > profile.maxDepth) return pick(profile.replacements);
  if (Array.isArray(value)) {
    const items = value.map((item) => mutateJson(item, next, profile, depth + 1));
    const r = next();
    if (r < profile.emptyList) return [];
    if (r < profile.emptyList + profile.doubleList) return [...items, ...items];
    return items;
  }
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (next() < profile.dropKey) continue;
      out[next() < profile.misspellKey ? `${key}x` : key] = mutateJson(child, next, profile, depth + 1);
    }
    if (profile.extraKeys && next() < (profile.addKey ?? 0)) out[pick(profile.extraKeys)] = pick(profile.replacements);
    return out;
  }
  if (typeof value === "string" && next() < profile.garbleString) {
    return value.slice(0, Math.floor(next() * value.length)) + pick(suffixes);
  }
  return value;
}
