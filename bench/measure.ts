// Timing for benchmarks: warm up, then time repeated runs until both a minimum count and a minimum time are
// reached, and report the median run (robust to a garbage collection or a noisy neighbour in one run).
import { performance } from "node:perf_hooks";

export interface Measurement {
  name: string;
  operations: number;
  seconds: number;
  perSecond: number;
}

export function measure(
  name: string,
  operationsPerRun: number,
  run: () => void,
  minSeconds = 3,
  minRuns = 5,
): Measurement {
  for (let i = 0; i < 2; i++) run(); // warm-up: compile caches and JIT
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start) / 1000 < minSeconds) {
    const t = performance.now();
    run();
    times.push((performance.now() - t) / 1000);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  return { name, operations: operationsPerRun, seconds: median, perSecond: operationsPerRun / median };
}

export function report(measurements: Measurement[], baseline: Measurement): void {
  const width = Math.max(...measurements.map((m) => m.name.length));
  for (const m of measurements) {
    const ratio = baseline.perSecond / m.perSecond;
    console.log(
      `${m.name.padEnd(width)}  ${Math.round(m.perSecond).toString().padStart(9)} objects/s  ` +
        `${ratio.toFixed(2)}× the time of ${baseline.name}`,
    );
  }
}
