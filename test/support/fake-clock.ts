// A clock that moves only when the test says so, for code that takes its timers from a TimerClock (api/ports.ts):
// the test moves the time past a deadline instead of waiting for it, and reads which timers are pending, so what a
// test asserts never depends on the machine's speed. Mirrors k8s.io/utils/clock/testing's FakeClock (Step,
// HasWaiters), with a promise for "a timer has been armed" in place of polling HasWaiters.
import type { Timer, TimerClock } from "../../api/ports.ts";
import { guardAgainstHang } from "./hang-guard.ts";

interface Pending {
  due: number;
  /** Arming order: timers due at the same time run in the order they were armed, as Node's do. */
  order: number;
  f: () => void;
}

export class FakeClock implements TimerClock {
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

  /**
   * Moves the time forward by `ms`. Every timer that falls due runs, soonest first, with the clock reading its due
   * time; timers those calls arm run too if they fall due within the step.
   */
  step(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`step(${ms}): the clock only moves forward`);
    const target = this.#now + ms;
    for (let next = this.#soonest(); next !== undefined && next.due <= target; next = this.#soonest()) {
      this.#remove(next);
      this.#now = next.due;
      next.f();
    }
    this.#now = target;
  }

  /** Time from now until each pending timer is due, soonest first. */
  get pending(): number[] {
    return this.#sorted().map((timer) => timer.due - this.#now);
  }

  /**
   * Resolves once at least `count` timers are pending (at once when they already are). Code arms its timers after
   * awaits; this is the event a test waits for before it moves the time.
   */
  untilPending(count = 1): Promise<void> {
    const armed = new Promise<void>((resolve) => {
      const check = () => {
        if (this.#timers.length >= count) resolve();
        else this.#onArm.push(check);
      };
      check();
    });
    return guardAgainstHang(armed, `${count} pending timer(s) on the fake clock`);
  }

  #sorted(): Pending[] {
    return [...this.#timers].sort((a, b) => a.due - b.due || a.order - b.order);
  }

  #soonest(): Pending | undefined {
    return this.#sorted()[0];
  }

  #remove(pending: Pending): boolean {
    const at = this.#timers.indexOf(pending);
    if (at < 0) return false;
    this.#timers.splice(at, 1);
    return true;
  }
}
