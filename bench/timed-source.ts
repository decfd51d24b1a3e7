// A GitSource with the time spent in each of its operations added up (the syncer sees no difference), so a sync's
// time splits into fetch, read (readTree), the ancestry check and judging (the rest). Used by bench/gitops.bench.ts
// and the syncer process it starts (bench/gitops-syncer.ts).
import { performance } from "node:perf_hooks";
import type { GitSource } from "../gitops/source.ts";

export interface SyncTime {
  total: number;
  fetch: number;
  read: number;
  /** The policy gate: everything else the sync does, less the ancestry check. */
  judge: number;
  /** The ancestry check (`descends`) of the new head. */
  ancestry: number;
}

export function timedSource(source: GitSource) {
  const spent = { fetch: 0, read: 0, ancestry: 0 };
  const time = async <T>(key: keyof typeof spent, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      spent[key] += performance.now() - start;
    }
  };
  const timed: GitSource = {
    remote: source.remote,
    branch: source.branch,
    fetch: () => time("fetch", () => source.fetch()),
    readTree: (sha, globs) => time("read", () => source.readTree(sha, globs)),
    descends: (sha, ancestor) => time("ancestry", () => source.descends(sha, ancestor)),
    firstParents: (sha, depth) => source.firstParents(sha, depth),
    verifySignature: (sha, signers) => source.verifySignature(sha, signers),
    cacheSizes: async () => (await source.cacheSizes?.()) ?? {},
    setCacheBytes: (bytes) => source.setCacheBytes?.(bytes),
    settled: async () => (await source.settled?.()) ?? 0,
    maintain: () => source.maintain?.(),
  };
  return {
    source: timed,
    /** Runs `work` and returns its result and its time, split by where it went. */
    async measure<T>(work: () => Promise<T>): Promise<{ value: T; time: SyncTime }> {
      spent.fetch = spent.read = spent.ancestry = 0;
      const start = performance.now();
      const value = await work();
      const total = performance.now() - start;
      const judge = total - spent.fetch - spent.read - spent.ancestry;
      return { value, time: { total, fetch: spent.fetch, read: spent.read, judge, ancestry: spent.ancestry } };
    },
  };
}
