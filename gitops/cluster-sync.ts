// Git → cluster: makes the cluster's NodePools and EC2NodeClasses what the last good commit says, through the
// Cluster port. Each object is applied with server-side apply under the `poolkeeper` field manager with `force`
// (Git is the source of truth: a field someone took with `kubectl edit` is taken back), holding only the fields Git
// sets, so Karpenter's hash annotations, finalizers and status are never touched. What to do is planned
// (cluster-plan.ts) over fresh reads of the objects concerned; the cache only lists what poolkeeper may have
// applied before. Every apply, drift, removal and prune goes to the status publisher, the log, the metrics and,
// for drift and removals, a Kubernetes Event on the object (`kubectl describe` shows it).
import type { Logger } from "pino";
import {
  apiVersionOfResource,
  isNotFound,
  type Cluster,
  type ClusterObject,
  type ClusterResource,
  type EventRecord,
} from "../api/index.ts";
import { describeDrift } from "./cluster-drift.ts";
import type { ClusterSyncMetrics } from "./cluster-metrics.ts";
import {
  FIELD_MANAGER,
  planClusterSync,
  type ApplyStep,
  type DesiredObject,
  type LiveObject,
  type ManagedKind,
  type Removal,
} from "./cluster-plan.ts";
import type { DesiredState } from "./gate.ts";
import { appliedBy } from "./field-ownership.ts";
import type { StatusPublisher } from "./status-publisher.ts";

// Literal types (`as const`), so the chart's RBAC test can read from the code which resources are called.
const RESOURCE = { NodePool: "nodepools", EC2NodeClass: "ec2nodeclasses" } as const satisfies Record<
  ManagedKind,
  ClusterResource
>;

/** The resources the cache must watch for a ClusterSync: `cluster.start(CLUSTER_SYNC_RESOURCES)`. */
export const CLUSTER_SYNC_RESOURCES = ["nodepools", "ec2nodeclasses"] as const satisfies readonly ClusterResource[];

export interface ClusterSyncOptions {
  cluster: Cluster;
  publisher?: StatusPublisher;
  logger: Logger;
  metrics?: ClusterSyncMetrics;
  /** The field manager; `poolkeeper`. */
  fieldManager?: string;
}

export interface ClusterSyncResult {
  created: string[];
  updated: string[];
  reverted: string[];
  pruned: string[];
  /** Removed from Git and left in place. */
  left: string[];
  /** `NodePool/x: <the API server's message>` for each write refused. */
  failed: string[];
}

export class ClusterSync {
  readonly #o: ClusterSyncOptions;
  readonly #manager: string;
  /** Removals already reported (by uid or name), so a pool left in place is one event, not one a minute. */
  readonly #reportedRemovals = new Set<string>();
  /** The drift reported for each object, so a change the apply cannot take back is not reported every sync. */
  readonly #reportedDrift = new Map<string, string>();

  constructor(options: ClusterSyncOptions) {
    this.#o = options;
    this.#manager = options.fieldManager ?? FIELD_MANAGER;
  }

