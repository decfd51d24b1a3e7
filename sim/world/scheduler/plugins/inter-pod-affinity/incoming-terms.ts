/**
 * The incoming pod's affinity terms as InterPodAffinity uses them (interpodaffinity/plugin.go
 * `mergeAffinityTermNamespacesIfNotEmpty`): a non-empty namespace selector is resolved against the namespaces
 * that exist now and folded into the term's namespace list.
 */
import type { Pod } from "../../../objects.ts";
import { podAffinityTermsOf, type AffinityTerm, type PodAffinityTerms } from "../../affinity-terms.ts";
import { readingObject } from "../../input-error.ts";
import { isEmptySelector, NOTHING } from "../../selector.ts";
import type { Snapshot } from "../../snapshot.ts";
import { podKey } from "../../snapshot.ts";

export function mergeNamespaces<T extends AffinityTerm>(term: T, snapshot: Snapshot): T {
  if (isEmptySelector(term.namespaceSelector)) return term;
  const namespaces = new Set([...term.namespaces, ...snapshot.namespacesMatching(term.namespaceSelector)]);
  return { ...term, namespaces, namespaceSelector: NOTHING };
}

export function incomingTermsOf(pod: Pod, snapshot: Snapshot): PodAffinityTerms {
  const terms = readingObject(`Pod ${podKey(pod)}`, () => podAffinityTermsOf(pod));
  return {
    requiredAffinity: terms.requiredAffinity.map((term) => mergeNamespaces(term, snapshot)),
    requiredAntiAffinity: terms.requiredAntiAffinity.map((term) => mergeNamespaces(term, snapshot)),
    preferredAffinity: terms.preferredAffinity.map((term) => mergeNamespaces(term, snapshot)),
    preferredAntiAffinity: terms.preferredAntiAffinity.map((term) => mergeNamespaces(term, snapshot)),
  };
}
