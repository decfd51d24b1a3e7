/**
 * What disruption reads off one node's Node and NodeClaim, once per pass: its pool, instance type, capacity type,
 * zone and price, and the times and conditions the candidate filter, budgets and consolidateAfter look at
 * (Karpenter's `state.StateNode` accessors).
 */
import type { Condition } from "../../api/index.ts";
import { type InstanceType, LABEL_CAPACITY_TYPE, LABEL_INSTANCE_TYPE, LABEL_ZONE } from "../../cloudprovider/index.ts";
import { DISRUPTED_NO_SCHEDULE_TAINT } from "../../scheduling/index.ts";
import { LABEL_NODE_POOL } from "../provisioning/index.ts";
import type { DisruptionNode } from "./snapshot.ts";

export const CONDITION_INITIALIZED = "Initialized";
export const CONDITION_INSTANCE_TERMINATING = "InstanceTerminating";
export const CONDITION_DISRUPTION_REASON = "DisruptionReason";
export const CONDITION_DRIFTED = "Drifted";

export interface NodeFacts {
  /** The Node's name. */
  readonly name: string;
  readonly nodeClaim: string;
  readonly nodePool: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly instanceType: string | undefined;
  readonly capacityType: string | undefined;
  readonly zone: string | undefined;
  /** USD per hour of the node's offering (its type, zone and capacity type), undefined when unknown. */
  readonly price: number | undefined;
  readonly createdAtMs: number;
  /** When the NodeClaim became Initialized; undefined while it is not. */
  readonly initializedAtMs: number | undefined;
  /** `status.lastPodEventTime`: a non-DaemonSet pod last bound to or left the node. */
  readonly lastPodEventMs: number | undefined;
  /** The Node or the NodeClaim has a deletionTimestamp. */
  readonly deleting: boolean;
  readonly instanceTerminating: boolean;
  readonly ready: boolean;
  /** The NodeClaim's `DisruptionReason` condition: a command has taken it. */
  readonly disruptionReason: string | undefined;
  readonly disruptedTaint: boolean;
  readonly source: DisruptionNode;
}

export function conditionOf(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

function timeMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

export function nodeFacts(
  source: DisruptionNode,
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
): NodeFacts {
  const { node, nodeClaim } = source;
  const labels = { ...(nodeClaim.metadata.labels ?? {}), ...(node.metadata.labels ?? {}) };
  const nodePool = labels[LABEL_NODE_POOL];
  const instanceType = labels[LABEL_INSTANCE_TYPE];
  const capacityType = labels[LABEL_CAPACITY_TYPE];
  const zone = labels[LABEL_ZONE];
  const conditions = nodeClaim.status?.conditions as Condition[] | undefined;
  const initialized = conditionOf(conditions, CONDITION_INITIALIZED);
  const reason = conditionOf(conditions, CONDITION_DISRUPTION_REASON);
  const terminating = conditionOf(conditions, CONDITION_INSTANCE_TERMINATING);
  const nodeReady = conditionOf(node.status?.conditions, "Ready");
  return {
    name: node.metadata.name ?? "",
    nodeClaim: nodeClaim.metadata.name ?? "",
    nodePool,
    labels,
    instanceType,
    capacityType,
    zone,
    price: offeringPrice(nodePool, instanceType, zone, capacityType, instanceTypes),
    createdAtMs: timeMs(nodeClaim.metadata.creationTimestamp) ?? 0,
    initializedAtMs: initialized?.status === "True" ? (timeMs(initialized.lastTransitionTime) ?? 0) : undefined,
    lastPodEventMs: timeMs(nodeClaim.status?.lastPodEventTime),
    deleting: node.metadata.deletionTimestamp !== undefined || nodeClaim.metadata.deletionTimestamp !== undefined,
    instanceTerminating: terminating?.status === "True",
    ready: nodeReady?.status === "True",
    disruptionReason: reason?.status === "True" ? (reason.reason ?? "") : undefined,
    disruptedTaint: (node.spec?.taints ?? []).some(
      (t) => t.key === DISRUPTED_NO_SCHEDULE_TAINT.key && t.effect === DISRUPTED_NO_SCHEDULE_TAINT.effect,
    ),
    source,
  };
}

// The price of the offering the node runs on; the offering may be unavailable now, its price still counts.
function offeringPrice(
  nodePool: string | undefined,
  instanceType: string | undefined,
  zone: string | undefined,
  capacityType: string | undefined,
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
): number | undefined {
  if (nodePool === undefined || instanceType === undefined) return undefined;
  const type = instanceTypes.get(nodePool)?.find((it) => it.name === instanceType);
  const offering = type?.offerings.items.find((o) => o.zone === zone && o.capacityType === capacityType);
  return offering?.price;
}
