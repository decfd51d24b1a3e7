/**
 * InterPodAffinity's Score (interpodaffinity/scoring.go), with the default arguments (hardPodAffinityWeight 1,
 * preferred terms of existing pods counted). For every existing pod, per topology pair of its node:
 * + weight of the incoming pod's preferred affinity terms it matches, - weight of its preferred anti-affinity terms;
 * + 1 for each of the existing pod's required affinity terms the incoming pod matches;
 * + / - weight of the existing pod's preferred affinity / anti-affinity terms the incoming pod matches.
 * A node scores the sum over its labels' pairs; NormalizeScore maps min..max onto 0..100.
 */
import type { Node } from "../../../objects.ts";
import { termMatches, type AffinityTerm, type PodAffinityTerms } from "../../affinity-terms.ts";
import type { ScorePlugin } from "../../framework.ts";
import { MAX_NODE_SCORE } from "../../framework.ts";
import type { Labels } from "../../selector.ts";
import { incomingTermsOf } from "./incoming-terms.ts";

export const HARD_POD_AFFINITY_WEIGHT = 1;

/** topologyKey → value → score. */
type TopologyScore = Map<string, Map<string, number>>;

function processTerm(
  scores: TopologyScore,
  term: AffinityTerm,
  weight: number,
  pod: Parameters<typeof termMatches>[1],
  namespaceLabels: Labels,
  node: Node,
  multiplier: number,
): void {
  if (!termMatches(term, pod, namespaceLabels)) return;
  const labels = node.metadata.labels ?? {};
  if (!Object.hasOwn(labels, term.topologyKey)) return;
  const values = scores.get(term.topologyKey) ?? new Map<string, number>();
  const value = labels[term.topologyKey] ?? "";
  values.set(value, (values.get(value) ?? 0) + weight * multiplier);
  scores.set(term.topologyKey, values);
}

export interface AffinityScoreState {
  readonly topologyScore: TopologyScore;
}

export const interPodAffinityScore: ScorePlugin<AffinityScoreState> = {
  name: "InterPodAffinity",
  preScore(pod, _feasible, snapshot) {
    const affinity = pod.spec.affinity;
    const hasConstraints =
      (affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).length > 0 ||
      (affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).length > 0;
    const terms: PodAffinityTerms = incomingTermsOf(pod, snapshot);
    const namespaceLabels = snapshot.namespaceLabels(pod.metadata.namespace ?? "");
    const topologyScore: TopologyScore = new Map();
    let touched = false;
    for (const nodeInfo of snapshot.nodeInfos) {
      // Unless the pod has preferred terms, only pods with affinity of their own can change a score.
      const pods = hasConstraints ? nodeInfo.pods : nodeInfo.podsWithAffinity;
      const node = nodeInfo.node;
      if (Object.keys(node.metadata.labels ?? {}).length === 0) continue;
      const nodeScore: TopologyScore = new Map();
      for (const existing of pods) {
        for (const term of terms.preferredAffinity)
          processTerm(nodeScore, term, term.weight, existing.pod, undefined, node, 1);
        for (const term of terms.preferredAntiAffinity)
          processTerm(nodeScore, term, term.weight, existing.pod, undefined, node, -1);
        for (const term of existing.terms.requiredAffinity) {
          processTerm(nodeScore, term, HARD_POD_AFFINITY_WEIGHT, pod, namespaceLabels, node, 1);
        }
        for (const term of existing.terms.preferredAffinity)
          processTerm(nodeScore, term, term.weight, pod, namespaceLabels, node, 1);
        for (const term of existing.terms.preferredAntiAffinity)
          processTerm(nodeScore, term, term.weight, pod, namespaceLabels, node, -1);
      }
      // PreScore is skipped when no node produced any (even zero-sum) topology score.
      if (nodeScore.size > 0) touched = true;
      for (const [key, values] of nodeScore) {
        const merged = topologyScore.get(key) ?? new Map<string, number>();
        for (const [value, score] of values) merged.set(value, (merged.get(value) ?? 0) + score);
        topologyScore.set(key, merged);
      }
    }
    if (!touched) return { code: "Skip" as const };
    return { state: { topologyScore } };
  },
  score(_pod, nodeInfo, state) {
    const labels = nodeInfo.node.metadata.labels ?? {};
    let score = 0;
    for (const [key, values] of state.topologyScore) {
      if (Object.hasOwn(labels, key)) score += values.get(labels[key] ?? "") ?? 0;
    }
    return score;
  },
  normalize(scores, state) {
    if (state.topologyScore.size === 0) return;
    let minCount = Number.MAX_SAFE_INTEGER;
    let maxCount = Number.MIN_SAFE_INTEGER;
    for (const entry of scores) {
      minCount = Math.min(minCount, entry.score);
      maxCount = Math.max(maxCount, entry.score);
    }
    const diff = maxCount - minCount;
    for (const entry of scores) {
      entry.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((entry.score - minCount) / diff)) : 0;
    }
  },
};
