// What controllers ask of a pod's state: controller.IsPodActive, a terminal phase, the scale-down order.
import { isPodReady } from "../../kube/kinds/pod-ready.ts";
import type { KubeObject } from "../../kube/store/resource-kind.ts";

export function podPhase(pod: KubeObject): string {
  return String((pod.status as { phase?: unknown } | undefined)?.phase ?? "");
}

export function isPodTerminal(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase === "Succeeded" || phase === "Failed";
}

export function isPodDeleting(pod: KubeObject): boolean {
  return pod.metadata?.deletionTimestamp !== undefined;
}

/** controller.IsPodActive: not terminal and not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  return !isPodTerminal(pod) && !isPodDeleting(pod);
}

/**
 * The order in which a ReplicaSet gives up pods when it scales down (controller.ActivePods' Less, the first
 * criteria): unassigned before assigned, Pending before Unknown before Running, not ready before ready, then the
 * newest first; the name breaks ties so the choice is deterministic.
 */
export function deletionOrder(a: KubeObject, b: KubeObject): number {
  const assigned = (p: KubeObject): number => ((p.spec as { nodeName?: string } | undefined)?.nodeName ? 1 : 0);
  const phaseRank = (p: KubeObject): number => ({ Pending: 0, Unknown: 1, Running: 2 })[podPhase(p)] ?? 0;
  const ready = (p: KubeObject): number => (isPodReady(p) ? 1 : 0);
  const created = (p: KubeObject): string => String(p.metadata?.creationTimestamp ?? "");
  return (
    assigned(a) - assigned(b) ||
    phaseRank(a) - phaseRank(b) ||
    ready(a) - ready(b) ||
    created(b).localeCompare(created(a)) ||
    String(b.metadata?.name).localeCompare(String(a.metadata?.name))
  );
}
