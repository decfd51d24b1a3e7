// The controller manager, as controller-runtime's: named Runnables (reconcile loops, the Git sync) started only
// while this replica acts and stopped — each after its current action — when it stops acting. A replica acts
// while it holds the leader Lease (the elector is given in: adapters/kube's LeaderElector, or none when leader
// election is off) and no guard objects (Karpenter's own leader lease held: foreign-lease-guard.ts). A runnable
// that fails is logged and started again after a backoff. Unlike controller-runtime, which exits the process when
// it loses the lease, the loops are stopped and the replica stands by again: it stops within the renew deadline,
// before the lease it no longer renews can expire for another replica.
import type { TimerClock } from "../../api/index.ts";
import type { Logger } from "../../runtime/index.ts";
import { FailureBackoff, type FailureBackoffOptions } from "./failure-backoff.ts";
import type { Runnable } from "./runnable.ts";

/** A leader elector seen from the manager: adapters/kube's LeaderElector has this shape. */
export interface Leadership {
  start(): void;
  /** Stops trying; a leader releases the lease unless `release` is false. */
  stop(options?: { release?: boolean }): Promise<void>;
  readonly isLeader: boolean;
}

export interface ElectionCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

/** Something that can forbid acting, with why (undefined: clear). */
export interface ActGuard {
  readonly blockedReason: string | undefined;
  /** Resolves once the guard has judged at least once. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `stopped` before start and after stop; `standby` while another replica leads; `passive` while a guard forbids
 * acting; `leading` while this replica acts.
 */
export type ManagerPhase = "stopped" | "standby" | "passive" | "leading";

export interface ManagerStatus {
  phase: ManagerPhase;
  /** One sentence: why the replica is in this phase. */
  reason: string;
  /** Whether it holds the leader Lease (a passive replica may or may not). */
  leader: boolean;
}

export interface ControllerManagerOptions {
  clock: TimerClock;
  logger: Logger;
  /** Builds the elector around the manager's callbacks; without it this replica leads alone. */
  elect?: (callbacks: ElectionCallbacks) => Leadership;
  /** Where the lease is, for the standby's reason. */
  leaseName?: string;
  /** Builds the guard around the manager's re-evaluation. */
  guard?: (onChange: () => void) => ActGuard;
  backoff?: FailureBackoffOptions;
  /** Called on every change of phase. */
  onStatus?: (status: ManagerStatus) => void;
}

interface Active {
  controller: AbortController;
  done: Promise<void>;
}

export class ControllerManager {
  readonly #options: ControllerManagerOptions;
  readonly #runnables: Runnable[] = [];
  readonly #leadership: Leadership | undefined;
  readonly #guard: ActGuard | undefined;
  #started = false;
  #leader = false;
  #active: Active[] | undefined;
  #transition: Promise<void> = Promise.resolve();
  #status: ManagerStatus = { phase: "stopped", reason: "not started", leader: false };

  constructor(options: ControllerManagerOptions) {
    this.#options = options;
    this.#leadership = options.elect?.({
      onStartedLeading: () => {
        this.#leader = true;
        this.#reevaluate();
      },
      onStoppedLeading: () => {
        this.#leader = false;
        this.#reevaluate();
      },
    });
    this.#guard = options.guard?.(() => this.#reevaluate());
  }

  /** Registers a runnable; it runs from the next time this replica starts acting. */
  add(runnable: Runnable): this {
    if (this.#runnables.some((r) => r.name === runnable.name))
      throw new Error(`a runnable named ${runnable.name} is already registered`);
    this.#runnables.push(runnable);
    return this;
  }

  get names(): string[] {
    return this.#runnables.map((r) => r.name);
  }

  get status(): ManagerStatus {
    return this.#status;
  }

  /** True while this replica holds the leader Lease (or leads alone), whether or not it may act. */
  get leader(): boolean {
    return this.#leader;
  }

  /** True while the runnables run. */
  get acting(): boolean {
    return this.#active !== undefined;
  }

  /** Judges the guard once, then competes for the lease (or leads at once without an elector). */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#guard?.start();
    if (this.#leadership) this.#leadership.start();
    else this.#leader = true;
    this.#reevaluate();
  }

  /**
   * Stops the runnables (each finishing its current action), then the guard and the elector — the lease released
   * only once nothing acts any more, so the next leader never overlaps this one.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#reevaluate();
    await this.#transition;
    await this.#guard?.stop();
    await this.#leadership?.stop(options);
    this.#leader = false;
    this.#setStatus({ phase: "stopped", reason: "stopped", leader: false });
  }

  #reevaluate(): void {
    this.#transition = this.#transition.then(() => this.#apply());
  }

  async #apply(): Promise<void> {
    const blocked = this.#guard?.blockedReason;
    const act = this.#started && this.#leader && blocked === undefined;
    if (act && !this.#active) this.#active = this.#runnables.map((r) => this.#supervise(r));
    if (!act && this.#active) {
      const active = this.#active;
      this.#active = undefined;
      for (const a of active) a.controller.abort();
      await Promise.all(active.map((a) => a.done));
    }
    if (!this.#started) return;
    const leader = this.#leader;
    if (blocked !== undefined) this.#setStatus({ phase: "passive", reason: blocked, leader });
    else if (act) {
      this.#setStatus({ phase: "leading", reason: `leading: running ${this.names.join(", ") || "nothing"}`, leader });
    } else {
      const lease = this.#options.leaseName ?? "";
      const reason = `standing by: the leader lease ${lease} is another replica's (or not yet tried)`;
      this.#setStatus({ phase: "standby", reason, leader });
    }
  }

  #setStatus(status: ManagerStatus): void {
    const same = status.phase === this.#status.phase && status.reason === this.#status.reason;
    if (same && status.leader === this.#status.leader) return;
    this.#status = status;
    if (same) {
      this.#options.onStatus?.(status);
      return;
    }
    const line = { phase: status.phase, reason: status.reason };
    if (status.phase === "passive") this.#options.logger.warn(line, "controller manager passive");
    else this.#options.logger.info(line, `controller manager ${status.phase}`);
    this.#options.onStatus?.(status);
  }

  /** Runs one runnable until aborted; a failure is logged and the runnable restarted after a backoff. */
  #supervise(runnable: Runnable): Active {
    const controller = new AbortController();
    const { signal } = controller;
    const { clock } = this.#options;
    const logger = this.#options.logger.child({ controller: runnable.name });
    const backoff = new FailureBackoff(this.#options.backoff);
    const done = (async () => {
      while (!signal.aborted) {
        logger.info("starting");
        try {
          await runnable.start({ signal, logger, clock });
          if (signal.aborted) break;
          throw new Error("returned while it should still run");
        } catch (error) {
          if (signal.aborted) break;
          const delayMs = backoff.when();
          logger.error(
            { err: error instanceof Error ? error.message : String(error), retryInMs: delayMs },
            "controller failed",
          );
          await abortableSleep(clock, delayMs, signal);
        }
      }
      logger.info("stopped");
    })();
    return { controller, done };
  }
}

function abortableSleep(clock: TimerClock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.afterFunc(ms, done);
    function done(): void {
      timer?.stop();
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
