// How the Git side's memory budget (`--cache-size`, `cacheSize` in poolkeeper.yaml; cache-size.ts) is shared out
// among its caches. Each holds what is cheap to read again and only saves time: a smaller budget costs speed (more
// inflating from the packs), never correctness. Shares follow what an incremental sync reuses: the texts of unchanged
// files (all but one per commit) matter most; tree listings are re-read whenever a file under them changes. Measured
// on the benchmark's 1,000-pool repository (docs/performance.md). Apart from cache-size.ts, which reads quantities
// through api/, so that the Git process (git-process-child.ts) loads no more than the tree reader it runs.

export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;

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
