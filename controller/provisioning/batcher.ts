/**
 * The provisioning batch window (Karpenter's `Batcher`, core:pkg/controllers/provisioning/batcher.go): the first
 * trigger opens a window; each further trigger restarts the idle timer; the window closes after `idleMs` without a
 * trigger or `maxMs` after it opened, whichever comes first, so a burst of pending pods is scheduled together.
 * Pure over a TimerClock: the test moves a fake clock instead of waiting.
 */
import type { Timer, TimerClock } from "../../api/index.ts";

/** Karpenter's `BATCH_IDLE_DURATION` and `BATCH_MAX_DURATION` defaults. */
export const DEFAULT_BATCH_IDLE_MS = 1_000;
export const DEFAULT_BATCH_MAX_MS = 10_000;

export interface BatchWindow {
  readonly openedAt: Date;
  readonly closedAt: Date;
  /** Triggers seen while the window was open, the opening one included. */
  readonly triggers: number;
  readonly closedBy: "idle" | "max";
}

export interface BatcherOptions {
  readonly idleMs?: number;
  readonly maxMs?: number;
}

export class Batcher {
  readonly #clock: TimerClock;
  readonly #idleMs: number;
  readonly #maxMs: number;
  readonly #onClose: (window: BatchWindow) => void;
  #open: { openedAt: Date; triggers: number; idle: Timer; max: Timer } | undefined;

  /** Throws RangeError when a duration is not a positive finite number of milliseconds. */
  constructor(clock: TimerClock, onClose: (window: BatchWindow) => void, options: BatcherOptions = {}) {
    this.#idleMs = duration("idleMs", options.idleMs ?? DEFAULT_BATCH_IDLE_MS);
    this.#maxMs = duration("maxMs", options.maxMs ?? DEFAULT_BATCH_MAX_MS);
    this.#clock = clock;
    this.#onClose = onClose;
  }

  /** Whether a window is open. */
  get isOpen(): boolean {
    return this.#open !== undefined;
  }

  /** A pod became provisionable: opens a window, or keeps the open one from going idle. */
  trigger(): void {
    const open = this.#open;
    if (open === undefined) {
      this.#open = {
        openedAt: this.#clock.now(),
        triggers: 1,
        idle: this.#clock.afterFunc(this.#idleMs, () => this.#close("idle")),
        max: this.#clock.afterFunc(this.#maxMs, () => this.#close("max")),
      };
      return;
    }
    open.triggers += 1;
    open.idle.stop();
    open.idle = this.#clock.afterFunc(this.#idleMs, () => this.#close("idle"));
  }

  /** Closes an open window without reporting it (shutdown). */
  stop(): void {
    this.#open?.idle.stop();
    this.#open?.max.stop();
    this.#open = undefined;
  }

  #close(closedBy: BatchWindow["closedBy"]): void {
    const open = this.#open;
    if (open === undefined) return;
    this.stop();
    this.#onClose({ openedAt: open.openedAt, closedAt: this.#clock.now(), triggers: open.triggers, closedBy });
  }
}

function duration(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`batcher ${name}: expected a positive duration, got ${ms}`);
  return ms;
}
