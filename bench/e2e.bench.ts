// `poolkeeper run` end to end, in the shape of Karpenter's own performance suite (core test/suites/performance,
// basic_test.go): in the simulated world, through the real adapters, 1,000 pending pods (500 × 900m/3100Mi and
// 500 × 3500m/28Gi) from the first one pending to all running, then a scale-in to 700 pods and the consolidation
// that follows. The controller runs in its own process (e2e-controller.ts), so its CPU time and memory are apart
// from the world's, which this process runs; both share one scaled clock (E2E_TIME_FACTOR simulated seconds per
// wall second, 2 by default). The baseline is the same process idle — pools applied, no pods — for IDLE_MS of
// simulated time before the scale-out; its CPU rate times each phase's simulated time is that phase's baseline.
//
// Printed: the scale-out's time excluding the world's 60 s instance boot, the decision's latency after the batch
// window closed (the controller's own log line, wall time), the controller's CPU-seconds per phase beside the
// baseline's, its peak RSS and V8 heap after a forced GC, and the reserved CPU and memory utilization after each
// phase — each against the target.
import { loadavg } from "node:os";
import { BOOT_DELAY_MS, startBenchWorld, type BenchWorld, type Utilization } from "./e2e-world.ts";
import { controllerEntry, type ControllerUsage } from "./e2e-controller.ts";
import { describeBreakdown } from "./memory-breakdown.ts";

const FACTOR = Number(process.env.E2E_TIME_FACTOR ?? 2);
const SCALE_OUT = 500; // per workload: 1,000 pods
const SCALE_IN = 350; // per workload: 700 pods
/** Consolidation is over once the NodeClaims stay unchanged this long (simulated) with every pod running. */
const QUIET_MS = 3 * 60_000;
/** Simulated time allowed per phase; past it the phase is reported as not finished (Karpenter's suite: 2, 20 min). */
const SCALE_OUT_LIMIT_MS = Number(process.env.E2E_SCALE_OUT_LIMIT_MIN ?? 15) * 60_000;
const SCALE_IN_LIMIT_MS = Number(process.env.E2E_SCALE_IN_LIMIT_MIN ?? 25) * 60_000;
const IDLE_MS = 2 * 60_000;
/** Stop after the idle baseline (its figures and memory breakdown): for comparing memory settings quickly. */
const IDLE_ONLY = process.env.E2E_IDLE_ONLY === "1";
/** Where to write the controller's CPU profile from the scale-out's start to its first decision. */
const PROFILE = process.env.E2E_PROFILE;
/**
 * Where to write V8 heap snapshots of the controller during the scale-out's burst (`<prefix>-<ms>.heapsnapshot`),
 * taken E2E_HEAP_SNAPSHOT_AFTER_MS (comma-separated, wall ms; "0" by default) after its first decision is logged.
 */
const HEAP_SNAPSHOT = process.env.E2E_HEAP_SNAPSHOT;
const HEAP_SNAPSHOT_AFTER_MS = (process.env.E2E_HEAP_SNAPSHOT_AFTER_MS ?? "0").split(",").map(Number);
/**
 * E2E_HEAP_SNAPSHOT_IN=scale-in: the snapshots' times count from the scale-in's start instead, and they are taken
 * beside the phase (not awaited before it), for what holds memory while consolidation deletes nodes.
 */
const HEAP_SNAPSHOT_IN_SCALE_IN = process.env.E2E_HEAP_SNAPSHOT_IN === "scale-in";
/** What the controller runs: the compiled dist/ (E2E_DIST=1), the bundle (E2E_BUNDLE=1) or the sources. */
const ENTRY = controllerEntry(process.env.E2E_DIST === "1", process.env.E2E_BUNDLE === "1");
const DECIDED = "computed new nodeclaim(s) to fit pod(s)";
const MiB = 1024 * 1024;

const wall = () => performance.now();
/** Progress on standard error, so a long run shows where it is. */
const progress = (w: BenchWorld, what: string) =>
  console.error(`[${w.clock.now().toISOString().slice(11, 19)} simulated] ${what}`);

