// The demo's one clock: a VirtualClock that moves only once nothing is under way in the process (quiescence.ts) —
// the world's controllers, its API server and AWS endpoint, the webhook and `poolkeeper run` all live in this
// process and read it — and then jumps to the soonest due timer, so the scenario's outcome does not depend on the
// machine's speed: a loaded machine takes longer in wall time, never in simulated time. A VirtualClock's `runFor`
// settles a few event-loop turns after each timer; this waits for the HTTP, file and child-process work it set off.
import { VirtualClock, type Timer } from "../../api/index.ts";
import { Quiescence } from "./quiescence.ts";

/** Timers run at one instant without the time moving before a tick gives up (a loop of zero-delay timers). */
const MAX_TIMERS_AT_ONE_INSTANT = 100_000;
/** The newest jumps kept, for a failure to say which waits the clock ran through. */
const JUMPS_KEPT = 2_000;
/** Stack frames looked at for a timer's arming site: past the clock's own and a library's few. */
const SITE_FRAMES = 12;

/** One move of the clock: from and to (epoch ms), and where the timers it ran were armed (file:line). */
export interface ClockJump {
  from: number;
  to: number;
  sites: string[];
}

export class QuiescentClock extends VirtualClock {
  readonly quiescence = new Quiescence();
  #stillTicks = 0;
  readonly #jumps: ClockJump[] = [];
  /** The sites of the timers run by the jump under way. */
  #fired: string[] = [];

  /** The newest jumps, oldest first. */
  get jumps(): readonly ClockJump[] {
    return this.#jumps;
  }

  /** Records where each timer was armed, so a jump can say which wait it ran. */
  override afterFunc(delayMs: number, f: () => void): Timer {
    const site = armingSite();
    return super.afterFunc(delayMs, () => {
      this.#fired.push(site);
      f();
    });
  }

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
    const from = this.now().getTime();
    this.#fired = [];
    this.advance(by);
    if (by > 0 || this.#fired.length > 0) {
      this.#jumps.push({ from, to: this.now().getTime(), sites: this.#fired });
      if (this.#jumps.length > JUMPS_KEPT) this.#jumps.splice(0, this.#jumps.length - JUMPS_KEPT);
    }
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

/** The first frame of the caller outside this file and the clock's (`sleep` arms through `afterFunc`): file:line. */
function armingSite(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = SITE_FRAMES;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const line of stack.split("\n").slice(1)) {
    if (line.includes("quiescent-clock.ts") || line.includes("virtual-clock.ts")) continue;
    const where = /\(?([^\s()]+):(\d+):\d+\)?$/.exec(line.trim());
    if (where) return `${shortPath(where[1] ?? "")}:${where[2]}`;
  }
  return "?";
}

/** A path from the project's or a package's root: cli/demo/timeline.ts, @kubernetes/client-node/dist/cache.js. */
function shortPath(path: string): string {
  const file = path.replace(/^file:\/\//, "");
  const inPackage = file.lastIndexOf("/node_modules/");
  if (inPackage >= 0) return file.slice(inPackage + "/node_modules/".length);
  const inProject =
    /\/(api|cli|controller|adapters|runtime|gitops|sim|webhook|policies|scheduling|cloudprovider)\//.exec(file);
  return inProject ? file.slice(inProject.index + 1) : file;
}
