// Timing for benchmarks: warm up, then run until a minimum time has passed, and report operations per second.
import { performance } from "node:perf_hooks";

export interface Measurement {
  name: string;
  operations: number;
  seconds: number;
  perSecond: number;
}

export function measure(name: string, operationsPerRun: number, run: () => void, minSeconds = 2): Measurement {
  for (let i = 0; i < 2; i++) run(); // warm-up: compile caches and JIT
  let runs = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    run();
    runs++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < minSeconds);
  const operations = runs * operationsPerRun;
  return { name, operations, seconds: elapsed, perSecond: operations / elapsed };
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
