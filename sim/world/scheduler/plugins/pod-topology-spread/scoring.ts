/**
 * PodTopologySpread's Score (podtopologyspread/scoring.go) for ScheduleAnyway constraints, including the system
 * defaults: a node scores the matching pods in its domains, each constraint weighted by log(domains + 2) and
 * softened by maxSkew - 1; NormalizeScore turns fewer pods into a higher score. Nodes missing a topology key of
 * the pod's own constraints score 0.
 */
import { namespaceOf } from "../../../objects.ts";
import type { NodeScore, ScorePlugin } from "../../framework.ts";
import { MAX_NODE_SCORE } from "../../framework.ts";
import { requiredNodeAffinityOf } from "../../node-selector.ts";
import {
  constraintsOf,
  countPodsMatchSelector,
  LABEL_HOSTNAME,
  matchesNodeInclusionPolicies,
  nodeHasAllTopologyKeys,
  type SpreadConstraint,
} from "./common.ts";

export interface SpreadScoreState {
  readonly constraints: readonly SpreadConstraint[];
  readonly ignoredNodes: ReadonlySet<string>;
  /** Per constraint (non-hostname keys): topology value → matching pods, for the domains of feasible nodes. */
  readonly podCounts: readonly ReadonlyMap<string, number>[];
  readonly normalizingWeight: readonly number[];
}

/** `topologyNormalizingWeight`. */
export function topologyNormalizingWeight(size: number): number {
  return Math.log(size + 2);
}

/** `scoreForCount`. */
export function scoreForCount(count: number, maxSkew: number, weight: number): number {
  return count * weight + (maxSkew - 1);
}

/** Go's math.Round: half away from zero. */
function roundHalfAway(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

export const podTopologySpreadScore: ScorePlugin<SpreadScoreState> = {
  name: "PodTopologySpread",
  preScore(pod, feasible, snapshot) {
    if (snapshot.nodeInfos.length === 0) return { code: "Skip" as const };
    const constraints = constraintsOf(pod, snapshot, "ScheduleAnyway");
    if (constraints.length === 0) return { code: "Skip" as const };
    // Only the pod's own constraints require every key: system defaults still spread over hostnames on nodes
    // that have no zone label.
    const requireAllTopologies = (pod.spec.topologySpreadConstraints ?? []).length > 0;
    const ignoredNodes = new Set<string>();
    const podCounts = constraints.map(() => new Map<string, number>());
    const topologySize = constraints.map(() => 0);
    for (const nodeInfo of feasible) {
      if (requireAllTopologies && !nodeHasAllTopologyKeys(nodeInfo.node, constraints)) {
        ignoredNodes.add(nodeInfo.name);
        continue;
      }
      constraints.forEach((constraint, index) => {
        if (constraint.topologyKey === LABEL_HOSTNAME) return;
        const value = nodeInfo.node.metadata.labels?.[constraint.topologyKey] ?? "";
        const counts = podCounts[index];
        if (counts !== undefined && !counts.has(value)) {
          counts.set(value, 0);
          topologySize[index] = (topologySize[index] ?? 0) + 1;
        }
      });
    }
    const normalizingWeight = constraints.map((constraint, index) =>
      topologyNormalizingWeight(
        constraint.topologyKey === LABEL_HOSTNAME ? feasible.length - ignoredNodes.size : (topologySize[index] ?? 0),
      ),
    );
    const required = requiredNodeAffinityOf(pod);
    for (const nodeInfo of snapshot.nodeInfos) {
      if (requireAllTopologies && !nodeHasAllTopologyKeys(nodeInfo.node, constraints)) continue;
      constraints.forEach((constraint, index) => {
        if (!matchesNodeInclusionPolicies(constraint, pod, nodeInfo.node, required)) return;
        const value = nodeInfo.node.metadata.labels?.[constraint.topologyKey] ?? "";
        const counts = podCounts[index];
        if (counts === undefined || !counts.has(value)) return;
        counts.set(
          value,
          (counts.get(value) ?? 0) + countPodsMatchSelector(nodeInfo.pods, constraint.selector, namespaceOf(pod)),
        );
      });
    }
    return { state: { constraints, ignoredNodes, podCounts, normalizingWeight } };
  },
  score(pod, nodeInfo, state) {
    if (state.ignoredNodes.has(nodeInfo.name)) return 0;
    const labels = nodeInfo.node.metadata.labels ?? {};
    let score = 0;
    state.constraints.forEach((constraint, index) => {
      if (!Object.hasOwn(labels, constraint.topologyKey)) return;
      const count =
        constraint.topologyKey === LABEL_HOSTNAME
          ? countPodsMatchSelector(nodeInfo.pods, constraint.selector, namespaceOf(pod))
          : (state.podCounts[index]?.get(labels[constraint.topologyKey] ?? "") ?? 0);
      score += scoreForCount(count, constraint.maxSkew, state.normalizingWeight[index] ?? 0);
    });
    return roundHalfAway(score);
  },
  normalize(scores: NodeScore[], state) {
    let minScore = Number.MAX_SAFE_INTEGER;
    let maxScore = 0;
    for (const entry of scores) {
      if (state.ignoredNodes.has(entry.name)) continue;
      minScore = Math.min(minScore, entry.score);
      maxScore = Math.max(maxScore, entry.score);
    }
    for (const entry of scores) {
      if (state.ignoredNodes.has(entry.name)) entry.score = 0;
      else if (maxScore === 0) entry.score = MAX_NODE_SCORE;
      else entry.score = Math.trunc((MAX_NODE_SCORE * (maxScore + minScore - entry.score)) / maxScore);
    }
  },
};
