// The demo's one clock: a VirtualClock that moves only once nothing is under way in the process (quiescence.ts) —
// the world's controllers, its API server and AWS endpoint, the webhook and `poolkeeper run` all live in this
// process and read it — and then jumps to the soonest due timer, so the scenario's outcome does not depend on the
// machine's speed: a loaded machine takes longer in wall time, never in simulated time. A VirtualClock's `runFor`
// settles a few event-loop turns after each timer; this waits for the HTTP, file and child-process work it set off.
import { VirtualClock } from "../../api/index.ts";
import { Quiescence } from "./quiescence.ts";

/** Timers run at one instant without the time moving before a tick gives up (a loop of zero-delay timers). */
const MAX_TIMERS_AT_ONE_INSTANT = 100_000;

export class QuiescentClock extends VirtualClock {
  readonly quiescence = new Quiescence();
  #stillTicks = 0;

  /**
   * Once nothing is under way, moves to the soonest due timer, but at most `maxMs` ahead (by `maxMs` when no timer
   * is pending), runs what falls due, and waits again for the work that set off. Resolves with the time moved.
   */
  async tick(maxMs: number): Promise<number> {
    await this.quiescence.quiet();
    const soonest = this.pending[0];
    const by = soonest === undefined ? maxMs : Math.min(maxMs, Math.max(0, soonest));
    this.#stillTicks = by === 0 ? this.#stillTicks + 1 : 0;
    if (this.#stillTicks > MAX_TIMERS_AT_ONE_INSTANT)
      throw new Error(`${MAX_TIMERS_AT_ONE_INSTANT} timers ran at ${this.now().toISOString()} without time moving`);
    this.advance(by);
    await this.quiescence.quiet();
    return by;
  }

  /** Ticks (at most `maxMs` at a time) until `work` settles; its outcome. For waits on an event, not a time. */
  async tickUntil<T>(work: Promise<T>, maxMs = 1_000): Promise<T> {
    let settled = false;
    work.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) await this.tick(maxMs);
    return work;
  }

  /** Moves the time forward by `ms` in ticks. */
  async tickFor(ms: number): Promise<void> {
    const target = this.now().getTime() + ms;
    while (this.now().getTime() < target) await this.tick(target - this.now().getTime());
  }

  /**
   * Lets the simulated time follow the wall clock at `factor` × its pace (still only once nothing is under way),
   * until `signal` aborts: what `--keep-running` leaves up reacts to what one does to it as a real cluster would.
   */
  async followWallClock(factor: number, signal: AbortSignal): Promise<void> {
    let last = performance.now();
    while (!signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = performance.now();
      await this.tickFor((now - last) * factor);
      last = now;
    }
  }

  close(): void {
    this.quiescence.close();
  }
}
