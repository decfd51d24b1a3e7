// Disruption: (a) the time of one `plan` over 100 / 1,000 / 2,000 nodes with 20 pods each, a fifth of them
// under-used, against one scheduling simulation (a node's pods placed on the rest) as the baseline; (b) plans applied
// to a fixed point, each pass one command within the default budgets, with the final $/h beside a fresh provisioning
// solve of the same pods. Targets (issue 24): a 1,000-node / 20,000-pod plan < 2 s; at the fixed point cost ≤ 1.15 ×
// the fresh solve, and a further plan proposes nothing. (c) the same plan in one go and as the disruption loop runs
// it (`planYielding`: the event loop handed back between simulations every 10 ms of work), alternated in one process:
// CPU time of each (process.cpuUsage, so the turns handed to nothing else cost what they cost), the turns the loop
// made meanwhile and the longest the loop was held.
import { performance } from "node:perf_hooks";
import type { Pod } from "../api/index.ts";
import { fixedClock } from "../api/ports.ts";
import { plan, planYielding } from "../controller/disruption/index.ts";
import { nodePoolTemplate, schedule } from "../controller/provisioning/index.ts";
import { type Measurement, measure } from "./measure.ts";
import { ClusterModel, instanceTypes, nodePool, pod, typesByPool } from "../test/support/disruption-cluster.ts";
import { seededRandom } from "../test/support/json-mutation.ts";

const NAMES = [
  "m5.large",
  "m5.xlarge",
  "m5.2xlarge",
  "m5.4xlarge",
  "c5.xlarge",
  "c5.2xlarge",
  "r5.xlarge",
  "r5.2xlarge",
];
const TYPES = instanceTypes(NAMES);
const NOW = new Date("2026-01-10T10:00:00Z");

// Nodes of the bigger types; four in five busy (20 pods of 100–350m), one in five under-used (20 pods of 10–25m).
function cluster(nodes: number, seed: number, idleShare = 0.2): ClusterModel {
  const random = seededRandom(seed);
  const model = new ClusterModel();
  for (let i = 0; i < nodes; i++) {
    const type = NAMES[2 + Math.floor(random() * (NAMES.length - 2))] ?? "m5.2xlarge";
    const idle = random() < idleShare;
    const pods: Pod[] = [];
    for (let j = 0; j < 20; j++) {
      const cpu = idle ? 10 + Math.floor(random() * 16) : 100 + Math.floor(random() * 251);
      pods.push(pod({ cpu: `${cpu}m`, memory: `${idle ? 32 : 256}Mi`, name: `n${i}-p${j}` }));
    }
    model.add(`n${String(i).padStart(5, "0")}`, { type, pods });
  }
  return model;
}

const pool = nodePool("default", { budgets: [{ nodes: "10%" }] });
const byPool = typesByPool([pool], TYPES);

// `node bench/disruption.bench.ts a 100,300` runs one part at other sizes (c: `c 100,1000`).
const [part, sizes] = process.argv.slice(2);
const sized = (fallback: number[]) => (sizes === undefined ? fallback : sizes.split(",").map(Number));

if (part === undefined || part === "a") console.log("(a) one plan");
for (const nodes of part === undefined || part === "a" ? sized([100, 1000, 2000]) : []) {
  const snapshot = cluster(nodes, nodes).builder(TYPES).snapshot();
  const [first] = snapshot.nodes;
  const baseline = measure(
    `one simulation, ${nodes} nodes`,
    1,
    () => {
      schedule(
        { pendingPods: first?.pods ?? [], existing: snapshot.existing.slice(1), daemonSets: [] },
        [nodePoolTemplate(pool)],
        byPool,
        fixedClock(NOW),
      );
    },
    1,
    3,
  );
  let commands = 0;
  const once = () => {
    commands = plan(snapshot, { nodePools: [pool] }, byPool, fixedClock(NOW)).commands.length;
  };
  // Past 100 nodes one plan takes seconds: timed once (after the smaller sizes warmed the code), not five times.
  const m =
    nodes <= 100
      ? measure(`plan, ${nodes} nodes × 20 pods`, 1, once, 1, 3)
      : timedOnce(`plan, ${nodes} nodes × 20 pods`, once);
  console.log(
    `${m.name.padEnd(28)} ${(m.seconds * 1000).toFixed(0).padStart(6)} ms  (${(m.seconds / baseline.seconds).toFixed(1)}× one simulation of ${(baseline.seconds * 1000).toFixed(1)} ms; ${commands} command)`,
  );
  // The same cluster with one pending pod (250m) per node: every simulation places them with the candidates' pods
  // (Karpenter's SimulateScheduling), so the difference from the row above is what pending pods cost a plan.
  const pendingPods = Array.from({ length: nodes }, (_, i) =>
    pod({ cpu: "250m", memory: "256Mi", name: `pending-${i}` }),
  );
  const withPending = { ...snapshot, pendingPods };
  const name = `plan, + ${nodes} pending`;
  const p =
    nodes <= 100
      ? measure(name, 1, () => plan(withPending, { nodePools: [pool] }, byPool, fixedClock(NOW)), 1, 3)
      : timedOnce(name, () => plan(withPending, { nodePools: [pool] }, byPool, fixedClock(NOW)));
  console.log(`${p.name.padEnd(28)} ${(p.seconds * 1000).toFixed(0).padStart(6)} ms`);
}

if (part === undefined || part === "b")
  console.log(
    "\n(b) plans applied to a fixed point (each pass: 15 s re-validation, plus 60 s for a replacement to initialize)",
  );
