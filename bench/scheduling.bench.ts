// The scheduler under Karpenter's own scheduling benchmark shape (core:pkg/controllers/provisioning/scheduling/
// scheduling_benchmark_test.go, FACTS.md §e): one NodePool with huge limits, 400 instance types from the catalog
// (and the whole catalog as a second run) in three zones, the "diverse" pod mix (bench/scheduling-pods.ts) at 100 to
// 20,000 pods, and the generic-only mix for the cost target. Per size: wall ms per solve and the process's CPU ms
// (medians), µs of CPU per pod, pods per CPU second, NodeClaims, $/h (each at its cheapest compatible offering), the
// ratio to the lower bound (the largest of the covering LP's, the one-node-per-pod assignment bound's, the
// anti-affinity bound's and, on the generic mix, the whole-node patterns' Farley bound; also printed against the
// covering LP alone) and to a first-fit-decreasing baseline on the same pods (bench/scheduling-bounds.ts), on the
// generic mix the best packing found offline (bench/scheduling-patterns.ts),
// pods not placed, the heap V8 holds after the solve (close to its peak) and the process's peak RSS so far. Targets
// (docs/performance.md): 5,000 diverse pods ≤ 1 s, 20,000 ≤ 5 s with µs per pod flat (±25 %) from 1,000 up, every
// pod placed, $/h ≤ 1.10 × the bound on the generic mix from 1,000 pods up, never above FFD.
// `node bench/scheduling.bench.ts [sizes…]` runs only the given sizes.
import { performance } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";
import { fixedClock } from "../api/ports.ts";
import { catalogInstanceTypes } from "../cloudprovider/catalog-instance-types.ts";
import { defaultCatalog, type InstanceType } from "../cloudprovider/index.ts";
import { nodePoolTemplate, schedule, type ScheduleResult } from "../controller/provisioning/index.ts";
import type { NodePool } from "../api/index.ts";
import {
  antiAffinityBound,
  assignmentLowerBound,
  firstFitDecreasing,
  lpLowerBound,
  podVector,
  typeVectors,
} from "./scheduling-bounds.ts";
import { patternPacking } from "./scheduling-patterns.ts";
import { type BenchPod, diversePods, genericPods } from "./scheduling-pods.ts";

const SIZES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const POD_COUNTS = SIZES.length > 0 ? SIZES : [100, 1_000, 5_000, 10_000, 20_000];
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const catalog = defaultCatalog();
const everyType = catalogInstanceTypes(catalog, { zones: ZONES, region: "us-east-1" });
// 400 types spread evenly over the catalog's order (families and sizes alike), as Karpenter's fake provider has 400.
const step = everyType.length / 400;
const fourHundred = Array.from({ length: 400 }, (_, i) => everyType[Math.floor(i * step)] as InstanceType);

const nodePool: NodePool = {
  apiVersion: "karpenter.sh/v1",
  kind: "NodePool",
  metadata: { name: "default", uid: "bench" },
  spec: {
    limits: { cpu: "1000000000", memory: "1000000000000Gi" },
    template: {
      spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" }, requirements: [] },
    },
  },
} as NodePool;
const template = nodePoolTemplate(nodePool);
const clock = fixedClock(new Date("2026-01-01T12:00:00Z"));

function solve(pods: readonly BenchPod[], types: readonly InstanceType[]): ScheduleResult {
  return schedule(
    { pendingPods: pods.map((p) => p.pod), existing: [], daemonSets: [] },
    [template],
    new Map([["default", types]]),
    clock,
  );
}

