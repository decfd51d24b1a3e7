/**
 * What a pod asks of a node, read once from its spec (Karpenter's `scheduling.NewPodRequirements` and
 * `Preferences`, core:pkg/scheduling/requirements.go): nodeSelector AND-ed with each required node-affinity term;
 * the terms are OR-ed, so the result is a list of alternatives, tried in order as Karpenter relaxes from one term
 * to the next. Tolerations as written. `matchFields` terms are not read (Karpenter ignores them too).
 */
import type { Pod } from "../../api/index.ts";
import { ValueError } from "../../api/index.ts";
import {
  type NodeSelectorRequirement,
  RequirementSet,
  type ResourceList,
  type Toleration,
} from "../../scheduling/index.ts";
import { podRequests } from "./pod-requests.ts";

export interface PodConstraints {
  readonly pod: Pod;
  /** `namespace/name`, for placements and explanations. */
  readonly key: string;
  readonly requests: ResourceList;
  /** One per required node-affinity term (one when there are none); each includes the nodeSelector. */
  readonly alternatives: readonly RequirementSet[];
  readonly tolerations: readonly Toleration[];
}

interface AffinityShape {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchExpressions?: unknown[] }[] };
  };
}

/** Throws ValueError naming the pod and field when a selector or requirement is malformed. */
export function podConstraints(pod: Pod): PodConstraints {
  const key = podKey(pod);
  const spec = pod.spec ?? {};
  const selector = Object.entries((spec["nodeSelector"] ?? {}) as Record<string, string>).map(
    ([label, value]): NodeSelectorRequirement => ({ key: label, operator: "In", values: [value] }),
  );
  const terms =
    (spec["affinity"] as AffinityShape | undefined)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  const termLists = terms.length === 0 ? [[]] : terms.map((term) => term.matchExpressions ?? []);
  const alternatives = termLists.map((expressions, index) => {
    const path =
      terms.length === 0
        ? "spec.nodeSelector"
        : `spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${index}]`;
    try {
      return RequirementSet.fromRequirements([...selector, ...(expressions as NodeSelectorRequirement[])]);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      throw new ValueError(`pod ${key} ${path}: ${error.message}`, expressions, { cause: error });
    }
  });
  return {
    pod,
    key,
    requests: podRequests(pod),
    alternatives,
    tolerations: (spec["tolerations"] ?? []) as Toleration[],
  };
}

/** `namespace/name`. */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? "default"}/${pod.metadata.name ?? "?"}`;
}
