// Watches another controller's leader Lease (Karpenter's) through the Cluster port, reading it past the cache
// every retry period, and says whether this replica may act. Fails closed: until the first read has answered,
// and while reads fail, it is not clear to act, and the reason says why.
import { isNotFound, type Cluster, type ObjectKey, type Timer, type TimerClock } from "../../api/index.ts";
import type { Logger } from "../../runtime/index.ts";
import { judgeForeignLease, type LeaseObservation } from "./foreign-lease.ts";

/** Karpenter's leader lease: controller-runtime's LeaderElectionID in its system namespace (kube-system by its install guide). */
export const KARPENTER_LEADER_LEASE = { namespace: "kube-system", name: "karpenter-leader-election" } as const;

export interface ForeignLeaseGuardOptions {
  cluster: Pick<Cluster, "read">;
  lease: Required<ObjectKey>;
  clock: TimerClock;
  /** Between reads; the leader election's retry period. */
  retryPeriodMs: number;
  /** Whose lease it is, for the reason (`Karpenter`). */
  owner: string;
  onChange?: () => void;
  logger?: Logger;
}

export class ForeignLeaseGuard {
  readonly #options: ForeignLeaseGuardOptions;
  #observation: LeaseObservation | undefined;
  /** Undefined: clear to act; otherwise why not. */
  #blocked: string | undefined = "not yet checked";
  #timer: Timer | undefined;
  #running = false;
  #check: Promise<void> = Promise.resolve();

  constructor(options: ForeignLeaseGuardOptions) {
    this.#options = options;
  }

  /** Why this replica must not act, or undefined when it may. */
  get blockedReason(): string | undefined {
    return this.#blocked;
  }

  /** Reads the lease now, then every retry period; resolves once the first read has been judged. */
  start(): Promise<void> {
    if (this.#running) return this.#check;
    this.#running = true;
    this.#tick();
    return this.#check;
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#timer?.stop();
    await this.#check;
  }

  #tick(): void {
    this.#check = this.#read().then((blocked) => {
      if (!this.#running) return;
      if (blocked !== this.#blocked) {
        this.#blocked = blocked;
        if (blocked === undefined) this.#options.logger?.info({ lease: this.#leaseName() }, "foreign lease free");
        else this.#options.logger?.warn({ lease: this.#leaseName(), reason: blocked }, "staying passive");
        this.#options.onChange?.();
      }
      this.#timer = this.#options.clock.afterFunc(this.#options.retryPeriodMs, () => this.#tick());
    });
  }

  async #read(): Promise<string | undefined> {
    const { cluster, lease, clock, owner } = this.#options;
    let found;
    try {
      found = await cluster.read("leases", lease);
    } catch (error) {
      if (!isNotFound(error)) {
        return `cannot read ${owner}'s leader lease ${this.#leaseName()}: ${(error as Error).message}`;
      }
    }
    const state = judgeForeignLease(found, this.#observation, clock.now());
    this.#observation = state.observation;
    if (!state.held) return undefined;
    return (
      `a ${owner} controller holds the leader lease ${this.#leaseName()} (holder ${state.holder}, ` +
      `unexpired until at least ${state.until.toISOString()}): two provisioners would launch nodes for the same pods`
    );
  }

  #leaseName(): string {
    return `${this.#options.lease.namespace}/${this.#options.lease.name}`;
  }
}
