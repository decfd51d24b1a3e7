/**
 * Which pods provisioning acts for (Karpenter's `pod.IsProvisionable`, core:pkg/utils/pod/scheduling.go): not bound,
 * not nominated to a node by kube-scheduler's preemption, marked `PodScheduled=False` with reason `Unschedulable`,
 * and not owned by a DaemonSet or a Node (their pods follow the nodes, not the other way round).
 */
import type { Pod } from "../../api/index.ts";

export function isProvisionable(pod: Pod): boolean {
  if (pod.spec?.nodeName) return false;
  if (pod.status?.nominatedNodeName) return false;
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === "PodScheduled");
  if (scheduled?.status !== "False" || scheduled.reason !== "Unschedulable") return false;
  return !(pod.metadata.ownerReferences ?? []).some((owner) => owner.kind === "DaemonSet" || owner.kind === "Node");
}
