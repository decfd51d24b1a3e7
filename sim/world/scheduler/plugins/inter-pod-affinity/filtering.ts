/**
 * InterPodAffinity's Filter (interpodaffinity/filtering.go).
 *
 * PreFilter counts, per topology pair (key=value of a node label), the existing pods whose required
 * anti-affinity matches the incoming pod, and the existing pods that match the incoming pod's required affinity
 * (all terms) and anti-affinity terms. Filter, in this order:
 * - affinity: every term's key must be on the node and its domain must hold a matching pod, unless no pod
 *   anywhere matches and the pod matches its own terms (the first of a group), UnschedulableAndUnresolvable;
 * - the pod's anti-affinity: no matching pod in the node's domain of any term, Unschedulable;
 * - existing pods' anti-affinity: no existing pod that rejects this pod in any of the node's domains, Unschedulable.
 */
import type { Node, Pod } from "../../../objects.ts";
import { termMatches, type AffinityTerm, type PodAffinityTerms } from "../../affinity-terms.ts";
import type { FilterPlugin } from "../../framework.ts";
import { unresolvable, unschedulable } from "../../framework.ts";
import type { Labels } from "../../selector.ts";
import { SchedulerInputError } from "../../input-error.ts";
import { incomingTermsOf } from "./incoming-terms.ts";

export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

/** topologyToMatchedTermCount, keyed by `key\0value`. */
type PairCounts = Map<string, number>;

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

function addPair(counts: PairCounts, node: Node, topologyKey: string): void {
  const labels = node.metadata.labels ?? {};
  if (!Object.hasOwn(labels, topologyKey)) return;
  const key = pairKey(topologyKey, labels[topologyKey] ?? "");
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** `podMatchesAllAffinityTerms`: false for no terms. */
export function podMatchesAllAffinityTerms(terms: readonly AffinityTerm[], pod: Pod): boolean {
  return terms.length > 0 && terms.every((term) => termMatches(term, pod, undefined));
}

export interface AffinityFilterState {
  readonly terms: PodAffinityTerms;
  readonly incoming: Pod;
  readonly existingAntiAffinityCounts: ReadonlyMap<string, number>;
  readonly affinityCounts: ReadonlyMap<string, number>;
  readonly antiAffinityCounts: ReadonlyMap<string, number>;
}

export const interPodAffinityFilter: FilterPlugin<AffinityFilterState> = {
  name: "InterPodAffinity",
  preFilter(pod, snapshot) {
    let terms: PodAffinityTerms;
    try {
      terms = incomingTermsOf(pod, snapshot);
    } catch (error) {
      // framework.NewPodInfo failed: upstream rejects the pod at PreFilter ("parsing pod: ...").
      if (!(error instanceof SchedulerInputError)) throw error;
      return { status: unresolvable(`parsing pod: ${error.message}`) };
    }
    const namespaceLabels: Labels = snapshot.namespaceLabels(pod.metadata.namespace ?? "");
    const existingAntiAffinityCounts: PairCounts = new Map();
    const affinityCounts: PairCounts = new Map();
    const antiAffinityCounts: PairCounts = new Map();
    for (const nodeInfo of snapshot.nodeInfos) {
      for (const existing of nodeInfo.podsWithRequiredAntiAffinity) {
        for (const term of existing.terms.requiredAntiAffinity) {
          if (termMatches(term, pod, namespaceLabels))
            addPair(existingAntiAffinityCounts, nodeInfo.node, term.topologyKey);
        }
      }
      if (terms.requiredAffinity.length === 0 && terms.requiredAntiAffinity.length === 0) continue;
      for (const { pod: existing } of nodeInfo.pods) {
        if (podMatchesAllAffinityTerms(terms.requiredAffinity, existing)) {
          for (const term of terms.requiredAffinity) addPair(affinityCounts, nodeInfo.node, term.topologyKey);
        }
        for (const term of terms.requiredAntiAffinity) {
          if (termMatches(term, existing, undefined)) addPair(antiAffinityCounts, nodeInfo.node, term.topologyKey);
        }
      }
    }
    if (
      existingAntiAffinityCounts.size === 0 &&
      terms.requiredAffinity.length === 0 &&
      terms.requiredAntiAffinity.length === 0
    ) {
      return { code: "Skip" as const };
    }
    return { state: { terms, incoming: pod, existingAntiAffinityCounts, affinityCounts, antiAffinityCounts } };
  },
  filter(_pod, nodeInfo, state) {
    const labels = nodeInfo.node.metadata.labels ?? {};
    if (!satisfiesPodAffinity(state, labels)) return unresolvable(ERR_REASON_AFFINITY);
    for (const term of state.terms.requiredAntiAffinity) {
      if (!Object.hasOwn(labels, term.topologyKey)) continue;
      if ((state.antiAffinityCounts.get(pairKey(term.topologyKey, labels[term.topologyKey] ?? "")) ?? 0) > 0) {
        return unschedulable(ERR_REASON_ANTI_AFFINITY);
      }
    }
    for (const [key, value] of Object.entries(labels)) {
      if ((state.existingAntiAffinityCounts.get(pairKey(key, value)) ?? 0) > 0) {
        return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
      }
    }
    return undefined;
  },
};

function satisfiesPodAffinity(state: AffinityFilterState, labels: Readonly<Record<string, string>>): boolean {
  let podsExist = true;
  for (const term of state.terms.requiredAffinity) {
    if (!Object.hasOwn(labels, term.topologyKey)) return false;
    if ((state.affinityCounts.get(pairKey(term.topologyKey, labels[term.topologyKey] ?? "")) ?? 0) <= 0)
      podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group that has affinity to itself may go anywhere its terms' keys are.
  return state.affinityCounts.size === 0 && podMatchesAllAffinityTerms(state.terms.requiredAffinity, state.incoming);
}
