// podutil.IsPodReady: the pod's Ready condition is True. The eviction handler and the world's controllers ask it.
import type { KubeObject } from "../store/resource-kind.ts";

export function isPodReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions;
  return (conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}