/** Polls `done` every 100 ms of wall time; whether it held within `limitMs` of simulated time. */
async function until(w: BenchWorld, done: () => boolean, limitMs: number): Promise<boolean> {
  const start = w.clock.now().getTime();
  while (!done()) {
    if (w.clock.now().getTime() - start > limitMs) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const mib = (x: number) => `${(x / MiB).toFixed(0)} MiB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const verdict = (met: boolean) => (met ? "met" : "NOT MET");

async function ready(w: BenchWorld): Promise<void> {
  await w.controller.line((l) => l.msg === "the cluster's caches are synced", "caches synced");
  progress(w, "caches synced");
  if (!(await until(w, () => w.poolApplied(), 5 * 60_000))) throw new Error("the NodePool was not applied from Git");
  progress(w, "the NodePool applied");
  await w.controller.line((l) => l.msg === "starting" && l.controller === "provisioner", "the provisioner started");
  progress(w, "the provisioner started");
  // The provider's first refresh of instance types and prices, and the first status commit, settle.
  await w.clock.sleep(30_000);
}

interface Phase {
  finished: boolean;
  simMs: number;
  wallMs: number;
  cpuSeconds: number;
  usage: ControllerUsage;
  heapBytes: number;
  utilization: Utilization;
  pods: { total: number; running: number };
  nodeClaims: number;
}

async function phaseEnd(
  w: BenchWorld,
  finished: boolean,
  startSim: number,
  startWall: number,
  before: ControllerUsage,
): Promise<Phase> {
  const simMs = w.clock.now().getTime() - startSim;
  const wallMs = wall() - startWall;
  const usage = await w.controller.usage();
  const utilization = w.utilization();
  const heapBytes = await w.controller.heapAfterGc();
  const cpuSeconds = usage.cpuSeconds - before.cpuSeconds;
  return {
    finished,
    simMs,
    wallMs,
    cpuSeconds,
    usage,
    heapBytes,
    utilization,
    pods: w.pods(),
    nodeClaims: w.nodeClaims().total,
  };
}

/**
 * The controller's memory sampled every 500 ms of wall time: the sample with the largest RSS says what the peak was
 * made of (the V8 heap V8 held, outside it), which the figures after a forced GC cannot; the one with the most V8
 * heap in use and the one with the most ArrayBuffers; when (wall time) each was.
 */
function samplePeak(w: BenchWorld): {
  stop: () => void;
  peak: () => Sample | undefined;
  heapPeak: () => Sample | undefined;
  arrayBuffersPeak: () => Sample | undefined;
} {
  let peak: Sample | undefined;
  let heapPeak: Sample | undefined;
  let arrayBuffersPeak: Sample | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    w.controller
      .usage()
      .then((u) => {
        const sample = { usage: u, at: wall() };
        if (peak === undefined || u.rssBytes > peak.usage.rssBytes) peak = sample;
        if (heapPeak === undefined || u.heapUsedBytes > heapPeak.usage.heapUsedBytes) heapPeak = sample;
        if (arrayBuffersPeak === undefined || u.arrayBuffersBytes > arrayBuffersPeak.usage.arrayBuffersBytes)
          arrayBuffersPeak = sample;
      })
      .catch(() => {})
      .finally(() => (busy = false));
  }, 500);
  return {
    stop: () => clearInterval(timer),
    peak: () => peak,
    heapPeak: () => heapPeak,
    arrayBuffersPeak: () => arrayBuffersPeak,
  };
}

interface Sample {
  usage: ControllerUsage;
  /** Wall time it was taken. */
  at: number;
}

/** When a sample was taken: into the scale-in, or after the first decision was read. */
function when(at: number): string {
  if (scaleInAt !== undefined && at >= scaleInAt) return `, ${s(at - scaleInAt)} into the scale-in`;
  return decidedAt === undefined ? "" : `, ${s(at - decidedAt)} after the first decision was read`;
}

/** Heap snapshots of the controller HEAP_SNAPSHOT_AFTER_MS (wall) after `from`, one after the other. */
async function heapSnapshots(w: BenchWorld, prefix: string, from: number, what: string): Promise<void> {
  for (const after of HEAP_SNAPSHOT_AFTER_MS) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, from + after - wall())));
    const file = `${prefix}-${after}.heapsnapshot`;
    const started = wall();
    await w.controller.heapSnapshot(file);
    progress(w, `a heap snapshot ${after} ms after ${what} (took ${s(wall() - started)}): ${file}`);
  }
}

const w = await startBenchWorld(FACTOR);
let report: () => void;
let sampler: ReturnType<typeof samplePeak> | undefined;
/** Wall time the scale-out's first decision was read from the log. */
let decidedAt: number | undefined;
/** Wall time the scale-in started. */
let scaleInAt: number | undefined;
try {
  sampler = samplePeak(w);
  await ready(w);
  // Baseline: the same process, idle.
  progress(w, "baseline: idle");
  const idleStart = await w.controller.usage();
  const idleSim = w.clock.now().getTime();
  await w.clock.sleep(IDLE_MS);
  const idle = await phaseEnd(w, true, idleSim, wall(), idleStart);
  const idleRate = idle.cpuSeconds / idle.simMs; // CPU-seconds per simulated ms
  const idleMemory = describeBreakdown(await w.controller.breakdown());
  if (IDLE_ONLY) {
    report = () => {
      console.log(
        `idle only: node flags: ${process.env.E2E_NODE_FLAGS ?? ""}, NODE_OPTIONS=${process.env.E2E_NODE_OPTIONS ?? ""} ` +
          `MALLOC_ARENA_MAX=${process.env.E2E_MALLOC_ARENA_MAX ?? ""} ` +
          `MALLOC_MMAP_THRESHOLD_=${process.env.E2E_MALLOC_MMAP_THRESHOLD ?? ""}; ${ENTRY}; load average ${loadavg()[0]?.toFixed(1)}`,
      );
      console.log(`idle CPU-s ${idle.cpuSeconds.toFixed(2)} over ${s(idle.simMs)} simulated`);
      console.log(`controller after a forced GC, idle: ${idleMemory}`);
    };
  } else {
    // Scale-out.
    const outSim = w.clock.now().getTime();
    const outWall = wall();
    const stopProfile = PROFILE === undefined ? undefined : await w.controller.profile();
    w.scale(SCALE_OUT);
    await until(w, () => w.pods().total > 0, 60_000);
    const firstPendingSim = w.clock.now().getTime();
    progress(w, "scale-out: the first pod pending");
    const logFrom = w.controller.lines.length;
    const decided = w.controller.line((l) => l.msg === DECIDED, "the first decision").then(() => wall());
    if (stopProfile !== undefined && PROFILE !== undefined) {
      await decided;
      await stopProfile(PROFILE);
      progress(w, `the controller's CPU profile up to its first decision: ${PROFILE}`);
    }
    if (HEAP_SNAPSHOT !== undefined && !HEAP_SNAPSHOT_IN_SCALE_IN) {
      await heapSnapshots(w, HEAP_SNAPSHOT, await decided, "the first decision");
    }
    // Not awaited: a scale-out that never decides is reported as not finished, not waited for.
    decided.then((t) => (decidedAt = t)).catch(() => {});
    const outDone = await until(w, () => w.pods().running === 2 * SCALE_OUT, SCALE_OUT_LIMIT_MS);
    const allRunningSim = w.clock.now().getTime();
    progress(w, outDone ? "scale-out: 1,000 pods running" : `scale-out: not finished, ${w.pods().running} running`);
    const out = await phaseEnd(w, outDone, outSim, outWall, idle.usage);
    const outMemory = describeBreakdown(await w.controller.breakdown());
    const decisions = w.controller.lines.slice(logFrom).filter((l) => l.msg === DECIDED);

    // Scale-in and consolidation.
    const inSim = w.clock.now().getTime();
    const inWall = wall();
    w.scale(SCALE_IN);
    scaleInAt = inWall;
    progress(w, "scale-in to 700 pods");
    const snapshots =
      HEAP_SNAPSHOT !== undefined && HEAP_SNAPSHOT_IN_SCALE_IN
        ? heapSnapshots(w, HEAP_SNAPSHOT, inWall, "the scale-in's start")
        : Promise.resolve();
    let claims = w.nodeClaims();
    let changedAt = w.clock.now().getTime();
    const inDone = await until(
      w,
      () => {
        const now = w.nodeClaims();
        if (now.total !== claims.total || now.deleting !== claims.deleting || now.deleting > 0) {
          claims = now;
          changedAt = w.clock.now().getTime();
        }
        const pods = w.pods();
        return (
          pods.total === 2 * SCALE_IN && pods.running === pods.total && w.clock.now().getTime() - changedAt >= QUIET_MS
        );
      },
      SCALE_IN_LIMIT_MS,
    );
    await snapshots;
    const back = await phaseEnd(w, inDone, inSim, inWall, out.usage);
    const backMemory = describeBreakdown(await w.controller.breakdown());
    progress(w, inDone ? `consolidation settled at ${back.nodeClaims} NodeClaims` : "consolidation: not settled");

    report = () => {
      const latencies = decisions.map((d) => Number(d.sinceWindowClosedMs ?? Number.NaN));
      const worst = latencies.length === 0 ? Number.NaN : Math.max(...latencies);
      console.log(
        `controller: ${ENTRY}, node flags: ${process.env.E2E_NODE_FLAGS ?? ""}, ` +
          `NODE_OPTIONS=${process.env.E2E_NODE_OPTIONS ?? ""} ` +
          `MALLOC_ARENA_MAX=${process.env.E2E_MALLOC_ARENA_MAX ?? ""} ` +
          `MALLOC_MMAP_THRESHOLD_=${process.env.E2E_MALLOC_MMAP_THRESHOLD ?? ""}\n` +
          `time factor ×${FACTOR}; 2 × ${SCALE_OUT} pods out, 2 × ${SCALE_IN} in; load average ` +
          loadavg()
            .map((l) => l.toFixed(1))
            .join(" "),
      );
      console.log(
        outDone
          ? `scale-out: first pending → all running ${s(allRunningSim - firstPendingSim)} simulated, ` +
              `${s(allRunningSim - firstPendingSim - BOOT_DELAY_MS)} without the ${s(BOOT_DELAY_MS)} boot ` +
              `(Karpenter's suite: < 120 s); ${out.nodeClaims} NodeClaims`
          : `scale-out: NOT FINISHED within ${SCALE_OUT_LIMIT_MS / 60_000} min simulated: ${out.pods.running} of ` +
              `${2 * SCALE_OUT} pods running on ${out.nodeClaims} NodeClaims`,
      );
      for (const d of decisions) {
        console.log(
          `  decision: ${String(d.pods)} pods → ${String(d.nodeClaims)} new NodeClaims (${String(d.onExisting)} ` +
            `on existing, ${String(d.unschedulable)} unschedulable), ${String(d.sinceWindowClosedMs)} ms after ` +
            `the batch window closed (waiting for the run before ${String(d.queuedMs)} ms, instance types ` +
            `${String(d.instanceTypesMs)} ms, cluster state ${String(d.stateMs)} ms, scheduler ` +
            `${String(d.schedulingMs)} ms)`,
        );
      }
      console.log(`  decision latency, worst: ${worst} ms (target ≤ 2,000 ms: ${verdict(worst <= 2_000)})`);
      console.log(
        inDone
          ? `scale-in: consolidated to ${back.nodeClaims} NodeClaims, the last change ${s(changedAt - inSim)} ` +
              "simulated after the scale-in (Karpenter's suite: < 20 min)"
          : `scale-in: NOT SETTLED within ${SCALE_IN_LIMIT_MS / 60_000} min simulated: ${back.pods.running} of ` +
              `${back.pods.total} pods running on ${back.nodeClaims} NodeClaims`,
      );
      console.log(
        "\n| phase | finished | sim time | wall time | controller CPU-s | idle baseline CPU-s | ratio | reserved CPU | " +
          "reserved memory | nodes |",
      );
      console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
      for (const [name, p] of [
        ["idle (baseline)", idle],
        ["scale-out", out],
        ["scale-in", back],
      ] as const) {
        const base = idleRate * p.simMs;
        console.log(
          `| ${name} | ${p.finished ? "yes" : "no"} | ${s(p.simMs)} | ${s(p.wallMs)} | ${p.cpuSeconds.toFixed(2)} | ` +
            `${base.toFixed(2)} | ${(p.cpuSeconds / base).toFixed(1)}× | ${pct(p.utilization.cpu)} | ` +
            `${pct(p.utilization.memory)} | ${p.utilization.nodes} |`,
        );
      }
      console.log(
        `\npeak RSS ${mib(back.usage.maxRssBytes)} (idle: ${mib(idle.usage.maxRssBytes)}; target ≤ 200 MiB: ` +
          `${verdict(back.usage.maxRssBytes <= 200 * MiB)}); V8 heap after a forced GC: ${mib(idle.heapBytes)} idle, ` +
          `${mib(out.heapBytes)} after the scale-out, ${mib(back.heapBytes)} after the scale-in`,
      );
      const peakAt = sampler?.peak();
      if (peakAt !== undefined) {
        const at = peakAt.usage;
        console.log(
          `at the largest RSS sampled (${mib(at.rssBytes)}${when(peakAt.at)}): V8 heap total ` +
            `${mib(at.heapTotalBytes)}, outside the heap ${mib(at.externalBytes)} (ArrayBuffers ` +
            `${mib(at.arrayBuffersBytes)}), the rest (the binary, malloc) ` +
            `${mib(at.rssBytes - at.heapTotalBytes - at.externalBytes)}`,
        );
      }
      const heapAt = sampler?.heapPeak();
      if (heapAt !== undefined) {
        console.log(
          `the most V8 heap in use sampled: ${mib(heapAt.usage.heapUsedBytes)} of ${mib(heapAt.usage.heapTotalBytes)} ` +
            `(RSS then ${mib(heapAt.usage.rssBytes)}${when(heapAt.at)})`,
        );
      }
      const buffersAt = sampler?.arrayBuffersPeak();
      if (buffersAt !== undefined) {
        console.log(
          `the most ArrayBuffers sampled: ${mib(buffersAt.usage.arrayBuffersBytes)} (RSS then ` +
            `${mib(buffersAt.usage.rssBytes)}${when(buffersAt.at)})`,
        );
      }
      console.log(
        `V8 heap total (what V8 holds) ${mib(out.usage.heapTotalBytes)} and outside the heap ` +
          `${mib(out.usage.externalBytes)} (ArrayBuffers ${mib(out.usage.arrayBuffersBytes)}) after the scale-out`,
      );
      console.log(`scale-out CPU-seconds ${out.cpuSeconds.toFixed(2)} (target ≤ 30: ${verdict(out.cpuSeconds <= 30)})`);
      console.log(
        `utilization after the scale-out: CPU ${pct(out.utilization.cpu)} (target ≥ 53 %: ` +
          `${verdict(out.utilization.cpu >= 0.53)}), memory ${pct(out.utilization.memory)} (target ≥ 65 %: ` +
          `${verdict(out.utilization.memory >= 0.65)})`,
      );
      console.log(`\ncontroller after a forced GC, idle: ${idleMemory}`);
      console.log(`after the scale-out: ${outMemory}`);
      console.log(`after the scale-in: ${backMemory}`);
    };
  }
} finally {
  sampler?.stop();
  await w.stop();
}
report();