// Wall time and this process's CPU time (user + system) per solve, medians: on a shared, loaded machine the CPU
// time is what the solve costs and the wall time what it waited too.
function timed(
  pods: readonly BenchPod[],
  types: readonly InstanceType[],
): { seconds: number; cpuSeconds: number; result: ScheduleResult } {
  // A warm-up run compiles the hot paths; small sizes get more runs so the median is not one noisy run.
  const runs = pods.length <= 1_000 ? 5 : pods.length <= 5_000 ? 3 : 1;
  let result = solve(pods, types);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    result = solve(pods, types);
    const used = process.cpuUsage(cpuStart);
    times.push((performance.now() - start) / 1000);
    cpu.push((used.user + used.system) / 1e6);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] as number;
  return { seconds: median(times), cpuSeconds: median(cpu), result };
}

function row(label: string, pods: readonly BenchPod[], types: readonly InstanceType[]): void {
  const { seconds, cpuSeconds, result } = timed(pods, types);
  const vectors = typeVectors(types);
  const required: [number, number, number] = [0, 0, 0];
  for (const p of pods) podVector(p).forEach((v, j) => (required[j] = (required[j] ?? 0) + v));
  const lp = lpLowerBound(vectors, required);
  const assignment = assignmentLowerBound(vectors, pods.map(podVector));
  // Whole-node patterns (scheduling-patterns.ts) ignore topology, so only on the generic mix, and up to 5,000 pods
  // (their rounding re-solves the master LP once per pattern taken).
  const patterns =
    pods.every((p) => p.kind === "generic") && pods.length <= 5_000
      ? patternPacking(vectors, pods.map(podVector))
      : undefined;
  const bound = Math.max(lp.value, assignment, antiAffinityBound(vectors, pods), patterns?.bound ?? 0);
  const ffd = firstFitDecreasing(vectors, pods, required);
  const cost = result.newNodeClaims.reduce((sum, c) => sum + c.price, 0);
  const placed = result.newNodeClaims.reduce((sum, c) => sum + c.pods.length, 0);
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  // V8 seldom returns heap pages right after a solve, so the committed heap then is close to the solve's peak.
  const heapMiB = getHeapStatistics().total_heap_size / 2 ** 20;
  console.log(
    [
      label.padEnd(24),
      `${String(pods.length).padStart(6)} pods`,
      `${(seconds * 1000).toFixed(0).padStart(7)} ms/solve (${(cpuSeconds * 1000).toFixed(0)} ms CPU)`,
      `${((cpuSeconds * 1e6) / pods.length).toFixed(1).padStart(6)} µs CPU/pod`,
      `${Math.round(pods.length / cpuSeconds)
        .toString()
        .padStart(7)} pods/CPU-s`,
      `${String(result.newNodeClaims.length).padStart(5)} nodes`,
      `$${cost.toFixed(2).padStart(9)}/h`,
      `${(cost / bound).toFixed(3)}× bound${lp.certified ? "" : " (LP uncertified)"} (${(cost / lp.value).toFixed(3)}× covering LP)`,
      `${(cost / ffd.cost).toFixed(3)}× FFD (${ffd.nodes} × ${ffd.type})`,
      patterns === undefined
        ? ""
        : `offline packing $${patterns.packingCost.toFixed(2)} (${(patterns.packingCost / bound).toFixed(3)}× bound; ` +
          `${(cost / patterns.packingCost).toFixed(3)}× it), pattern LP ${patterns.lp.toFixed(2)}`,
      `${pods.length - placed} not placed`,
      `heap ${heapMiB.toFixed(0)} MiB committed, peak RSS ${rssMiB.toFixed(0)} MiB`,
    ].join("  "),
  );
  if (placed !== pods.length) {
    const reasons = result.unschedulable
      .slice(0, 3)
      .map((u) => `${u.pod}: ${u.explanations.map((e) => e.message).join("; ")}`);
    console.log(`  not placed, e.g.: ${reasons.join(" | ")}`);
  }
}

for (const [name, types] of [
  ["400 types", fourHundred],
  [`whole catalog (${everyType.length})`, everyType],
] as const) {
  console.log(`\n### ${name}, 3 zones, one NodePool`);
  for (const count of POD_COUNTS) {
    row(`diverse`, diversePods(count), types);
    row(`generic`, genericPods(count), types);
  }
}
