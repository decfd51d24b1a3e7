// The status poolkeeper commits to the status branch: what the accepted source says about each NodePool (the
// spec summary, built here), slots the controller fills from the cluster, and the events that led there.
// Pure: no I/O, no clock.
import { budgetWindowDescription } from "../policies/index.ts";
import { describeDuration, parseDuration } from "../api/index.ts";
import { unlessInvalid } from "../api/index.ts";
import type { Budget, NodePool, NodeSelectorRequirementWithMinValues } from "../api/index.ts";
import type { Finding } from "../policies/index.ts";

export const STATUS_EVENT_KINDS = [
  "accepted",
  "rejected",
  "provisioned",
  // Provisioning: a batch's pods left unschedulable, with their explanations.
  "pending",
  "drained",
  "consolidated",
  "expired",
  "drifted",
  // Disruption: a node considered and not acted on, with why; a pool's rollout progress (n of m nodes current).
  "disruption-blocked",
  "rollout",
  "interrupted",
  // The NodeClaim lifecycle's launch and registration timeouts, and garbage collection between cloud and cluster.
  "timed-out",
  "garbage-collected",
  "fetch-failed",
  "rewritten",
  // Git → cluster (cluster-sync.ts) and what Karpenter did beside it (karpenter-audit.ts).
  "applied",
  "reverted",
  "removed",
  "pruned",
  "initialized",
  "paused",
  "resumed",
] as const;

export type StatusEventKind = (typeof STATUS_EVENT_KINDS)[number];

export interface StatusEvent {
  /** ISO 8601 time, UTC (`2025-01-02T03:04:05Z`). */
  time: string;
  kind: StatusEventKind;
  pool?: string;
  node?: string;
  /** One sentence. Must not carry secrets: it is copied into commit trailers. */
  reason: string;
  sourceSha?: string;
}

/** ISO 8601 UTC to the second (`2026-11-25T10:00:00Z`): the form of every time in status and history. */
export function isoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface StatusSource {
  /** The accepted (last good) source commit; "" when no commit was ever accepted. */
  sha: string;
  /** Whether the newest source commit was accepted (false: `rejectedSha` was denied, `sha` still applies). */
  accepted: boolean;
  findings: Finding[];
  rejectedSha?: string;
  rejectedReason?: string;
}

export interface StatusModel {
  cluster: string;
  source: StatusSource;
  pools: PoolStatus[];
  events: StatusEvent[];
}

/** `spec.limits`, as written (Kubernetes quantities). */
export interface PoolLimits {
  cpu?: string;
  memory?: string;
  nodes?: string;
  /** Any other resource limit, by resource name. */
  other?: Record<string, string>;
}

export interface BudgetSummary {
  /** `nodes` as written: "10%", "0", "5". */
  nodes: string;
  /** Reasons the budget applies to; empty means all. */
  reasons: string[];
  /** When the budget is active, in plain words ("always", "Mon–Fri 09:00–21:00 UTC", or why it is invalid). */
  window: string;
}

/** Resource amounts in use, as Kubernetes quantities (filled by the controller). */
export interface PoolUsage {
  cpu?: string;
  memory?: string;
  nodes?: number;
}

export interface PoolNodeCounts {
  byInstanceType: Record<string, number>;
  byZone: Record<string, number>;
  byCapacityType: Record<string, number>;
}

/** Of a pool's nodes (those its usage counts), how many have drifted from what would be launched for it now. */
export interface DriftProgress {
  drifted: number;
  total: number;
}

export interface PoolStatus {
  name: string;
  /** `<kind>/<name>` of the node class (`EC2NodeClass/default`). */
  nodeClass: string;
  limits: PoolLimits;
  /** "instance-category In [c, m, r]", "capacity-type Exists", with " (minValues 2)" when set. */
  requirements: string[];
  budgets: BudgetSummary[];
  weight?: number;
  /** Plain words: "30 days", "never". */
  expireAfter: string;
  consolidation: { policy: string; after: string };
  // Filled by the controller from the cluster (PoolLiveStatus); absent until then.
  nodes?: PoolNodeCounts;
  usage?: PoolUsage;
  hourlyCostUsd?: number;
  /** Nodes whose launched offering has no known price, left out of `hourlyCostUsd`. */
  unpricedNodes?: number;
  drift?: DriftProgress;
}

/**
 * What the cluster says of a NodePool, for its status (Karpenter's NodePool `status.resources` and `status.nodes`,
 * core:pkg/controllers/nodepool/counter): its nodes by instance type, zone and capacity type, the capacity they count
 * against the pool's limits, and what they cost per hour.
 */
