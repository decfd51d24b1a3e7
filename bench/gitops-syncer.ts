// The syncer in a process of its own, as `poolkeeper sync` holds it: bench/gitops.bench.ts measures memory here, apart
// from its own process, which builds the repository with `git fast-import`, serves it (`git http-backend` behind a
// Node bridge) and times the git CLI. Driven over the IPC channel: `start` clones and judges the head (the initial
// sync), `sync` fetches the head the bench has just put on the branch and judges it, `memory` answers with the
// breakdown after a forced GC (or a memory-reducing one) (bench/memory-breakdown.ts) and what the caches say they hold. Run with --expose-gc.
import { systemClock } from "../api/ports.ts";
import { listPacks } from "../gitops/pack-consolidation.ts";
import { exposedGc, heapRelease } from "../gitops/heap-release.ts";
import { openSource } from "../gitops/source.ts";
import { Syncer } from "../gitops/sync.ts";
import { silentLogger } from "../runtime/log.ts";
import { memoryBreakdown, type MemoryBreakdown } from "./memory-breakdown.ts";
import { timedSource, type SyncTime } from "./timed-source.ts";

export type SyncerRequest =
  | { op: "start"; url: string; cacheDir: string; cacheBytes?: number }
  | { op: "sync"; sha: string }
  | { op: "memory"; reduce?: boolean }
  | { op: "close" };

export type SyncerReply =
  | {
      ok: true;
      time?: SyncTime;
      judged?: number;
      /** CPU milliseconds (user and system) the process spent in the sync. */
      cpu?: number;
      /** Milliseconds the judging the sync left running between syncs took after it (gitops/sync.ts `idle`). */
      primed?: number;
      memory?: MemoryBreakdown;
      caches?: Record<string, number>;
      /** The clone's packs by level (pack-consolidation.ts; "kept": the clone's own). */
      packs?: Record<string, number>;
    }
  | { ok: false; error: string };

let syncer: Syncer | undefined;
// What `poolkeeper sync` does after each sync, and once idle after a burst (cli/commands/sync.ts): this process runs
// with --expose-gc.
let syncing = false;
const releaseHeap = heapRelease({ clock: systemClock, gc: exposedGc(), timers: systemClock, busy: () => syncing });
let cacheDir: string | undefined;
let timed: ReturnType<typeof timedSource> | undefined;

async function handle(request: SyncerRequest): Promise<SyncerReply> {
  switch (request.op) {
    case "start": {
      cacheDir = request.cacheDir;
      const source = openSource({
        url: request.url,
        branch: "main",
        cacheDir: request.cacheDir,
        ...(request.cacheBytes === undefined ? {} : { cacheBytes: request.cacheBytes }),
      });
      timed = timedSource(source);
      syncer = new Syncer({ source: timed.source, cluster: "prod", clock: systemClock, logger: silentLogger() });
      return sync(undefined);
    }
    case "sync":
      return sync(request.sha);
    case "memory": {
      const packs: Record<string, number> = {};
      for (const pack of cacheDir === undefined ? [] : listPacks(cacheDir)) {
        const level = pack.level === undefined ? "kept" : `level ${pack.level}`;
        packs[level] = (packs[level] ?? 0) + 1;
      }
      const memory = memoryBreakdown({ reduce: request.reduce ?? false });
      return { ok: true, memory, caches: (await syncer?.cacheSizes()) ?? {}, packs };
    }
    case "close":
      await syncer?.close();
      process.disconnect();
      return { ok: true };
  }
}

async function sync(sha: string | undefined): Promise<SyncerReply> {
  if (!syncer || !timed) return { ok: false, error: "not started" };
  const s = syncer;
  const before = s.judgedObjects.judged;
  syncing = true;
  const cpuBefore = process.cpuUsage();
  const { value, time } = await timed.measure(() => s.sync()).finally(() => (syncing = false));
  const cpuUsed = process.cpuUsage(cpuBefore);
  releaseHeap(value); // after the sync's time, as the sync loop calls it between syncs
  // What the sync left running between syncs (the first one's head judged as its own successor, gitops/sync.ts),
  // done before the next request: a memory reading would otherwise fall in the middle of it.
  let primed = performance.now();
  await s.idle();
  primed = performance.now() - primed;
  if (value.outcome !== "accepted" || (sha !== undefined && value.sha !== sha)) {
    const why = value.error?.message ?? value.judgement?.reason ?? "";
    return { ok: false, error: `expected ${sha ?? "the head"} accepted, got ${value.outcome} of ${value.sha}: ${why}` };
  }
  const cpu = (cpuUsed.user + cpuUsed.system) / 1000;
  return { ok: true, time, cpu, judged: s.judgedObjects.judged - before, primed };
}

process.on("message", (request: SyncerRequest) => {
  void handle(request).then(
    (reply) => process.connected && process.send?.(reply),
    (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
