// Gives V8's idle pages back to the system between syncs. A sync that judges a new head allocates in bursts, and V8
// keeps the pages its collections free pooled for reuse: over 1,000 back-to-back syncs on the benchmark's 1,000 pools
// that took `sync` from 186 to 293 MiB RSS after forced GCs, with the heap in use flat (−0.7 MiB); one memory-reducing
// collection (V8's last-resort GC, which releases the pool) brought it back to 185 MiB (docs/performance.md, GitOps).
// V8's memory reducer does the same only once the process has been idle for a while, which a controller polling a
// busy branch or woken by its push hook may never be. So after a sync that judged a new head, and at most once per
// interval, the loop asks for that collection, between syncs and never inside one. Only a process started with
// `--expose-gc` has a `gc` to ask (the chart's NODE_OPTIONS sets it); without it this does nothing.
//
// The interval leaves what a burst of syncs pooled after its last collection (up to a minute of back-to-back syncs:
// 186 → 212 MiB after 1,000 of them). So a collection the interval put off is owed, and made once no sync has
// judged a head for `idleMs` (with `timers`): the steady state after a burst holds what it held after the initial
// sync. Not while a sync runs (`busy`): then it waits another `idleMs`.
import type { Clock, Timer, TimerClock } from "../api/index.ts";
import type { SyncResult } from "./sync.ts";

/** V8's `gc` as `--expose-gc` installs it, with the options of its GC extension. */
export type ExposedGc = (options?: {
  type?: "major" | "minor";
  execution?: "sync" | "async";
  flavor?: string;
}) => unknown;

/** At most one memory-reducing collection per this many milliseconds: each costs a few full collections' pause. */
export const HEAP_RELEASE_INTERVAL_MS = 60_000;

/**
 * A collection the interval put off is made after this long without a sync that judged a head: longer than the gap
 * between syncs of a burst (a push hook's triggers, back to back), shorter than any poll interval worth setting.
 */
export const HEAP_RELEASE_IDLE_MS = 5_000;

export interface HeapReleaseOptions {
  clock: Clock;
  /** The process's `gc` (globalThis.gc when started with --expose-gc). */
  gc?: ExposedGc | undefined;
  intervalMs?: number;
  /** Runs the collection a burst left owed once idle (see above); without it, a burst's last pages stay pooled. */
  timers?: TimerClock;
  idleMs?: number;
  /** Whether a sync is running now: the owed collection then waits, never pausing a sync. */
  busy?: () => boolean;
}

/**
 * Returns what to call after each sync: it runs a memory-reducing collection when the sync judged a new head (an
 * accepted or rejected one: an unchanged head or a failed fetch allocated little) and the last one is at least the
 * interval ago; with `timers`, one the interval put off once no such sync came for `idleMs`. Answers whether it
 * collected then and there.
 */
export function heapRelease(options: HeapReleaseOptions): (result: SyncResult) => boolean {
  const interval = options.intervalMs ?? HEAP_RELEASE_INTERVAL_MS;
  const idleMs = options.idleMs ?? HEAP_RELEASE_IDLE_MS;
  const { gc, timers } = options;
  let last: number | undefined;
  /** The collection the interval put off, once idle: pending while one is owed. */
  let owed: Timer | undefined;

  const collect = (gc: ExposedGc) => {
    owed?.stop();
    owed = undefined;
    last = options.clock.now().getTime();
    gc({ type: "major", execution: "sync", flavor: "last-resort" });
  };
  const owe = (gc: ExposedGc, timers: TimerClock) => {
    owed?.stop();
    // Unref'd: a process stopping meanwhile does not wait for it. Put off again while a sync runs.
    const fire = () => {
      if (options.busy?.()) owed = timers.afterFunc(idleMs, fire).unref();
      else collect(gc);
    };
    owed = timers.afterFunc(idleMs, fire).unref();
  };

  return (result) => {
    if (gc === undefined || (result.outcome !== "accepted" && result.outcome !== "rejected")) return false;
    const now = options.clock.now().getTime();
    if (last !== undefined && now - last < interval) {
      if (timers) owe(gc, timers);
      return false;
    }
    collect(gc);
    return true;
  };
}

/** The process's `gc` when it was started with --expose-gc (NODE_OPTIONS included); undefined otherwise. */
export function exposedGc(): ExposedGc | undefined {
  const gc: unknown = (globalThis as { gc?: unknown }).gc;
  return typeof gc === "function" ? (gc as ExposedGc) : undefined;
}
