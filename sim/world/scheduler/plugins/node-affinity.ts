/**
 * NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity).
 *
 * PreFilter: nothing to do without a nodeSelector or required affinity (Skip); terms that pin metadata.name with
 * In narrow the nodes to look at (PreFilterResult), and terms that contradict each other reject the pod.
 * Filter: the node must match the nodeSelector and one required term.
 * Score: the sum of the weights of the preferred terms the node matches, normalized to 0..100.
 */
import type { FilterPlugin, ScorePlugin } from "../framework.ts";
import { MAX_NODE_SCORE, unresolvable } from "../framework.ts";
import {
  requiredNodeAffinityOf,
  preferredSchedulingTermsOf,
  type PreferredSchedulingTerms,
  type RequiredNodeAffinity,
} from "../node-selector.ts";
import { defaultNormalizeScore } from "../normalize-score.ts";

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = "pod affinity terms conflict";

export const nodeAffinityFilter: FilterPlugin<RequiredNodeAffinity> = {
  name: "NodeAffinity",
  preFilter(pod) {
    const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required === undefined && pod.spec.nodeSelector === undefined) return { code: "Skip" as const };
    const state = requiredNodeAffinityOf(pod);
    const terms = required?.nodeSelectorTerms ?? [];
    if (terms.length === 0) return { state };
    let nodeNames: Set<string> | undefined;
    for (const term of terms) {
      let termNodeNames: Set<string> | undefined;
      for (const field of term.matchFields ?? []) {
        if (field.key !== "metadata.name" || field.operator !== "In") continue;
        const names = new Set(field.values ?? []);
        termNodeNames = termNodeNames === undefined ? names : new Set([...termNodeNames].filter((n) => names.has(n)));
      }
      // A term without a node-name field lets every node through: the terms are ORed.
      if (termNodeNames === undefined) return { state };
      nodeNames = new Set([...(nodeNames ?? []), ...termNodeNames]);
    }
    if (nodeNames !== undefined && nodeNames.size === 0) return { state, status: unresolvable(ERR_REASON_CONFLICT) };
    return nodeNames === undefined ? { state } : { state, nodeNames };
  },
  filter(_pod, nodeInfo, required) {
    return required.match(nodeInfo.node) ? undefined : unresolvable(ERR_REASON_POD);
  },
};

export const nodeAffinityScore: ScorePlugin<PreferredSchedulingTerms> = {
  name: "NodeAffinity",
  preScore(pod) {
    const preferred = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    if (preferred === undefined) return { code: "Skip" as const };
    return {
      state: preferredSchedulingTermsOf(
        preferred,
        "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution",
      ),
    };
  },
  score(_pod, nodeInfo, preferred) {
    return preferred.score(nodeInfo.node);
  },
  normalize(scores) {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  },
};
