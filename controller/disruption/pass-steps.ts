/**
 * A pass's planning as a generator that pauses after each scheduling simulation. Karpenter runs disruption in its
 * own goroutine, so a pass of seconds over a large cluster delays nothing else; here one event loop serves the lease,
 * the watches, the provisioner and the probes too. `runSteps` drives the generator in one go (the pure planner, the
 * plan preview, tests); `runStepsYielding` hands the loop back — a macrotask (`setImmediate`), so timers and I/O run,
 * not only promise callbacks — whenever a slice of work has gone by. Where the pauses fall changes no decision: the
 * pass judges the snapshot it started from, and only wall time, never the injected clock, picks the pauses.
 */
import { performance } from "node:perf_hooks";
import { setImmediate } from "node:timers/promises";

/** Planning work that pauses (`yield`) between simulations and returns `T`. */
export type Steps<T> = Generator<void, T, void>;

/** How long a slice of planning may hold the event loop before it is handed back. */
export const PLAN_SLICE_MS = 10;

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

export interface YieldingOptions {
  /** Hand the loop back after this much work; 0 hands it back at every pause. */
  readonly sliceMs?: number;
}

export async function runStepsYielding<T>(steps: Steps<T>, options: YieldingOptions = {}): Promise<T> {
  const sliceMs = options.sliceMs ?? PLAN_SLICE_MS;
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await setImmediate();
      sliceStart = performance.now();
    }
  }
}
