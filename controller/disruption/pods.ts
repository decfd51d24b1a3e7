/**
 * Which of a node's pods disruption moves, and what moving them costs (Karpenter's `pod.IsReschedulable` and
 * core:pkg/utils/disruption/disruption.go `EvictionCost`): terminal pods, mirror (static) pods and DaemonSet pods
 * stay with the node; the rest must land somewhere else. Each moved pod costs
 * `clamp(1 + pod-deletion-cost / 2^27 + priority / 2^25, −10, 10)`.
 */
import type { Pod } from "../../api/index.ts";

export const ANNOTATION_POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
const ANNOTATION_MIRROR = "kubernetes.io/config.mirror";

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

export function isDaemonSetPod(pod: Pod): boolean {
  return (pod.metadata.ownerReferences ?? []).some((owner) => owner.kind === "DaemonSet");
}

export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[ANNOTATION_MIRROR] !== undefined;
}

/** A pod that must be placed elsewhere when its node goes. */
export function isReschedulable(pod: Pod): boolean {
  return !isTerminal(pod) && !isMirrorPod(pod) && !isDaemonSetPod(pod) && pod.metadata.deletionTimestamp === undefined;
}

export function evictionCost(pod: Pod): number {
  let cost = 1;
  const deletionCost = Number(pod.metadata.annotations?.[ANNOTATION_POD_DELETION_COST]);
  if (Number.isFinite(deletionCost)) cost += deletionCost / 2 ** 27;
  const priority = pod.spec?.priority;
  if (typeof priority === "number" && Number.isFinite(priority)) cost += priority / 2 ** 25;
  return Math.min(10, Math.max(-10, cost));
}

/** What disrupting these pods costs: the sum over reschedulable ones (`ReschedulingCost`). */
export function reschedulingCost(pods: readonly Pod[]): number {
  return pods.filter(isReschedulable).reduce((sum, pod) => sum + evictionCost(pod), 0);
}
