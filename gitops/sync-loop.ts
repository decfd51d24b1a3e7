// The long-running part of `poolkeeper sync`: sync, wait, sync again. The wait is the poll interval with
// ±10 % jitter (so many controllers polling one Git host do not synchronize); after failed syncs it doubles
// each time, up to ten intervals. A push hook calls `trigger()` to sync at once; triggers that arrive during
// a sync coalesce into one more sync after it, never into a queue.
import { systemClock, type TimerClock } from "../api/index.ts";
import type { SyncResult } from "./sync.ts";

export interface SyncLoopOptions {
  sync: () => Promise<SyncResult>;
  intervalMs: number;
  /** Stops the loop (after the sync in flight). */
  signal: AbortSignal;
  /** Uniform in [0, 1): Math.random by default; tests pass a fixed one. */
  random?: () => number;
  /** Runs the waits between syncs; the system clock by default. */
  clock?: TimerClock;
  /** Told about each sync (tests, the `--once`-like readiness signal). */
  onSync?: (result: SyncResult) => void;
  /** Told about a sync that threw (a bug: syncs report Git and input problems in their result). */
  onError?: (error: unknown) => void;
}

export interface SyncLoop {
  /** Syncs as soon as the current sync (if any) is done. */
  trigger(): void;
  /** Resolves when the loop has stopped. */
  readonly done: Promise<void>;
}

/** Longest wait, in poll intervals, after repeated failures. */
export const MAX_BACKOFF_INTERVALS = 10;
const JITTER = 0.1;

/** The wait before the next sync: the interval (doubled per consecutive failure, capped) with ±10 % jitter. */
export function nextDelay(intervalMs: number, failures: number, random: number): number {
  const base = intervalMs * Math.min(2 ** Math.min(failures, 30), MAX_BACKOFF_INTERVALS);
  return Math.round(base * (1 - JITTER + 2 * JITTER * random));
}

export function startSyncLoop(options: SyncLoopOptions): SyncLoop {
  const random = options.random ?? Math.random;
  const clock = options.clock ?? systemClock;
  let wake: (() => void) | undefined;
  let triggered = false;

  const trigger = () => {
    triggered = true;
    wake?.();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      // Not unref'd: the loop is what the process is running for.
      const timer = clock.afterFunc(ms, finish);
      function finish() {
        timer.stop();
        options.signal.removeEventListener("abort", finish);
        wake = undefined;
        resolve();
      }
      wake = finish;
      options.signal.addEventListener("abort", finish, { once: true });
    });

  const run = async () => {
    let failures = 0;
    while (!options.signal.aborted) {
      triggered = false;
      try {
        const result = await options.sync();
        failures = result.outcome === "failed" ? failures + 1 : 0;
        options.onSync?.(result);
      } catch (error) {
        failures++;
        options.onError?.(error);
      }
      if (options.signal.aborted) break;
      if (!triggered) await sleep(nextDelay(options.intervalMs, failures, random()));
    }
  };

  return { trigger, done: run() };
}