export interface PoolLiveStatus {
  nodes: PoolNodeCounts;
  usage: PoolUsage;
  hourlyCostUsd: number;
  unpricedNodes: number;
  /** Absent when the source cannot tell yet (`run` knows it from its disruption pass). */
  drift?: DriftProgress;
}

/** A pool the cluster runs no node of, as its status says once the controller has looked. */
export const NO_LIVE_STATUS: PoolLiveStatus = {
  nodes: { byInstanceType: {}, byZone: {}, byCapacityType: {} },
  usage: { cpu: "0", memory: "0", nodes: 0 },
  hourlyCostUsd: 0,
  unpricedNodes: 0,
};

/** The pools with the cluster's figures filled in; every pool, since one missing from `live` runs no node. */
export function withLiveStatus(pools: readonly PoolStatus[], live: ReadonlyMap<string, PoolLiveStatus>): PoolStatus[] {
  return pools.map((pool) => {
    const { nodes, usage, hourlyCostUsd, unpricedNodes, drift } = live.get(pool.name) ?? NO_LIVE_STATUS;
    const filled: PoolStatus = { ...pool, nodes, usage, hourlyCostUsd };
    if (unpricedNodes > 0) filled.unpricedNodes = unpricedNodes;
    if (drift !== undefined) filled.drift = drift;
    return filled;
  });
}

/** The spec summary of a NodePool (karpenter.sh/v1, defaults applied). */
export function summarizePool(nodePool: NodePool): PoolStatus {
  const spec = nodePool.spec;
  const template = spec.template.spec;
  const ref = template.nodeClassRef;
  const disruption = spec.disruption;
  const status: PoolStatus = {
    name: nodePool.metadata.name ?? "",
    nodeClass: `${ref.kind}/${ref.name}`,
    limits: summarizeLimits(spec.limits ?? {}),
    requirements: template.requirements.map(describeRequirement).sort(),
    budgets: (disruption?.budgets ?? [{ nodes: "10%" }]).map(summarizeBudget).sort(compareBudgets),
    expireAfter: durationWords(template.expireAfter ?? "720h"),
    consolidation: {
      policy: disruption?.consolidationPolicy ?? "WhenEmptyOrUnderutilized",
      after: durationWords(disruption?.consolidateAfter ?? "0s"),
    },
  };
  if (spec.weight !== undefined) status.weight = spec.weight;
  return status;
}

function summarizeLimits(limits: Record<string, number | string>): PoolLimits {
  const result: PoolLimits = {};
  const other: Record<string, string> = {};
  for (const key of Object.keys(limits).sort()) {
    const value = String(limits[key]);
    if (key === "cpu" || key === "memory" || key === "nodes") result[key] = value;
    else other[key] = value;
  }
  if (Object.keys(other).length > 0) result.other = other;
  return result;
}

const WELL_KNOWN_PREFIXES = ["karpenter.k8s.aws/", "karpenter.sh/", "node.kubernetes.io/", "topology.kubernetes.io/"];

/** "instance-category In [c, m, r]": the key without its well-known prefix, the operator, the values. */
export function describeRequirement(requirement: NodeSelectorRequirementWithMinValues): string {
  let key = requirement.key;
  for (const prefix of WELL_KNOWN_PREFIXES) {
    if (key.startsWith(prefix)) key = key.slice(prefix.length);
  }
  const values = requirement.values ?? [];
  const operand =
    requirement.operator === "Exists" || requirement.operator === "DoesNotExist"
      ? ""
      : values.length === 1 && requirement.operator !== "In" && requirement.operator !== "NotIn"
        ? ` ${values[0] ?? ""}`
        : ` [${[...values].sort().join(", ")}]`;
  const min = requirement.minValues === undefined ? "" : ` (minValues ${requirement.minValues})`;
  return `${key} ${requirement.operator}${operand}${min}`;
}

function summarizeBudget(budget: Budget): BudgetSummary {
  return { nodes: budget.nodes, reasons: [...(budget.reasons ?? [])].sort(), window: budgetWindow(budget) };
}

function budgetWindow(budget: Budget): string {
  if (budget.schedule === undefined) return "always";
  try {
    return budgetWindowDescription(budget.schedule, budget.duration ?? "");
  } catch (error) {
    return `invalid (Karpenter allows no disruption): ${error instanceof Error ? error.message : String(error)}`;
  }
}

function compareBudgets(a: BudgetSummary, b: BudgetSummary): number {
  const ka = JSON.stringify([a.window, a.nodes, a.reasons]);
  const kb = JSON.stringify([b.window, b.nodes, b.reasons]);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function durationWords(text: string): string {
  if (text === "Never") return "never";
  return unlessInvalid(() => describeDuration(parseDuration(text))) ?? text;
}
