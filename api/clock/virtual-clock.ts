// A clock whose time moves only when told: in-process tests and the world they drive fast-forward through
// minutes of simulated time (boot delays, watch timeouts, disruption windows) without waiting for any of it, and
// what they assert never depends on the machine's speed. Mirrors k8s.io/utils/clock/testing's FakeClock (Step,
// HasWaiters) — `advance` is Step — plus `runFor` / `runUntilIdle`, which also let the promise chains a timer
// resumes (`await clock.sleep(…)`) run before the next timer falls due.
import type { Timer, TimerClock } from "../ports.ts";

interface Pending {
  due: number;
  /** Arming order: timers due at the same time run in the order they were armed, as Node's do. */
  order: number;
  f: () => void;
}

/** How many event-loop turns `settle` gives the code a timer resumed before the clock moves on. */
const SETTLE_TURNS = 8;

export class VirtualClock implements TimerClock {
  #now: number;
  #armed = 0;
  readonly #timers: Pending[] = [];
  #onArm: (() => void)[] = [];

  constructor(start: Date) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  afterFunc(delayMs: number, f: () => void): Timer {
    const pending: Pending = { due: this.#now + Math.max(0, delayMs), order: this.#armed++, f };
    this.#timers.push(pending);
    for (const check of this.#onArm.splice(0)) check();
    const timer: Timer = { stop: () => this.#remove(pending), unref: () => timer };
    return timer;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.afterFunc(ms, resolve));
  }

  /**
   * Moves the time forward by `ms`, synchronously. Every timer that falls due runs, soonest first, with the clock
   * reading its due time; timers those calls arm run too if they fall due within the step. Code that a timer
   * resumes through a promise runs after this returns: use `runFor` for that.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance(${ms}): the clock only moves forward`);
    const target = this.#now + ms;
    for (let next = this.#soonest(); next !== undefined && next.due <= target; next = this.#soonest()) {
      this.#remove(next);
      this.#now = next.due;
      next.f();
    }
    this.#now = target;
  }

  /**
   * Moves the time forward by `ms` one due timer at a time, letting the event loop turn before and after each (so
   * a `sleep` resumed by one can arm the next within the same run). Resolves when the time has reached now + ms.
   */
  async runFor(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`runFor(${ms}): the clock only moves forward`);
    const target = this.#now + ms;
    await settle();
    for (let next = this.#soonest(); next !== undefined && next.due <= target; next = this.#soonest()) {
      this.advance(next.due - this.#now);
      await settle();
    }
    this.#now = target;
  }

  /**
   * Runs timers (settling in between) until none is pending, and resolves with the time advanced. A periodic timer
   * never lets the clock idle: past `limitMs` of simulated time this throws, naming how many timers remain.
   */
  async runUntilIdle(limitMs = 24 * 60 * 60 * 1000): Promise<number> {
    const start = this.#now;
    await settle();
    for (let next = this.#soonest(); next !== undefined; next = this.#soonest()) {
      if (next.due - start > limitMs)
        throw new Error(`runUntilIdle: ${this.#timers.length} timer(s) still pending after ${limitMs} ms`);
      this.advance(next.due - this.#now);
      await settle();
    }
    return this.#now - start;
  }

  /** Time from now until each pending timer is due, soonest first. */
  get pending(): number[] {
    return this.#sorted().map((timer) => timer.due - this.#now);
  }

  /**
   * Resolves once at least `count` timers are pending (at once when they already are). Code arms its timers after
   * awaits; this is the event to wait for before moving the time.
   */
  untilPending(count = 1): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = () => {
        if (this.#timers.length >= count) resolve();
        else this.#onArm.push(check);
      };
      check();
    });
  }

  #sorted(): Pending[] {
    return [...this.#timers].sort((a, b) => a.due - b.due || a.order - b.order);
  }

  #soonest(): Pending | undefined {
    let best: Pending | undefined;
    for (const t of this.#timers)
      if (!best || t.due < best.due || (t.due === best.due && t.order < best.order)) best = t;
    return best;
  }

  #remove(pending: Pending): boolean {
    const at = this.#timers.indexOf(pending);
    if (at < 0) return false;
    this.#timers.splice(at, 1);
    return true;
  }
}

/** A few turns of the event loop (macrotasks, so I/O callbacks and promise chains both get to run). */
async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_TURNS; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
