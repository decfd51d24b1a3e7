// How the Git side's memory budget (`--cache-size`, `cacheSize` in poolkeeper.yaml) is shared out among its caches.
// Each holds what is cheap to read again and only saves time: a smaller budget costs speed (more inflating from the
// packs), never correctness. Shares follow what an incremental sync reuses: the texts of unchanged files (all but
// one per commit) matter most; tree listings are re-read whenever a file under them changes. Measured on the benchmark's 1,000-pool repository (docs/performance.md).
import { parseQuantity } from "../api/index.ts";

export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

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

export interface CacheBounds {
  /** File texts by blob id (tree-reader.ts). */
  blobs: number;
  /** Tree listings by tree id (tree-reader.ts). */
  trees: number;
  /**
   * isomorphic-git's parsed pack indexes and the packs' bytes (git-object-cache.ts): over it, they are dropped after
   * a read and read again by the next one that needs them.
   */
  packs: number;
}

// Half for texts: every sync reuses all but one. Three eighths for the packs: the clone's pack (3 MiB at CLONE_DEPTH
// on the benchmark's repository) and the merged one, read again only when a text or a tree is missed. An eighth for
// tree listings: a read keeps only its own and the previous read's (tree-reader.ts).
export function cacheBounds(totalBytes: number): CacheBounds {
  return { blobs: totalBytes / 2, trees: totalBytes / 8, packs: (totalBytes * 3) / 8 };
}
