// Which of a node's pods a drain waits for and evicts, and in what order — Karpenter's terminator
// (core:pkg/controllers/node/termination/terminator/terminator.go `Drain`, `groupPodsByPriority`) over
// core:pkg/utils/pod's predicates. Pure: pods and the time in, a plan out.
import type { Pod } from "../../api/index.ts";
import { DISRUPTED_NO_SCHEDULE_TAINT, untoleratedTaints, type Toleration } from "../../scheduling/index.ts";
import { CRITICAL_PRIORITY_CLASSES } from "./termination-keys.ts";

/** How long after its deletion a terminating pod stops being waited for (`IsStuckTerminating`). */
export const STUCK_TERMINATING_MS = 60_000;

const isTerminal = (pod: Pod) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
const isTerminating = (pod: Pod) => pod.metadata.deletionTimestamp !== undefined;
const ownedBy = (pod: Pod, kind: string) => (pod.metadata.ownerReferences ?? []).some((o) => o.kind === kind);

/** A static pod's mirror (`IsOwnedByNode`): the kubelet owns it, the API cannot evict it. */
export function isMirrorPod(pod: Pod): boolean {
  return ownedBy(pod, "Node") || pod.metadata.annotations?.["kubernetes.io/config.mirror"] !== undefined;
}

/** `ToleratesDisruptedNoScheduleTaint`: such a pod stays until the node goes. */
export function toleratesDisruptedTaint(pod: Pod): boolean {
  const tolerations = (pod.spec?.["tolerations"] ?? []) as Toleration[];
  return untoleratedTaints(tolerations, [DISRUPTED_NO_SCHEDULE_TAINT]).length === 0;
}

/** `IsWaitingEviction`: not finished, not stuck terminating, not tolerating the taint, not a mirror pod. */
export function isWaitingEviction(pod: Pod, now: number): boolean {
  const deleted = pod.metadata.deletionTimestamp;
  const stuck = deleted !== undefined && now - Date.parse(deleted) > STUCK_TERMINATING_MS;
  return !isTerminal(pod) && !stuck && !toleratesDisruptedTaint(pod) && !isMirrorPod(pod);
}

const isCritical = (pod: Pod) => CRITICAL_PRIORITY_CLASSES.includes(String(pod.spec?.["priorityClassName"] ?? ""));

/** `groupPodsByPriority`: non-critical non-DaemonSet, non-critical DaemonSet, critical non-DaemonSet, critical DaemonSet. */
export function evictionGroups(pods: readonly Pod[]): Pod[][] {
  const groups: Pod[][] = [[], [], [], []];
  for (const pod of pods) groups[(isCritical(pod) ? 2 : 0) + (ownedBy(pod, "DaemonSet") ? 1 : 0)]?.push(pod);
  return groups;
}

export interface DrainPlan {
  /** Every pod the drain still waits for (evicted or not). */
  readonly waiting: readonly Pod[];
  /** The pods to evict now: the not yet terminating ones of the first group with any pod waiting. */
  readonly evictNow: readonly Pod[];
}

/** What a drain pass does: empty `waiting` means the node is drained. */
export function drainPlan(pods: readonly Pod[], now: number): DrainPlan {
  const waiting = pods.filter((pod) => isWaitingEviction(pod, now));
  const group = evictionGroups(waiting).find((g) => g.length > 0) ?? [];
  return { waiting, evictNow: group.filter((pod) => !isTerminating(pod)) };
}

/**
 * The pods a deadline forces out (`DeleteExpiringPods`): each waiting pod not yet terminating is deleted once
 * `deadline − its terminationGracePeriodSeconds` is reached, so it still gets its grace period before the deadline.
 */
export function expiringPods(pods: readonly Pod[], deadline: number | undefined, now: number): Pod[] {
  if (deadline === undefined) return [];
  return pods.filter((pod) => {
    if (isTerminating(pod) || !isWaitingEviction(pod, now)) return false;
    const grace = Number(pod.spec?.["terminationGracePeriodSeconds"] ?? 30);
    return now >= deadline - grace * 1000;
  });
}
