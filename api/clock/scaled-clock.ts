// Simulated time for several processes at once (the world, the webhook, the controller): every process computes
// `simTime = start + (wall − wallStart) × factor` from the same published numbers, so they agree on the time
// without talking, and a timer of d simulated milliseconds waits d / factor of wall time. At factor 10, a spot
// interruption's 2-minute notice takes 12 s.
import { systemClock, type Timer, type TimerClock } from "../ports.ts";

/** What a world publishes so that another process builds the same clock. */
export interface ScaledClockSpec {
  /** Simulated time at `wallStart` (RFC 3339). */
  start: string;
  /** Wall time (epoch ms) at which simulated time was `start`. */
  wallStart: number;
  /** Simulated milliseconds per wall millisecond; > 0. */
  factor: number;
}

export class ScaledClock implements TimerClock {
  readonly #start: number;
  readonly #wallStart: number;
  readonly #factor: number;
  readonly #wall: TimerClock;

  /**
   * `wall` reads and schedules wall time (the system clock; a virtual one in tests). Without `wallStart`, simulated
   * time starts at `start` now.
   */
  constructor(options: { start: Date; factor: number; wallStart?: number; wall?: TimerClock }) {
    if (!(options.factor > 0) || !Number.isFinite(options.factor))
      throw new RangeError(`time factor: Invalid value: ${options.factor}: must be a finite number > 0`);
    this.#wall = options.wall ?? systemClock;
    this.#start = options.start.getTime();
    this.#wallStart = options.wallStart ?? this.#wall.now().getTime();
    this.#factor = options.factor;
  }

  /** The clock another process builds from `publish()`'s output; a bad spec is a RangeError naming the field. */
  static from(spec: ScaledClockSpec, wall?: TimerClock): ScaledClock {
    const start = new Date(spec.start);
    if (Number.isNaN(start.getTime())) throw new RangeError(`start: Invalid value: "${spec.start}": not a time`);
    if (!Number.isFinite(spec.wallStart))
      throw new RangeError(`wallStart: Invalid value: ${spec.wallStart}: not a time in epoch milliseconds`);
    return new ScaledClock({ start, factor: spec.factor, wallStart: spec.wallStart, ...(wall ? { wall } : {}) });
  }

  get factor(): number {
    return this.#factor;
  }

  publish(): ScaledClockSpec {
    return { start: new Date(this.#start).toISOString(), wallStart: this.#wallStart, factor: this.#factor };
  }

  now(): Date {
    return new Date(this.#start + (this.#wall.now().getTime() - this.#wallStart) * this.#factor);
  }

  afterFunc(delayMs: number, f: () => void): Timer {
    return this.#wall.afterFunc(Math.max(0, delayMs) / this.#factor, f);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.afterFunc(ms, resolve));
  }
}
