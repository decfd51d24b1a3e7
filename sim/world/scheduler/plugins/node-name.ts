/** NodeName (pkg/scheduler/framework/plugins/nodename): a pod that names a node fits only there. */
import type { FilterPlugin } from "../framework.ts";
import { unresolvable } from "../framework.ts";

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName: FilterPlugin = {
  name: "NodeName",
  filter(pod, nodeInfo) {
    const wanted = pod.spec.nodeName ?? "";
    return wanted === "" || wanted === nodeInfo.name ? undefined : unresolvable(ERR_REASON_NODE_NAME);
  },
};
