// Memory and CPU of `poolkeeper demo` step by step, for docs/performance.md: loaded before the demo with
//   POOLKEEPER_DEMO_MEMORY=<file> node --expose-gc --import ./bench/demo-memory.ts bin/poolkeeper.js demo
// it appends one JSON line to <file> as each step's line is printed: the process's CPU seconds so far, the largest
// RSS, V8 heap (reserved and used) and external memory seen since the step before (sampled each second), and what a
// forced GC leaves (memory-breakdown.ts: the heap by space, external, malloc arenas, RSS). No line is printed.
// POOLKEEPER_DEMO_HEAPSNAPSHOT=<steps, e.g. 7,10> also writes a V8 heap snapshot (v8.writeHeapSnapshot) beside
// <file> at those steps' lines, for bench/heap-retainers.ts to summarise.
import { appendFileSync } from "node:fs";
import { dirname, join } from "node:path";
import v8 from "node:v8";
import { memoryBreakdown } from "./memory-breakdown.ts";

const out = process.env.POOLKEEPER_DEMO_MEMORY;
const MiB = 1024 * 1024;
const mib = (bytes: number) => Math.round(bytes / MiB);
const snapshotSteps = new Set((process.env.POOLKEEPER_DEMO_HEAPSNAPSHOT ?? "").split(",").filter(Boolean).map(Number));

if (out) {
  const peaks = { rss: 0, heapReserved: 0, heapUsed: 0, external: 0 };
  const sample = () => {
    const usage = process.memoryUsage();
    peaks.rss = Math.max(peaks.rss, usage.rss);
    peaks.heapReserved = Math.max(peaks.heapReserved, usage.heapTotal);
    peaks.heapUsed = Math.max(peaks.heapUsed, usage.heapUsed);
    peaks.external = Math.max(peaks.external, usage.external);
  };
  setInterval(sample, 1_000).unref();
  const write = process.stdout.write.bind(process.stdout) as (chunk: unknown, ...rest: unknown[]) => boolean;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    // The step's result line: "✔ [7/10] …" or "✖ [7/10] …".
    const step = /^[✔✖] \[(\d+)\/\d+\]/u.exec(String(chunk))?.[1];
    if (step !== undefined) {
      sample();
      const { user, system } = process.cpuUsage();
      const after = memoryBreakdown();
      const line = {
        step: Number(step),
        cpuSeconds: Math.round((user + system) / 1e4) / 100,
        peakMiB: Object.fromEntries(Object.entries(peaks).map(([k, v]) => [k, mib(v)])),
        afterGcMiB: {
          rss: mib(after.rss),
          heapUsed: mib(after.heapUsed),
          heapReserved: mib(after.heapReserved),
          external: mib(after.external),
          ...(after.mallocArenas ? { mallocArenas: mib(after.mallocArenas.main + after.mallocArenas.threads) } : {}),
          spaces: Object.fromEntries(after.spaces.map((s) => [s.name, mib(s.used)])),
        },
        heapLimitMiB: mib(v8.getHeapStatistics().heap_size_limit),
      };
      appendFileSync(out, `${JSON.stringify(line)}\n`);
      if (snapshotSteps.has(line.step)) v8.writeHeapSnapshot(join(dirname(out), `demo-step${line.step}.heapsnapshot`));
      for (const key of Object.keys(peaks) as (keyof typeof peaks)[]) peaks[key] = 0;
    }
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
}
