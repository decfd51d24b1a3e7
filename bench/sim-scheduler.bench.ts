// The simulated world's scheduler binding 1,000 pending pods on 60 nodes (the generated cluster of the cache's
// equivalence test: zone and host spreading, anti-affinity, preferred affinity, taints, node selectors, priorities).
// In the same run: the scheduling cycles alone, once with a fresh snapshot of every node and bound pod per pod (how
// the world's scheduler worked before its cache) and once through the cache (`SchedulerCache`: NodeInfos kept across
// cycles, the assumed pod's node rebuilt), checking that both bind every pod to the same node; then the world's
// scheduler loop itself (store lists, cycles, `pods/binding` writes, events) on the same cluster. Prints ms (median
// of the runs) and the load average, which the machine's other work moves.
// `node bench/sim-scheduler.bench.ts [runs]`.
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { VirtualClock } from "../api/index.ts";
import { World, type KubeObject } from "../sim/index.ts";
import type { Pod } from "../sim/world/objects.ts";
import { schedule, SchedulerCache, Snapshot, type ScheduleResult } from "../sim/world/scheduler/index.ts";
import { generatedCluster } from "../test/support/scheduler-cluster.ts";

const NODES = 60;
const PENDING = 1_000;
const RUNS = Number(process.argv[2] ?? 3);
const SEED = 1;
// 16 cores a node: the 1,000 pods (about 550 cores of requests) fit, bar what their constraints refuse.
const cluster = () => generatedCluster(SEED, { nodes: NODES, bound: 0, pending: PENDING, cpu: 16 });

function placements(results: readonly ScheduleResult[]): string[] {
  return results.map((r) => (r.scheduled ? r.nodeName : ""));
}

function fresh(): ScheduleResult[] {
  const { nodes, pending } = cluster();
  const pods: Pod[] = [];
  const results: ScheduleResult[] = [];
  let start = 0;
  for (const pod of pending) {
    const result = schedule(pod, new Snapshot({ nodes, pods }), { seed: SEED, nextStartNodeIndex: start });
    start = result.nextStartNodeIndex;
    if (result.scheduled) pods.push({ ...pod, spec: { ...pod.spec, nodeName: result.nodeName } });
    results.push(result);
  }
  return results;
}

function cached(): ScheduleResult[] {
  const { nodes, pending } = cluster();
  const cache = new SchedulerCache();
  cache.sync({ nodes, pods: [] });
  const results: ScheduleResult[] = [];
  let start = 0;
  for (const pod of pending) {
    const result = schedule(pod, cache.updateSnapshot(), { seed: SEED, nextStartNodeIndex: start });
    start = result.nextStartNodeIndex;
    if (result.scheduled) cache.assumePod(pod, result.nodeName);
    results.push(result);
  }
  return results;
}

/** The world's scheduler loop on the same cluster, from the pods' creation to the last binding. */
function worldLoop(): { ms: number; bound: number } {
  const world = new World({
    clock: new VirtualClock(new Date("2026-03-01T12:00:00Z")),
    limits: { eventWindow: 50_000 },
    run: { controllers: false, scheduler: false, kubelets: false, volumes: false, nodeLifecycle: false },
  }).start();
  const { nodes, pending } = cluster();
  const nodesKind = world.kind("", "v1", "nodes");
  const podsKind = world.kind("", "v1", "pods");
  for (const node of nodes) world.store.create(nodesKind, undefined, node as unknown as KubeObject);
  for (const pod of pending) world.store.create(podsKind, "default", pod as unknown as KubeObject);
  const started = performance.now();
  world.scheduler.start();
  world.scheduler.runPasses();
  const ms = performance.now() - started;
  const bound = world.store
    .list(podsKind, { readOnly: true })
    .items.filter((pod) => (pod as unknown as Pod).spec.nodeName).length;
  world.stop();
  return { ms, bound };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function timed<T>(run: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = run();
  return { ms: performance.now() - started, value };
}

const freshMs: number[] = [];
const cachedMs: number[] = [];
const loopMs: number[] = [];
let placed = 0;
let bound = 0;
for (let i = 0; i < RUNS; i++) {
  const a = timed(fresh);
  const b = timed(cached);
  const same = placements(a.value);
  if (JSON.stringify(same) !== JSON.stringify(placements(b.value))) throw new Error("the two paths bound differently");
  placed = same.filter(Boolean).length;
  freshMs.push(a.ms);
  cachedMs.push(b.ms);
  const loop = worldLoop();
  loopMs.push(loop.ms);
  bound = loop.bound;
}
const before = median(freshMs);
const after = median(cachedMs);
console.log(
  `${PENDING} pending pods on ${NODES} nodes, ${placed} placed (same nodes both ways), median of ${RUNS} runs, ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
);
console.log(`cycles, fresh snapshot per pod: ${before.toFixed(0)} ms`);
console.log(`cycles, through the cache:      ${after.toFixed(0)} ms (${(before / after).toFixed(1)}× faster)`);
console.log(`the world's scheduler loop:     ${median(loopMs).toFixed(0)} ms (${bound} bound through pods/binding)`);
