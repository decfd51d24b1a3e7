// The audit trail beside Karpenter (policy mode, `sync --apply`): what Karpenter did with the pools poolkeeper
// applied, recorded in the status branch — each NodeClaim created, initialized, and disrupted with its reason —
// which Karpenter's own logs and metrics do not give per node (kubernetes-sigs/karpenter#2332). Read from NodeClaims
// (their conditions: `Initialized`, `DisruptionReason`) and Karpenter's Events (`DisruptionTerminating` with
// "Disrupting NodeClaim: <reason>", the interruption events), watched through the Cluster port. Each happening is
// recorded exactly once: keyed by what happened to which NodeClaim, with the keys the status branch already holds
// seeded at start, so a restart or a new leader re-reading every NodeClaim records only what is missing.
import type { Logger } from "pino";
import type { Cluster, ClusterChange, KubeEvent, NodeClaim } from "../api/index.ts";
import type { ClusterSyncMetrics } from "./cluster-metrics.ts";
import type { HistoryEntry } from "./history.ts";
import type { StatusEventKind } from "./status-model.ts";
import type { StatusPublisher } from "./status-publisher.ts";
import { isoSeconds } from "./status-render.ts";

/** What the audit watches: `cluster.start(KARPENTER_AUDIT_RESOURCES)`. */
export const KARPENTER_AUDIT_RESOURCES = ["nodeclaims", "events"] as const;

export interface AuditRecord {
  /** What happened to which NodeClaim: `provisioned/<name>`, `initialized/<name>`, `disrupted/<name>`. */
  key: string;
  kind: StatusEventKind;
  node: string;
  pool?: string;
  reason: string;
  time?: string;
}

const NODEPOOL_LABEL = "karpenter.sh/nodepool";

/** The status kind of a disruption reason: Karpenter's reasons in the status branch's words. */
export function disruptionKind(reason: string): StatusEventKind {
  switch (reason) {
    case "Underutilized":
    case "Empty":
      return "consolidated";
    case "Drifted":
    case "Drift":
      return "drifted";
    case "Expired":
      return "expired";
    default:
      return /interrupt|spot|rebalance|instance(stopping|terminating)|scheduledchange/i.test(reason)
        ? "interrupted"
        : "drained";
  }
}

const DISRUPTION_KINDS = new Set<StatusEventKind>(["consolidated", "drifted", "expired", "interrupted", "drained"]);

/** Karpenter's interruption events on a NodeClaim (aws:pkg/controllers/interruption/events). */
const INTERRUPTION_EVENTS = new Set([
  "SpotInterrupted",
  "SpotRebalanceRecommendation",
  "InstanceStopping",
  "InstanceTerminating",
  "InstanceUnhealthy",
]);

function stamp(time: string | undefined): string | undefined {
  if (time === undefined) return undefined;
  const at = new Date(time);
  return Number.isNaN(at.getTime()) ? undefined : isoSeconds(at);
}

function poolOf(nodeClaim: NodeClaim | undefined): { pool?: string } {
  const pool = nodeClaim?.metadata.labels?.[NODEPOOL_LABEL];
  return pool === undefined ? {} : { pool };
}

/** What a NodeClaim's current state says happened: created, initialized, chosen for disruption. Pure. */
export function nodeClaimRecords(nodeClaim: NodeClaim): AuditRecord[] {
  const name = nodeClaim.metadata.name ?? "";
  const pool = poolOf(nodeClaim);
  const labels = nodeClaim.metadata.labels ?? {};
  const records: AuditRecord[] = [];
  const created = stamp(nodeClaim.metadata.creationTimestamp);
  records.push({
    key: `provisioned/${name}`,
    kind: "provisioned",
    node: name,
    ...pool,
    reason: `Karpenter created NodeClaim ${name}${pool.pool === undefined ? "" : ` for NodePool ${pool.pool}`}`,
    ...(created ? { time: created } : {}),
  });
  const conditions = nodeClaim.status?.conditions ?? [];
  const initialized = conditions.find((c) => c.type === "Initialized" && c.status === "True");
  if (initialized) {
    const type = labels["node.kubernetes.io/instance-type"];
    const zone = labels["topology.kubernetes.io/zone"];
    const capacity = labels["karpenter.sh/capacity-type"];
    const shape = [type, zone, capacity].filter((p) => p !== undefined).join(", ");
    const node = nodeClaim.status?.nodeName;
    const time = stamp(initialized.lastTransitionTime);
    records.push({
      key: `initialized/${name}`,
      kind: "initialized",
      node: name,
      ...pool,
      reason: `NodeClaim ${name} initialized${node ? ` as node ${node}` : ""}${shape ? ` (${shape})` : ""}`,
      ...(time ? { time } : {}),
    });
  }
  const disruption = conditions.find((c) => c.type === "DisruptionReason" && c.status === "True");
  if (disruption?.reason) {
    const time = stamp(disruption.lastTransitionTime);
    records.push({
      key: `disrupted/${name}`,
      kind: disruptionKind(disruption.reason),
      node: name,
      ...pool,
      reason: `Karpenter disrupted NodeClaim ${name}: ${disruption.reason}`,
      ...(time ? { time } : {}),
    });
  }
  return records;
}

