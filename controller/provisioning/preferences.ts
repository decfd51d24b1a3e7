/**
 * Relaxing a pod's preferences one at a time when it cannot be placed (Karpenter's `Preferences.Relax`,
 * core:pkg/controllers/provisioning/scheduling/preferences.go, under `PREFERENCE_POLICY=Respect`): preferred terms
 * are held as if required, then dropped in Karpenter's order — the heaviest preferred pod-affinity term, then the
 * heaviest preferred pod-anti-affinity term, then the heaviest preferred node-affinity term, then a ScheduleAnyway
 * spread. Karpenter first drops required node-affinity terms one by one; here every required term is tried as an
 * alternative on each attempt instead (pod-constraints.ts), so no required term is given up for good.
 * `PREFERENCE_POLICY=Ignore` drops them all before scheduling.
 */
import { type PodConstraints, withPreferredNode } from "./pod-constraints.ts";
import type { AffinityKind } from "./pod-topology-terms.ts";

export type PreferencePolicy = "Respect" | "Ignore";

export interface Relaxed {
  readonly pod: PodConstraints;
  /** What was dropped, in Karpenter's log words. */
  readonly relaxed: string;
}

/** The pod with one preference fewer, or undefined when none is left. */
export function relax(pod: PodConstraints): Relaxed | undefined {
  for (const kind of ["affinity", "anti-affinity"] as const) {
    const dropped = withoutPreferredTerm(pod, kind);
    if (dropped !== undefined) return dropped;
  }
  const [, ...lighter] = pod.preferredNode;
  if (pod.preferredNode.length > 0) {
    return { pod: withPreferredNode(pod, lighter), relaxed: "removed preferred node affinity term" };
  }
  const index = pod.spreads.findIndex((s) => !s.required);
  if (index >= 0) {
    return {
      pod: { ...pod, spreads: pod.spreads.filter((_, i) => i !== index) },
      relaxed: `removed ScheduleAnyway topology spread on ${pod.spreads[index]?.topologyKey ?? ""}`,
    };
  }
  return undefined;
}

/** The pod as scheduled under `PREFERENCE_POLICY=Ignore`: required terms only. */
export function withoutPreferences(pod: PodConstraints): PodConstraints {
  return {
    ...withPreferredNode(pod, []),
    affinityTerms: pod.affinityTerms.filter((t) => t.weight === undefined),
    spreads: pod.spreads.filter((s) => s.required),
  };
}

// Terms are kept heaviest first (pod-topology-terms.ts), so the first preferred one is the heaviest.
function withoutPreferredTerm(pod: PodConstraints, kind: AffinityKind): Relaxed | undefined {
  const index = pod.affinityTerms.findIndex((t) => t.kind === kind && t.weight !== undefined);
  if (index < 0) return undefined;
  return {
    pod: { ...pod, affinityTerms: pod.affinityTerms.filter((_, i) => i !== index) },
    relaxed: `removed preferred pod ${kind} term`,
  };
}