  /** Applies `desired` (the last good state); never throws for the API server's refusals, which it reports. */
  async reconcile(desired: DesiredState): Promise<ClusterSyncResult> {
    const result: ClusterSyncResult = { created: [], updated: [], reverted: [], pruned: [], left: [], failed: [] };
    const objects = desiredObjects(desired);
    const live = await this.#liveObjects(objects, result);
    const prune = desired.config.prune;
    const plan = planClusterSync({ desired: objects, live, prune, manager: this.#manager });
    for (const step of plan.applies) await this.#apply(step, desired.sha, result);
    const left = new Map<ManagedKind, number>([
      ["NodePool", 0],
      ["EC2NodeClass", 0],
    ]);
    for (const removal of plan.removals) {
      if (removal.action === "keep") left.set(removal.kind, (left.get(removal.kind) ?? 0) + 1);
      await this.#remove(removal, desired.sha, result);
    }
    for (const [kind, count] of left) this.#o.metrics?.leftInPlace.set({ kind }, count);
    // Forget what is no longer true: a pool put back in Git and removed again is reported again.
    const stillLeft = new Set(plan.removals.filter((r) => r.action === "keep").map(removalKey));
    for (const k of this.#reportedRemovals) if (!stillLeft.has(k)) this.#reportedRemovals.delete(k);
    return result;
  }

  /** The desired objects as the API server has them now (fresh reads), and the cached ones Git no longer has. */
  async #liveObjects(objects: readonly DesiredObject[], result: ClusterSyncResult): Promise<LiveObject[]> {
    const { cluster, logger } = this.#o;
    const live: LiveObject[] = [];
    const wanted = new Set(objects.map((o) => `${o.kind}/${o.name}`));
    const candidates: { kind: ManagedKind; name: string }[] = [...objects];
    for (const kind of ["NodePool", "EC2NodeClass"] as const) {
      for (const cached of cluster.list(RESOURCE[kind])) {
        const name = cached.metadata.name ?? "";
        // Only what poolkeeper applied can be a removal; a fresh read confirms it.
        if (!wanted.has(`${kind}/${name}`) && appliedBy(cached, this.#manager)) candidates.push({ kind, name });
      }
    }
    for (const { kind, name } of candidates) {
      try {
        live.push({ kind, object: (await cluster.read(RESOURCE[kind], { name })) as ClusterObject });
      } catch (error) {
        if (isNotFound(error)) continue;
        logger.error({ kind, name, err: message(error) }, "cannot read the object from the API server");
        result.failed.push(`${kind}/${name}: ${message(error)}`);
      }
    }
    return live;
  }

  async #apply(step: ApplyStep, sha: string, result: ClusterSyncResult): Promise<void> {
    const { cluster, logger, metrics, publisher } = this.#o;
    const { kind, name } = step;
    const id = `${kind}/${name}`;
    const driftText = step.drift.map(describeDrift).join("; ");
    if (step.why === "drift" && this.#reportedDrift.get(id) !== driftText) {
      metrics?.drift.inc({ kind });
      logger.warn({ kind, name, drift: step.drift.map(describeDrift) }, "changed outside Git; reverting");
    }
    let applied: ClusterObject;
    try {
      applied = (await cluster.apply(RESOURCE[kind], step.object as ClusterObject, {
        fieldManager: this.#manager,
        force: true,
      })) as ClusterObject;
    } catch (error) {
      metrics?.applies.inc({ kind, result: "failed" });
      logger.error({ kind, name, err: message(error) }, "the API server refused the apply");
      result.failed.push(`${id}: ${message(error)}`);
      return;
    }
    const pool = kind === "NodePool" ? { pool: name } : {};
    if (step.why === "create") {
      metrics?.applies.inc({ kind, result: "created" });
      result.created.push(id);
      logger.info({ kind, name, sha }, "created from Git");
      publisher?.record({ kind: "applied", ...pool, reason: `created ${kind} ${name} from Git`, sourceSha: sha });
    } else if (step.why === "update" || step.why === "adopt") {
      metrics?.applies.inc({ kind, result: "updated" });
      result.updated.push(id);
      const fields = step.changes.map((c) => c.path.join(".")).join(", ");
      const what =
        step.why === "adopt"
          ? `adopted (it was not applied by poolkeeper before)${fields === "" ? "" : `; ${fields} set as Git says`}`
          : fields === ""
            ? "fields Git no longer sets removed"
            : `${fields} changed in Git`;
      logger.info({ kind, name, sha, fields }, "applied from Git");
      publisher?.record({ kind: "applied", ...pool, reason: `applied ${kind} ${name}: ${what}`, sourceSha: sha });
    } else {
      metrics?.applies.inc({ kind, result: "reverted" });
      result.reverted.push(id);
      if (this.#reportedDrift.get(id) !== driftText) {
        this.#reportedDrift.set(id, driftText);
        const reason = `${kind} ${name} changed outside Git: ${driftText}; reverted to Git`;
        publisher?.record({ kind: "reverted", ...pool, reason, sourceSha: sha });
        await this.#event(applied, kind, { type: "Warning", reason: "DriftReverted", message: reason });
      }
      return;
    }
    this.#reportedDrift.delete(id);
  }

  async #remove(removal: Removal, sha: string, result: ClusterSyncResult): Promise<void> {
    const { cluster, logger, metrics, publisher } = this.#o;
    const { kind, name } = removal;
    const id = `${kind}/${name}`;
    const pool = kind === "NodePool" ? { pool: name } : {};
    const reference = { metadata: { name, ...(removal.uid ? { uid: removal.uid } : {}) } } as ClusterObject;
    const reason = `${kind} ${name} ${removal.why}`;
    if (removal.action === "keep") {
      result.left.push(id);
      if (this.#reportedRemovals.has(removalKey(removal))) return;
      this.#reportedRemovals.add(removalKey(removal));
      logger.warn({ kind, name }, reason);
      publisher?.record({ kind: "removed", ...pool, reason, sourceSha: sha });
      await this.#event(reference, kind, { type: "Warning", reason: "RemovedFromGit", message: reason });
      return;
    }
    try {
      // Only the object poolkeeper saw: one re-created by someone since is not deleted.
      await cluster.delete(RESOURCE[kind], { name }, removal.uid ? { preconditions: { uid: removal.uid } } : {});
    } catch (error) {
      if (isNotFound(error)) return;
      logger.error({ kind, name, err: message(error) }, "the API server refused the deletion");
      result.failed.push(`${id}: ${message(error)}`);
      return;
    }
    metrics?.pruned.inc({ kind });
    result.pruned.push(id);
    logger.info({ kind, name }, reason);
    publisher?.record({ kind: "pruned", ...pool, reason, sourceSha: sha });
    await this.#event(reference, kind, { type: "Normal", reason: "Pruned", message: reason });
  }

  /** A Kubernetes Event on the object; a failure to record one is logged, never fatal. */
  async #event(object: ClusterObject, kind: ManagedKind, event: Omit<EventRecord, "involved">): Promise<void> {
    const involved = {
      apiVersion: apiVersionOfResource(RESOURCE[kind]),
      kind,
      name: object.metadata.name ?? "",
      ...(object.metadata.uid ? { uid: object.metadata.uid } : {}),
    };
    try {
      await this.#o.cluster.recordEvent({ involved, ...event });
    } catch (error) {
      this.#o.logger.warn({ kind, name: involved.name, err: message(error) }, "cannot record the event");
    }
  }
}

/** The NodePools and EC2NodeClasses of an accepted commit, as Git has them (converted to v1, not defaulted). */
export function desiredObjects(desired: DesiredState): DesiredObject[] {
  const objects: DesiredObject[] = [];
  for (const manifest of desired.manifests) {
    if (manifest.kind !== "NodePool" && manifest.kind !== "EC2NodeClass") continue;
    objects.push({ kind: manifest.kind, name: manifest.name, object: manifest.object });
  }
  return objects;
}

function removalKey(removal: Removal): string {
  return `${removal.kind}/${removal.name}/${removal.uid ?? ""}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
