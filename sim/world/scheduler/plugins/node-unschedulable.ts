/**
 * NodeUnschedulable (pkg/scheduler/framework/plugins/nodeunschedulable): a cordoned node (spec.unschedulable)
 * takes only pods that tolerate the node.kubernetes.io/unschedulable:NoSchedule taint.
 */
import type { FilterPlugin } from "../framework.ts";
import { unresolvable } from "../framework.ts";
import { tolerationsTolerateTaint } from "../tolerations.ts";

export const ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable";

export const nodeUnschedulable: FilterPlugin = {
  name: "NodeUnschedulable",
  filter(pod, nodeInfo) {
    if (!nodeInfo.node.spec?.unschedulable) return undefined;
    const tolerated = tolerationsTolerateTaint(pod.spec.tolerations, {
      key: "node.kubernetes.io/unschedulable",
      effect: "NoSchedule",
    });
    return tolerated ? undefined : unresolvable(ERR_REASON_UNSCHEDULABLE);
  },
};
