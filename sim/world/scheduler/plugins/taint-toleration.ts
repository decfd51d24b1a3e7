/**
 * TaintToleration (pkg/scheduler/framework/plugins/tainttoleration).
 *
 * Filter: the first NoSchedule/NoExecute taint the pod does not tolerate rejects the node. Since
 * kubernetes/kubernetes#134740 (v1.35, cherry-picked to v1.34) the reason no longer names the taint's key and
 * value, which may be sensitive: it is "node(s) had untolerated taint(s)".
 *
 * Score: the number of PreferNoSchedule taints not tolerated by the pod's PreferNoSchedule (or effect-less)
 * tolerations, normalized in reverse (fewer is better).
 */
import type { Toleration } from "../../objects.ts";
import type { FilterPlugin, ScorePlugin } from "../framework.ts";
import { MAX_NODE_SCORE, unresolvable } from "../framework.ts";
import { defaultNormalizeScore } from "../normalize-score.ts";
import { doNotScheduleTaint, findMatchingUntoleratedTaint, tolerationsTolerateTaint } from "../tolerations.ts";

export const ERR_REASON_UNTOLERATED = "node(s) had untolerated taint(s)";

export const taintTolerationFilter: FilterPlugin = {
  name: "TaintToleration",
  filter(pod, nodeInfo) {
    const taint = findMatchingUntoleratedTaint(nodeInfo.node.spec?.taints, pod.spec.tolerations, doNotScheduleTaint);
    return taint === undefined ? undefined : unresolvable(ERR_REASON_UNTOLERATED);
  },
};

export const taintTolerationScore: ScorePlugin<readonly Toleration[]> = {
  name: "TaintToleration",
  preScore(pod) {
    const state = (pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === "PreferNoSchedule");
    return { state };
  },
  score(_pod, nodeInfo, tolerations) {
    return (nodeInfo.node.spec?.taints ?? []).filter(
      (taint) => taint.effect === "PreferNoSchedule" && !tolerationsTolerateTaint(tolerations, taint),
    ).length;
  },
  normalize(scores) {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  },
};
