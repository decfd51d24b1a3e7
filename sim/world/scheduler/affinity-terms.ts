/**
 * Pod (anti-)affinity terms parsed as the framework's `AffinityTerm` (pkg/scheduler/framework/types.go
 * `newAffinityTerm`): the namespaces a term covers (the pod's own when it names none and has no namespace
 * selector), its label selector and its namespace selector.
 */
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from "../objects.ts";
import { namespaceOf } from "../objects.ts";
import { labelSelectorAsSelector, matchesSelector, type Labels, type Selector } from "./selector.ts";

export interface AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  readonly selector: Selector;
  readonly topologyKey: string;
  readonly namespaceSelector: Selector;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

function newAffinityTerm(pod: Pod, term: PodAffinityTerm, where: string): AffinityTerm {
  const namespaces =
    (term.namespaces ?? []).length === 0 && term.namespaceSelector === undefined
      ? new Set([namespaceOf(pod)])
      : new Set(term.namespaces ?? []);
  return {
    namespaces,
    selector: labelSelectorAsSelector(term.labelSelector, `${where}.labelSelector`),
    topologyKey: term.topologyKey,
    namespaceSelector: labelSelectorAsSelector(term.namespaceSelector, `${where}.namespaceSelector`),
  };
}

/** `AffinityTerm.Matches`: the pod is in one of the term's namespaces (or its namespace's labels match). */
export function termMatches(term: AffinityTerm, pod: Pod, namespaceLabels: Labels): boolean {
  if (term.namespaces.has(namespaceOf(pod)) || matchesSelector(term.namespaceSelector, namespaceLabels)) {
    return matchesSelector(term.selector, pod.metadata.labels);
  }
  return false;
}

export interface PodAffinityTerms {
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
}

function required(pod: Pod, terms: readonly PodAffinityTerm[] | undefined, where: string): AffinityTerm[] {
  return (terms ?? []).map((term, index) => newAffinityTerm(pod, term, `${where}[${index}]`));
}

function preferred(
  pod: Pod,
  terms: readonly WeightedPodAffinityTerm[] | undefined,
  where: string,
): WeightedAffinityTerm[] {
  return (terms ?? []).map((term, index) => ({
    ...newAffinityTerm(pod, term.podAffinityTerm, `${where}[${index}].podAffinityTerm`),
    weight: term.weight,
  }));
}

/** `PodInfo.Update`: every term of the pod, parsed once. */
export function podAffinityTermsOf(pod: Pod): PodAffinityTerms {
  const affinity = pod.spec.affinity;
  const a = "spec.affinity.podAffinity";
  const anti = "spec.affinity.podAntiAffinity";
  return {
    requiredAffinity: required(
      pod,
      affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      `${a}.requiredDuringSchedulingIgnoredDuringExecution`,
    ),
    requiredAntiAffinity: required(
      pod,
      affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      `${anti}.requiredDuringSchedulingIgnoredDuringExecution`,
    ),
    preferredAffinity: preferred(
      pod,
      affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
      `${a}.preferredDuringSchedulingIgnoredDuringExecution`,
    ),
    preferredAntiAffinity: preferred(
      pod,
      affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
      `${anti}.preferredDuringSchedulingIgnoredDuringExecution`,
    ),
  };
}
