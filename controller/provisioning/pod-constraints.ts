/**
 * What a pod asks of a node, read once from its spec (Karpenter's `scheduling.NewPodRequirements` and
 * `Preferences`, core:pkg/scheduling/requirements.go): nodeSelector AND-ed with each required node-affinity term;
 * the terms are OR-ed, so the result is a list of alternatives, tried in order as Karpenter relaxes from one term
 * to the next. The heaviest preferred node-affinity term is AND-ed into each alternative until relaxed away
 * (preferences.ts), as is what the pod's bound volumes require (volume-topology.ts). Tolerations as written; topology
 * spread, pod (anti-)affinity terms and host ports parsed once. `matchFields` terms are not read (Karpenter ignores
 * them too).
 */
import type { Pod } from "../../api/index.ts";
import { ValueError } from "../../api/index.ts";
import {
  type NodeSelectorRequirement,
  RequirementSet,
  type ResourceList,
  type Toleration,
} from "../../scheduling/index.ts";
import { type HostPort, podHostPorts } from "./host-ports.ts";
import { podRequests } from "./pod-requests.ts";
import { podAffinityTerms, type PodAffinityTerm, type TopologySpread, topologySpreads } from "./pod-topology-terms.ts";
import { type VolumeRequirements, volumeRequirements } from "./volume-topology.ts";

export interface PreferredNodeTerm {
  readonly weight: number;
  readonly requirements: RequirementSet;
}

export interface PodConstraints {
  readonly pod: Pod;
  /** `namespace/name`, for placements and explanations. */
  readonly key: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly requests: ResourceList;
  /** What scheduling asks now: each required alternative with the heaviest preferred term left. */
  readonly alternatives: readonly RequirementSet[];
  /** One per required node-affinity term (one when there are none); each with the nodeSelector and volumes. */
  readonly required: readonly RequirementSet[];
  /** Preferred node-affinity terms not yet relaxed, heaviest first. */
  readonly preferredNode: readonly PreferredNodeTerm[];
  readonly tolerations: readonly Toleration[];
  /** Spreads not yet relaxed (DoNotSchedule ones never are). */
  readonly spreads: readonly TopologySpread[];
  /** Pod affinity and anti-affinity terms: required ones, and preferred ones not yet relaxed. */
  readonly affinityTerms: readonly PodAffinityTerm[];
  readonly hostPorts: readonly HostPort[];
  /** What the pod's bound PersistentVolumeClaims require of the node's labels, with the claims' names. */
  readonly volumes: VolumeRequirements | undefined;
}

interface NodeAffinityShape {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchExpressions?: unknown[] }[] };
  preferredDuringSchedulingIgnoredDuringExecution?: {
    weight?: unknown;
    preference?: { matchExpressions?: unknown[] };
  }[];
}

/** Looks up what a bound PersistentVolumeClaim (`namespace/name`) requires of the node, when the snapshot knows. */
export type VolumeLookup = (claim: string) => readonly NodeSelectorRequirement[] | undefined;

/** Throws ValueError naming the pod and field when a selector, requirement or topology term is malformed. */
export function podConstraints(pod: Pod, volumeLookup?: VolumeLookup): PodConstraints {
  const key = podKey(pod);
  const where = `pod ${key}`;
  const spec = pod.spec ?? {};
  const labels = pod.metadata.labels ?? {};
  const selector = Object.entries((spec["nodeSelector"] ?? {}) as Record<string, string>).map(
    ([label, value]): NodeSelectorRequirement => ({ key: label, operator: "In", values: [value] }),
  );
  const volumes = volumeRequirements(pod, spec, volumeLookup, where);
  const nodeAffinity = ((spec["affinity"] as { nodeAffinity?: NodeAffinityShape } | undefined)?.nodeAffinity ??
    {}) as NodeAffinityShape;
  const terms = nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const termLists = terms.length === 0 ? [[]] : terms.map((term) => term.matchExpressions ?? []);
  const required = termLists.map((expressions, index) => {
    const path =
      terms.length === 0
        ? "spec.nodeSelector"
        : `spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${index}]`;
    const set = requirementSet([...selector, ...(expressions as NodeSelectorRequirement[])], `${where} ${path}`);
    return volumes === undefined ? set : set.intersection(volumes.requirements);
  });
  const preferredPath = `${where} spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution`;
  const preferredNode = (nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution ?? [])
    .map((term, index): PreferredNodeTerm => {
      const weight = term.weight;
      if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 1 || weight > 100) {
        throw new ValueError(`${preferredPath}[${index}].weight: expected an integer from 1 to 100`, weight);
      }
      const expressions = (term.preference?.matchExpressions ?? []) as NodeSelectorRequirement[];
      return { weight, requirements: requirementSet(expressions, `${preferredPath}[${index}].preference`) };
    })
    // Heaviest first, a stable sort (Karpenter sorts preferred terms by weight before taking the first).
    .sort((a, b) => b.weight - a.weight);
  return withPreferredNode(
    {
      pod,
      key,
      namespace: pod.metadata.namespace ?? "default",
      labels,
      requests: podRequests(pod),
      alternatives: required,
      required,
      preferredNode,
      tolerations: (spec["tolerations"] ?? []) as Toleration[],
      spreads: topologySpreads(spec, labels, where),
      affinityTerms: podAffinityTerms(spec, where),
      hostPorts: podHostPorts(spec, where),
      volumes,
    },
    preferredNode,
  );
}

/** The constraints with these preferred node terms left, the heaviest AND-ed into each required alternative. */
export function withPreferredNode(pod: PodConstraints, preferredNode: readonly PreferredNodeTerm[]): PodConstraints {
  const [heaviest] = preferredNode;
  const alternatives =
    heaviest === undefined ? pod.required : pod.required.map((alt) => alt.intersection(heaviest.requirements));
  return { ...pod, preferredNode, alternatives };
}

function requirementSet(requirements: readonly NodeSelectorRequirement[], path: string): RequirementSet {
  try {
    return RequirementSet.fromRequirements(requirements);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    throw new ValueError(`${path}: ${error.message}`, requirements, { cause: error });
  }
}

/** `namespace/name`. */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? "default"}/${pod.metadata.name ?? "?"}`;
}
