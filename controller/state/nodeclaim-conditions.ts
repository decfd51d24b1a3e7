/**
 * A NodeClaim's lifecycle conditions (Karpenter's `ConditionTypeLaunched`, `Registered`, `Initialized`,
 * core:pkg/apis/v1/nodeclaim_status.go) and the status-condition rules of k8s.io/apimachinery `meta.SetStatusCondition`:
 * `lastTransitionTime` moves only when the status changes.
 */
import type { NodeClaim } from "../../api/index.ts";

export const CONDITION_LAUNCHED = "Launched";
export const CONDITION_REGISTERED = "Registered";
export const CONDITION_INITIALIZED = "Initialized";

export type NodeClaimCondition = NonNullable<NonNullable<NodeClaim["status"]>["conditions"]>[number];

export function conditionOf(nodeClaim: NodeClaim, type: string): NodeClaimCondition | undefined {
  return nodeClaim.status?.conditions?.find((condition) => condition.type === type);
}

export function isConditionTrue(nodeClaim: NodeClaim, type: string): boolean {
  return conditionOf(nodeClaim, type)?.status === "True";
}

/** When the condition last became True; undefined unless it is True now. */
export function trueSince(nodeClaim: NodeClaim, type: string): Date | undefined {
  const condition = conditionOf(nodeClaim, type);
  return condition?.status === "True" ? new Date(condition.lastTransitionTime) : undefined;
}

/** The conditions with `next` set (meta.SetStatusCondition): the transition time kept when the status is unchanged. */
export function withCondition(
  conditions: readonly NodeClaimCondition[] | undefined,
  next: Omit<NodeClaimCondition, "lastTransitionTime">,
  now: Date,
): NodeClaimCondition[] {
  const previous = conditions?.find((condition) => condition.type === next.type);
  const lastTransitionTime =
    previous !== undefined && previous.status === next.status
      ? previous.lastTransitionTime
      : now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const others = (conditions ?? []).filter((condition) => condition.type !== next.type);
  return [...others, { ...next, lastTransitionTime }];
}