for (const nodes of part === undefined || part === "b" ? sized([100, 300]) : []) {
  const model = cluster(nodes, 7 * nodes);
  const allPods = [...model.nodes.values()].flatMap((n) => n.pods ?? []);
  const fresh = schedule(
    { pendingPods: allPods, existing: [], daemonSets: [] },
    [nodePoolTemplate(pool)],
    byPool,
    fixedClock(NOW),
  );
  const freshCost = fresh.newNodeClaims.reduce((sum, c) => sum + c.price, 0);
  const cost = () =>
    [...model.nodes.values()].reduce(
      (s, n) => s + (TYPES.find((t) => t.name === n.type)?.offerings.items[0]?.price ?? 0),
      0,
    );
  const startCost = cost();
  let now = NOW;
  let passes = 0;
  const started = performance.now();
  for (;;) {
    const [command] = plan(model.builder(TYPES).snapshot(), { nodePools: [pool] }, byPool, fixedClock(now)).commands;
    if (command === undefined) break;
    passes += 1;
    model.apply(command, TYPES, [pool], now);
    now = new Date(now.getTime() + 15_000 + (command.replacements.length > 0 ? 60_000 : 0));
  }
  const wall = (performance.now() - started) / 1000;
  const again = plan(
    model.builder(TYPES).snapshot(),
    { nodePools: [pool] },
    byPool,
    fixedClock(new Date(now.getTime() + 3_600_000)),
  ).commands.length;
  const minutes = (now.getTime() - NOW.getTime()) / 60_000;
  console.log(
    `${nodes} nodes: ${passes} passes, ${minutes.toFixed(1)} virtual minutes (${wall.toFixed(1)} s of planning); ` +
      `$${startCost.toFixed(2)}/h → $${cost().toFixed(2)}/h, fresh solve $${freshCost.toFixed(2)}/h (${(cost() / freshCost).toFixed(2)}×); ` +
      `further plan: ${again} commands`,
  );
}

function timedOnce(name: string, run: () => void): Measurement {
  const t = performance.now();
  run();
  const seconds = (performance.now() - t) / 1000;
  return { name, operations: 1, seconds, perSecond: 1 / seconds };
}

/** CPU ms of `run`, the loop's turns while it ran and the longest gap between two turns (how long the loop was held). */
async function onLoop(run: () => unknown): Promise<{ cpuMs: number; turns: number; longestHoldMs: number }> {
  let turns = 0;
  let longest = 0;
  let last = performance.now();
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  const cpu = process.cpuUsage();
  await run();
  const used = process.cpuUsage(cpu);
  stopped = true;
  longest = Math.max(longest, performance.now() - last);
  return { cpuMs: (used.user + used.system) / 1000, turns, longestHoldMs: longest };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

if (part === undefined || part === "c") console.log("\n(c) one plan in one go and yielding (alternated; medians)");
// A fifth under-used (one multi-node simulation finds the command), and every node an m5.large (the cheapest type)
// holding one 1700m pod that fits on no other node and on nothing cheaper: every method refuses, so the pass runs the
// whole binary search and then single-node over every candidate within the 10 % budget — the long pass, each of its
// simulations placing one pending 250m pod per node too (they need new nodes, so no command can come of them).
const packed = (nodes: number) => {
  const model = new ClusterModel();
  for (let i = 0; i < nodes; i++) {
    model.add(`p${String(i).padStart(5, "0")}`, {
      type: "m5.large",
      pods: [pod({ cpu: "1700m", memory: "256Mi", name: `p${i}` })],
    });
  }
  const pendingPods = Array.from({ length: nodes }, (_, i) => pod({ cpu: "250m", memory: "256Mi", name: `q${i}` }));
  return { ...model.builder(TYPES).snapshot(), pendingPods };
};
const workloads = (nodes: number) => [
  { name: "a fifth under-used", snapshot: cluster(nodes, nodes).builder(TYPES).snapshot() },
  { name: "packed + pending, nothing to do", snapshot: packed(nodes) },
];
for (const [nodes, { name: workload, snapshot }] of (part === undefined || part === "c"
  ? sized([100, 1000])
  : []
).flatMap((n) => workloads(n).map((w) => [n, w] as const))) {
  const desired = { nodePools: [pool] };
  plan(snapshot, desired, byPool, fixedClock(NOW)); // warm-up
  const rounds = nodes <= 100 ? 5 : 2;
  const oneGo: Awaited<ReturnType<typeof onLoop>>[] = [];
  const yielding: Awaited<ReturnType<typeof onLoop>>[] = [];
  for (let i = 0; i < rounds; i++) {
    oneGo.push(await onLoop(() => plan(snapshot, desired, byPool, fixedClock(NOW))));
    yielding.push(await onLoop(() => planYielding(snapshot, desired, byPool, fixedClock(NOW))));
  }
  for (const [name, runs] of [
    ["in one go", oneGo],
    ["yielding", yielding],
  ] as const) {
    console.log(
      `${nodes} nodes, ${workload}, ${name.padEnd(9)} CPU ${median(runs.map((r) => r.cpuMs))
        .toFixed(0)
        .padStart(6)} ms  ` +
        `(runs ${runs.map((r) => r.cpuMs.toFixed(0)).join(", ")}); loop turns ${median(runs.map((r) => r.turns))}, ` +
        `longest hold ${median(runs.map((r) => r.longestHoldMs)).toFixed(0)} ms`,
    );
  }
}
