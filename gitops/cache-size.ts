// How the Git side's memory budget (`--cache-size`, `cacheSize` in poolkeeper.yaml) is shared out among its caches.
// Each holds what is cheap to read again and only saves time: a smaller budget costs speed (more inflating from the
// packs), never correctness. Shares follow what an incremental sync reuses: the texts of unchanged files (all but
// one per commit) matter most; tree listings are re-read whenever a file under them changes. Measured on the benchmark's 1,000-pool repository (docs/performance.md).
export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

/** The smallest budget accepted: below it, a pool repository's texts would be read from the packs on every sync. */
export const MIN_CACHE_BYTES = 4 * 1024 * 1024;

export interface CacheBounds {
  /** File texts by blob id (tree-reader.ts). */
  blobs: number;
  /** Tree listings by tree id (tree-reader.ts). */
  trees: number;
}

export function cacheBounds(totalBytes: number): CacheBounds {
  return { blobs: (totalBytes * 3) / 4, trees: totalBytes / 4 };
}
