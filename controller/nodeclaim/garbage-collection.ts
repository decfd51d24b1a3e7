/**
 * Garbage collection both ways between the cloud and the cluster (Karpenter's core:pkg/controllers/nodeclaim/
 * garbagecollection and the AWS provider's instance garbage collection): an instance the cloud provider lists for
 * this cluster with no NodeClaim naming it (by name or provider ID) for longer than a grace period is terminated
 * through `cloudProvider.delete`; a launched NodeClaim whose instance the provider no longer has (`get` says
 * NodeClaimNotFoundError), past the same grace, is deleted. The grace covers EC2's eventually consistent Describe
 * calls and a launch whose NodeClaim status is still being written.
 */
import type { Cluster, NodeClaim, Timer, TimerClock } from "../../api/index.ts";
import { isNotFound } from "../../api/index.ts";
import { type CloudProvider, findError, NodeClaimNotFoundError } from "../../cloudprovider/index.ts";
import type { Logger } from "../../runtime/index.ts";
import { InFlight } from "../in-flight.ts";
import { CONDITION_LAUNCHED, trueSince } from "../state/index.ts";
import { type NodeClaimStatusSink, poolOf } from "./status-sink.ts";

export const GARBAGE_COLLECTION_INTERVAL_MS = 2 * 60_000;
export const GARBAGE_COLLECTION_GRACE_MS = 60_000;

export interface GarbageCollectionOptions {
  readonly cluster: Pick<Cluster, "list" | "delete">;
  readonly cloudProvider: CloudProvider;
  readonly clock: TimerClock;
  readonly intervalMs?: number;
  readonly gracePeriodMs?: number;
  readonly logger?: Logger;
  /** Told of each instance terminated and each NodeClaim deleted (metrics). */
  readonly onCollected?: (what: "instance" | "nodeclaim") => void;
  /** Told the same, with why, for the Git status report. */
  readonly status?: NodeClaimStatusSink;
}

export interface Collected {
  /** Provider IDs of the leaked instances terminated. */
  readonly instances: readonly string[];
  /** Names of the NodeClaims deleted because their instance is gone. */
  readonly nodeClaims: readonly string[];
}

export class NodeClaimGarbageCollection {
  readonly #o: GarbageCollectionOptions;
  readonly #inFlight = new InFlight();
  #timer: Timer | undefined;
  #stopped = true;

  constructor(options: GarbageCollectionOptions) {
    this.#o = options;
  }

  /** Collects every interval from now on. */
  start(): this {
    this.#stopped = false;
    this.#arm();
    return this;
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.stop();
    this.#timer = undefined;
  }

  idle(): Promise<void> {
    return this.#inFlight.idle();
  }

  /** Whether a reconcile is under way. */
  get busy(): boolean {
    return this.#inFlight.busy;
  }

  async collect(): Promise<Collected> {
    const { cluster, cloudProvider, clock } = this.#o;
    const grace = this.#o.gracePeriodMs ?? GARBAGE_COLLECTION_GRACE_MS;
    const now = clock.now().getTime();
    const instances = await cloudProvider.list();
    const claims = cluster.list("nodeclaims");
    const names = new Set(claims.map((c) => c.metadata.name));
    const providerIDs = new Set<string | undefined>(claims.map((c) => c.status?.providerID));
    providerIDs.delete(undefined);
    const leaked = instances.filter(
      (instance) =>
        !names.has(instance.metadata.name) &&
        !providerIDs.has(instance.status?.providerID) &&
        now - Date.parse(instance.metadata.creationTimestamp ?? "") >= grace,
    );
    const terminated: string[] = [];
    for (const instance of leaked) {
      const providerID = instance.status?.providerID ?? "";
      try {
        await cloudProvider.delete(instance);
      } catch (error) {
        if (findError(error, NodeClaimNotFoundError) === undefined) throw error;
        continue;
      }
      terminated.push(providerID);
      this.#o.onCollected?.("instance");
      this.#o.status?.record({
        kind: "garbage-collected",
        ...poolOf(instance),
        ...(instance.metadata.name ? { node: instance.metadata.name } : {}),
        reason:
          `terminated instance ${providerID}: tagged for this cluster with no NodeClaim naming it for ` +
          `${seconds(grace)} (leaked)`,
      });
      this.#o.logger?.info({ providerID, nodeClaim: instance.metadata.name }, "terminated instance with no nodeclaim");
    }
    const listed = new Set(instances.map((i) => i.status?.providerID));
    const orphaned = claims.filter((claim) => this.#instanceMayBeGone(claim, listed, now, grace));
    const deleted: string[] = [];
    for (const claim of orphaned) {
      const name = claim.metadata.name ?? "";
      try {
        await cloudProvider.get(claim.status?.providerID ?? "");
        continue; // listed late: EC2's Describe is eventually consistent
      } catch (error) {
        if (findError(error, NodeClaimNotFoundError) === undefined) throw error;
      }
      let ours = true;
      try {
        await cluster.delete("nodeclaims", { name });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        ours = false; // deleted meanwhile by someone else: not this collection's to report in Git
      }
      deleted.push(name);
      this.#o.onCollected?.("nodeclaim");
      if (ours)
        this.#o.status?.record({
          kind: "garbage-collected",
          ...poolOf(claim),
          node: name,
          reason: `deleted NodeClaim ${name}: its instance ${claim.status?.providerID ?? ""} no longer exists`,
        });
      this.#o.logger?.info(
        { nodeClaim: name, providerID: claim.status?.providerID },
        "deleted nodeclaim whose instance is gone",
      );
    }
    return { instances: terminated, nodeClaims: deleted };
  }

  #instanceMayBeGone(claim: NodeClaim, listed: ReadonlySet<string | undefined>, now: number, grace: number): boolean {
    const providerID = claim.status?.providerID;
    if (!providerID || claim.metadata.deletionTimestamp || listed.has(providerID)) return false;
    const launchedAt = trueSince(claim, CONDITION_LAUNCHED);
    return launchedAt !== undefined && now - launchedAt.getTime() >= grace;
  }

  #arm(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock
      .afterFunc(this.#o.intervalMs ?? GARBAGE_COLLECTION_INTERVAL_MS, () => {
        void this.#inFlight
          .track(this.collect())
          .catch((error: unknown) => this.#o.logger?.error({ error: String(error) }, "garbage collection failed"))
          .finally(() => this.#arm());
      })
      .unref();
  }
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}
