/**
 * PodTopologySpread's Filter (podtopologyspread/filtering.go) for DoNotSchedule constraints.
 *
 * PreFilter counts, per constraint, the matching pods in each topology domain of the eligible nodes (nodes with
 * every constraint's key that pass the node inclusion policies), and keeps the smallest count (critical paths).
 * Filter: a node without the key is UnschedulableAndUnresolvable; otherwise
 * `matching pods in its domain + (1 if the pod matches itself) - global minimum` must not exceed maxSkew, where the
 * global minimum is 0 while there are fewer eligible domains than minDomains.
 */
import { namespaceOf } from "../../../objects.ts";
import type { FilterPlugin } from "../../framework.ts";
import { unresolvable, unschedulable } from "../../framework.ts";
import { requiredNodeAffinityOf } from "../../node-selector.ts";
import { matchesSelector } from "../../selector.ts";
import {
  constraintsOf,
  countPodsMatchSelector,
  ERR_REASON_CONSTRAINTS_NOT_MATCH,
  ERR_REASON_NODE_LABEL_NOT_MATCH,
  matchesNodeInclusionPolicies,
  nodeHasAllTopologyKeys,
  type SpreadConstraint,
} from "./common.ts";

export interface SpreadFilterState {
  readonly constraints: readonly SpreadConstraint[];
  /** Per constraint: topology value → matching pods. Every eligible domain has an entry, 0 included. */
  readonly matchNum: readonly ReadonlyMap<string, number>[];
}

/** `preFilterState.minMatchNum`. */
function minMatchNum(counts: ReadonlyMap<string, number>, minDomains: number): number {
  if (counts.size < minDomains) return 0;
  let min = Number.MAX_SAFE_INTEGER;
  for (const count of counts.values()) min = Math.min(min, count);
  return counts.size === 0 ? Number.MAX_SAFE_INTEGER : min;
}

export const podTopologySpreadFilter: FilterPlugin<SpreadFilterState> = {
  name: "PodTopologySpread",
  preFilter(pod, snapshot) {
    const constraints = constraintsOf(pod, snapshot, "DoNotSchedule");
    if (constraints.length === 0) return { code: "Skip" as const };
    const required = requiredNodeAffinityOf(pod);
    const matchNum = constraints.map(() => new Map<string, number>());
    for (const nodeInfo of snapshot.nodeInfos) {
      if (!nodeHasAllTopologyKeys(nodeInfo.node, constraints)) continue;
      constraints.forEach((constraint, index) => {
        if (!matchesNodeInclusionPolicies(constraint, pod, nodeInfo.node, required)) return;
        const value = nodeInfo.node.metadata.labels?.[constraint.topologyKey] ?? "";
        const count = countPodsMatchSelector(nodeInfo.pods, constraint.selector, namespaceOf(pod));
        const counts = matchNum[index];
        counts?.set(value, (counts.get(value) ?? 0) + count);
      });
    }
    return { state: { constraints, matchNum } };
  },
  filter(pod, nodeInfo, state) {
    const labels = nodeInfo.node.metadata.labels ?? {};
    for (const [index, constraint] of state.constraints.entries()) {
      if (!Object.hasOwn(labels, constraint.topologyKey)) return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
      const counts = state.matchNum[index] ?? new Map<string, number>();
      const selfMatch = matchesSelector(constraint.selector, pod.metadata.labels) ? 1 : 0;
      const matching = counts.get(labels[constraint.topologyKey] ?? "") ?? 0;
      const skew = matching + selfMatch - minMatchNum(counts, constraint.minDomains);
      if (skew > constraint.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return undefined;
  },
};
