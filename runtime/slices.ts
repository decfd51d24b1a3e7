// Long synchronous work run in slices, with the event loop let through in between: the work is a generator that
// pauses after each of its steps (policies' Stepwise), and after each step that ends a slice of `sliceMs` — measured
// with performance.now(), which only decides where to pause — the rest waits for setImmediate, after the I/O that
// arrived in the meantime: a health probe, a push delivery, a request. Node's own advice for CPU-bound work on the
// main thread ("partitioning", nodejs.org's "Don't Block the Event Loop").
import { performance } from "node:perf_hooks";

/** About as long as work runs before other callbacks get their turn: a health probe waits at most this (plus a step). */
export const DEFAULT_SLICE_MS = 20;

/** Runs `steps` to their end, yielding to the event loop after every `sliceMs` of work (0: after every step). */
export async function runInSlices<T>(steps: Generator<void, T, void>, sliceMs = DEFAULT_SLICE_MS): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}