/** What one of Karpenter's Events about a NodeClaim says happened, if anything of the audit's. Pure. */
export function eventRecord(event: KubeEvent, nodeClaim: NodeClaim | undefined): AuditRecord | undefined {
  const involved = event.involvedObject;
  if (involved.kind !== "NodeClaim" || !involved.name) return undefined;
  const name = involved.name;
  const time = stamp(event.lastTimestamp ?? event.firstTimestamp ?? event.metadata.creationTimestamp);
  const base = { key: `disrupted/${name}`, node: name, ...poolOf(nodeClaim), ...(time ? { time } : {}) };
  const reason = event.reason ?? "";
  if (reason === "DisruptionTerminating") {
    const why = /:\s*(\S+)\s*$/.exec(event.message ?? "")?.[1] ?? "unknown";
    return { ...base, kind: disruptionKind(why), reason: `Karpenter disrupted NodeClaim ${name}: ${why}` };
  }
  if (INTERRUPTION_EVENTS.has(reason)) {
    return { ...base, kind: "interrupted", reason: `Karpenter drained NodeClaim ${name}: ${reason}` };
  }
  return undefined;
}

/** The keys of what the status branch already records for this cluster. */
export function recordedKeys(entries: readonly HistoryEntry[], cluster: string): Set<string> {
  const keys = new Set<string>();
  for (const entry of entries) {
    if (entry.cluster !== cluster) continue;
    for (const event of entry.events) {
      if (event.node === undefined) continue;
      if (event.kind === "provisioned" || event.kind === "initialized") keys.add(`${event.kind}/${event.node}`);
      else if (DISRUPTION_KINDS.has(event.kind)) keys.add(`disrupted/${event.node}`);
    }
  }
  return keys;
}

export interface KarpenterAuditOptions {
  cluster: Cluster;
  /** The cluster's name in the status branch (poolkeeper.yaml's `cluster`). */
  clusterName: string;
  publisher: StatusPublisher;
  /** The status branch's history, to seed what is already recorded. */
  history: () => Promise<HistoryEntry[]>;
  logger: Logger;
  metrics?: ClusterSyncMetrics;
}

/** Bound on the keys kept in memory; the oldest are forgotten first (their NodeClaims are long gone). */
const MAX_KEYS = 100_000;

export class KarpenterAudit {
  readonly #o: KarpenterAuditOptions;
  readonly #recorded = new Set<string>();
  #unsubscribe: (() => void)[] = [];

  constructor(options: KarpenterAuditOptions) {
    this.#o = options;
  }

  /** Seeds from the status branch, then records what the NodeClaims and Events show, now and as they change. */
  async start(): Promise<void> {
    const { cluster, history, clusterName, logger } = this.#o;
    for (const key of recordedKeys(await history(), clusterName)) this.#remember(key);
    this.#unsubscribe = [
      cluster.onChange("nodeclaims", (change) => this.#onNodeClaim(change)),
      cluster.onChange("events", (change) => {
        if (change.type !== "deleted") this.#onEvent(change.object);
      }),
    ];
    for (const nodeClaim of cluster.list("nodeclaims")) this.#record(nodeClaimRecords(nodeClaim));
    for (const event of cluster.list("events")) this.#onEvent(event);
    logger.info({ known: this.#recorded.size }, "recording what Karpenter does in the status branch");
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
  }

  #onNodeClaim(change: ClusterChange<NodeClaim>): void {
    if (change.type !== "deleted") {
      this.#record(nodeClaimRecords(change.object));
      return;
    }
    const records = nodeClaimRecords(change.object);
    const name = change.object.metadata.name ?? "";
    // Gone without a disruption reason seen (deleted by hand, or the reason's event was missed).
    if (!records.some((r) => r.key === `disrupted/${name}`)) {
      records.push({
        key: `disrupted/${name}`,
        kind: "drained",
        node: name,
        ...poolOf(change.object),
        reason: `NodeClaim ${name} deleted; Karpenter gave no disruption reason`,
      });
    }
    this.#record(records);
  }

  #onEvent(event: KubeEvent): void {
    const name = event.involvedObject.name;
    const nodeClaim = name ? this.#o.cluster.get("nodeclaims", { name }) : undefined;
    const record = eventRecord(event, nodeClaim);
    if (record) this.#record([record]);
  }

  #record(records: readonly AuditRecord[]): void {
    for (const { key, ...event } of records) {
      if (this.#recorded.has(key)) continue;
      this.#remember(key);
      this.#o.metrics?.audited.inc({ event: event.kind });
      this.#o.logger.info({ event: event.kind, nodeClaim: event.node, pool: event.pool }, event.reason);
      this.#o.publisher.record(event);
    }
  }

  #remember(key: string): void {
    this.#recorded.add(key);
    if (this.#recorded.size > MAX_KEYS) {
      const oldest = this.#recorded.values().next().value;
      if (oldest !== undefined) this.#recorded.delete(oldest);
    }
  }
}
