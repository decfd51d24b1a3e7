/**
 * PodTopologySpread's constraints (pkg/scheduler/framework/plugins/podtopologyspread/common.go): the pod's own
 * constraints of one `whenUnsatisfiable` kind, or, when it has none, the system defaults (hostname maxSkew 3,
 * zone maxSkew 5, both ScheduleAnyway) over the selector of its Services and controller.
 */
import type { Node, Pod, TopologySpreadConstraint } from "../../../objects.ts";
import { namespaceOf } from "../../../objects.ts";
import { defaultSelector } from "../../default-selector.ts";
import { readingObject } from "../../input-error.ts";
import type { RequiredNodeAffinity } from "../../node-selector.ts";
import {
  addRequirements,
  isEmptySelector,
  labelSelectorAsSelector,
  matchesSelector,
  selectorFromSet,
  type Selector,
} from "../../selector.ts";
import type { PodInfo, Snapshot } from "../../snapshot.ts";
import { podKey } from "../../snapshot.ts";
import { doNotScheduleTaint, findMatchingUntoleratedTaint } from "../../tolerations.ts";

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

export const LABEL_HOSTNAME = "kubernetes.io/hostname";

/** systemDefaultConstraints (plugin.go), used with `DefaultingType: System`, the default. */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: "ScheduleAnyway", maxSkew: 3 },
  { topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", maxSkew: 5 },
];

export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: Selector;
  readonly minDomains: number;
  readonly nodeAffinityPolicy: "Honor" | "Ignore";
  readonly nodeTaintsPolicy: "Honor" | "Ignore";
}

/** `filterTopologySpreadConstraints`, with matchLabelKeys merged into the selector. */
function filterConstraints(
  constraints: readonly TopologySpreadConstraint[],
  podLabels: Readonly<Record<string, string>> | undefined,
  action: TopologySpreadConstraint["whenUnsatisfiable"],
): SpreadConstraint[] {
  const result: SpreadConstraint[] = [];
  constraints.forEach((constraint, index) => {
    if (constraint.whenUnsatisfiable !== action) return;
    let selector = labelSelectorAsSelector(
      constraint.labelSelector,
      `spec.topologySpreadConstraints[${index}].labelSelector`,
    );
    const matchLabels: Record<string, string> = {};
    for (const key of constraint.matchLabelKeys ?? []) {
      const value = podLabels?.[key];
      if (value !== undefined) matchLabels[key] = value;
    }
    if (Object.keys(matchLabels).length > 0 && selector.requirements !== undefined) {
      selector = addRequirements(selectorFromSet(matchLabels), selector.requirements);
    }
    result.push({
      maxSkew: constraint.maxSkew,
      topologyKey: constraint.topologyKey,
      selector,
      minDomains: constraint.minDomains ?? 1,
      nodeAffinityPolicy: constraint.nodeAffinityPolicy ?? "Honor",
      nodeTaintsPolicy: constraint.nodeTaintsPolicy ?? "Ignore",
    });
  });
  return result;
}

/** The constraints of one kind that apply to the pod (its own, or the system defaults). */
export function constraintsOf(
  pod: Pod,
  snapshot: Snapshot,
  action: TopologySpreadConstraint["whenUnsatisfiable"],
): SpreadConstraint[] {
  return readingObject(`Pod ${podKey(pod)}`, () => {
    const own = pod.spec.topologySpreadConstraints ?? [];
    if (own.length > 0) return filterConstraints(own, pod.metadata.labels, action);
    const constraints = filterConstraints(SYSTEM_DEFAULT_CONSTRAINTS, pod.metadata.labels, action);
    if (constraints.length === 0) return [];
    const selector = defaultSelector(pod, snapshot);
    if (isEmptySelector(selector)) return [];
    return constraints.map((constraint) => ({ ...constraint, selector }));
  });
}

/** `matchNodeInclusionPolicies`: nodeAffinityPolicy Honor skips nodes the pod's affinity excludes; taints likewise. */
export function matchesNodeInclusionPolicies(
  constraint: SpreadConstraint,
  pod: Pod,
  node: Node,
  required: RequiredNodeAffinity,
): boolean {
  if (constraint.nodeAffinityPolicy === "Honor" && !required.match(node)) return false;
  if (constraint.nodeTaintsPolicy === "Honor") {
    if (findMatchingUntoleratedTaint(node.spec?.taints, pod.spec.tolerations, doNotScheduleTaint) !== undefined) {
      return false;
    }
  }
  return true;
}

/** `nodeLabelsMatchSpreadConstraints`: the node carries every constraint's topology key. */
export function nodeHasAllTopologyKeys(node: Node, constraints: readonly SpreadConstraint[]): boolean {
  const labels = node.metadata.labels ?? {};
  return constraints.every((constraint) => Object.hasOwn(labels, constraint.topologyKey));
}

/** `countPodsMatchSelector`: same namespace, not terminating; an empty selector counts nothing. */
export function countPodsMatchSelector(pods: readonly PodInfo[], selector: Selector, namespace: string): number {
  if (isEmptySelector(selector)) return 0;
  return pods.filter(
    ({ pod }) =>
      pod.metadata.deletionTimestamp === undefined &&
      namespaceOf(pod) === namespace &&
      matchesSelector(selector, pod.metadata.labels),
  ).length;
}
