// The Git side's memory budget as operators write it (`--cache-size`, `cacheSize` in poolkeeper.yaml): a Kubernetes
// quantity within bounds. How it is shared out among the caches is cache-bounds.ts's.
import { parseQuantity } from "../api/index.ts";

/** The smallest budget accepted: below it, a pool repository's texts would be read from the packs on every sync. */
export const MIN_CACHE_BYTES = 4 * 1024 * 1024;

/** The largest budget accepted: far beyond any pool repository, so a typo ("64Ti") is refused. */
export const MAX_CACHE_BYTES = 16 * 1024 * 1024 * 1024;

/** Bytes of a budget written as a Kubernetes quantity ("64Mi"); throws a sentence naming the value. */
export function parseCacheSize(text: string): number {
  // parseQuantity's errors name the value and suggest the binary suffix ("did you mean 64Mi").
  const bytes = parseQuantity(text).value();
  if (bytes < BigInt(MIN_CACHE_BYTES) || bytes > BigInt(MAX_CACHE_BYTES)) {
    throw new Error(`"${text}" is outside 4Mi to 16Gi`);
  }
  return Number(bytes);
}
