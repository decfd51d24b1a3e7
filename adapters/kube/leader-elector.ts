// Lease-based leader election, as client-go's tools/leaderelection (LeaderElector.tryAcquireOrRenew, renew,
// release): a candidate creates the Lease or takes it over only once it has expired — measured from when this
// candidate last saw the record change, never from the holder's clock (so clock skew cannot end a live lease);
// the leader renews every retry period and steps down when it could not renew for the renew deadline; stop()
// releases the lease (holder cleared, duration 1 s) so the next candidate need not wait for it to expire. Every
// duration runs on the TimerClock. Codes against the Cluster port, so it runs over the API server and in process.
import { isConflict, isNotFound, type Cluster, type Lease, type Timer, type TimerClock } from "../../api/index.ts";
import type { Logger } from "../../runtime/index.ts";

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** This candidate's identity (Karpenter: the pod name plus a random suffix). */
  identity: string;
  clock: TimerClock;
  /** How long a lease lasts unrenewed; controller-runtime's 15 s by default. */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it steps down; 10 s by default. */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew; 2 s by default. */
  retryPeriodMs?: number;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  logger?: Logger;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class LeaderElector {
  readonly #cluster: Pick<Cluster, "read" | "create" | "update">;
  readonly #options: Required<Omit<LeaderElectionOptions, "logger" | "onStartedLeading" | "onStoppedLeading">> &
    LeaderElectionOptions;
  #leader = false;
  #running = false;
  #timer: Timer | undefined;
  #attempt: Promise<void> = Promise.resolve();
  /** The record as last seen, and when (by this candidate's clock) it was seen to change. */
  #observedRecord = "";
  #observedTime = 0;
  #observedLease: Lease | undefined;
  #lastRenew = 0;

  constructor(cluster: Pick<Cluster, "read" | "create" | "update">, options: LeaderElectionOptions) {
    this.#cluster = cluster;
    this.#options = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = this.#options;
    // client-go's NewLeaderElector checks the same ordering.
    if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs && retryPeriodMs > 0)) {
      throw new RangeError(
        `leader election needs leaseDuration > renewDeadline > retryPeriod > 0 (${leaseDurationMs}, ${renewDeadlineMs}, ${retryPeriodMs} ms)`,
      );
    }
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  /** Starts trying to acquire the lease at once, then every retry period; renews it while leading. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#tick();
  }

  /**
   * Stops trying; a leader is told it stopped leading and releases the lease (ReleaseOnCancel, which Karpenter
   * sets) unless `release` is false, when the lease is left to expire as after a crash.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.#running = false;
    this.#timer?.stop();
    await this.#attempt;
    if (!this.#leader) return;
    if (options.release !== false) await this.#release();
    this.#stepDown();
  }

  #tick(): void {
    this.#attempt = this.#tryAcquireOrRenew().then((ok) => {
      if (!this.#running) return;
      const now = this.#options.clock.now().getTime();
      if (ok) {
        this.#lastRenew = now;
        if (!this.#leader) {
          this.#leader = true;
          this.#options.logger?.info({ lease: this.#options.name, identity: this.#options.identity }, "leading");
          this.#options.onStartedLeading?.();
        }
      } else if (this.#leader && now - this.#lastRenew >= this.#options.renewDeadlineMs) {
        this.#options.logger?.warn({ lease: this.#options.name }, "failed to renew the lease within its deadline");
        this.#stepDown();
      }
      this.#timer = this.#options.clock.afterFunc(this.#nextAttemptIn(now), () => this.#tick());
    });
  }

  /**
   * A retry period; for a standby, no later than the moment the lease it saw expires (by its own observation),
   * so that it takes over within a lease duration and a retry period of the last renewal it saw even when each
   * attempt's request takes a while (retry periods measured after the request drift by its latency).
   */
  #nextAttemptIn(now: number): number {
    const { retryPeriodMs, identity } = this.#options;
    const spec = this.#observedLease?.spec;
    if (this.#leader || spec === undefined || (spec.holderIdentity ?? "") === "" || spec.holderIdentity === identity) {
      return retryPeriodMs;
    }
    const expiresIn = this.#observedTime + (spec.leaseDurationSeconds ?? 0) * 1000 - now;
    return expiresIn > 0 ? Math.min(retryPeriodMs, expiresIn) : retryPeriodMs;
  }

  #stepDown(): void {
    this.#leader = false;
    this.#options.onStoppedLeading?.();
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, clock, leaseDurationMs } = this.#options;
    const now = clock.now();
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let lease: Lease;
    try {
      lease = await this.#cluster.read("leases", { namespace, name });
    } catch (error) {
      if (!isNotFound(error)) return this.#failed(error);
      try {
        this.#observe(
          await this.#cluster.create("leases", {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { namespace, name },
            spec,
          }),
          now,
        );
        return true;
      } catch (createError) {
        return this.#failed(createError);
      }
    }
    const current = lease.spec ?? {};
    if (JSON.stringify(current) !== this.#observedRecord) this.#observe(lease, now);
    const holder = current.holderIdentity ?? "";
    const duration = (current.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== "" && holder !== identity && this.#observedTime + duration > now.getTime()) return false;
    if (holder === identity) {
      spec.acquireTime = current.acquireTime ?? spec.acquireTime;
      spec.leaseTransitions = current.leaseTransitions ?? 0;
    } else {
      spec.leaseTransitions = (current.leaseTransitions ?? 0) + 1;
    }
    try {
      this.#observe(await this.#cluster.update("leases", { ...lease, spec }), now);
      return true;
    } catch (error) {
      return this.#failed(error);
    }
  }

  async #release(): Promise<void> {
    const lease = this.#observedLease;
    if (!lease || lease.spec?.holderIdentity !== this.#options.identity) return;
    const now = microTime(this.#options.clock.now());
    try {
      await this.#cluster.update("leases", {
        ...lease,
        spec: {
          holderIdentity: "",
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: lease.spec.leaseTransitions ?? 0,
        },
      });
    } catch (error) {
      this.#options.logger?.warn({ lease: this.#options.name, error: (error as Error).message }, "failed to release");
    }
  }

  #observe(lease: Lease, at: Date): void {
    this.#observedLease = lease;
    this.#observedRecord = JSON.stringify(lease.spec ?? {});
    this.#observedTime = at.getTime();
  }

  #failed(error: unknown): false {
    if (!isConflict(error)) {
      this.#options.logger?.warn(
        { lease: this.#options.name, error: (error as Error).message },
        "lease request failed",
      );
    }
    return false;
  }
}
