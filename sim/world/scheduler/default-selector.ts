/**
 * helper.DefaultSelector (pkg/scheduler/framework/plugins/helper/spread.go): the selector default topology
 * spreading uses for a pod that sets no constraints of its own: the selectors of the Services that select it,
 * plus its controller's (ReplicationController, ReplicaSet or StatefulSet) selector.
 */
import type { LabelSelector, Pod } from "../objects.ts";
import { namespaceOf } from "../objects.ts";
import {
  addRequirements,
  labelSelectorAsSelector,
  matchesSelector,
  selectorFromSet,
  type Selector,
} from "./selector.ts";
import type { Snapshot } from "./snapshot.ts";

function sameNamespace(pod: Pod, object: { metadata: { namespace?: string } }): boolean {
  return (object.metadata.namespace ?? "") === namespaceOf(pod);
}

export function defaultSelector(pod: Pod, snapshot: Snapshot): Selector {
  const objects = snapshot.objects;
  let labelSet: Record<string, string> = {};
  for (const service of objects.services ?? []) {
    const selector = service.spec?.selector;
    // GetPodServices: only services with a selector, in the pod's namespace, that select the pod.
    if (selector === undefined || !sameNamespace(pod, service)) continue;
    if (!matchesSelector(selectorFromSet(selector), pod.metadata.labels)) continue;
    labelSet = { ...labelSet, ...selector };
  }
  let selector = selectorFromSet(labelSet);
  const owner = (pod.metadata.ownerReferences ?? []).find((reference) => reference.controller === true);
  if (owner === undefined) return selector;
  const named = <T extends { metadata: { name: string; namespace?: string } }>(list: readonly T[] | undefined) =>
    (list ?? []).find((object) => object.metadata.name === owner.name && sameNamespace(pod, object));
  const addLabelSelector = (labelSelector: LabelSelector) => {
    const other = labelSelectorAsSelector(labelSelector, "spec.selector");
    if (other.requirements !== undefined) selector = addRequirements(selector, other.requirements);
  };
  if (owner.apiVersion === "v1" && owner.kind === "ReplicationController") {
    const rc = named(objects.replicationControllers);
    if (rc !== undefined) selector = selectorFromSet({ ...labelSet, ...(rc.spec?.selector ?? {}) });
  } else if (owner.apiVersion === "apps/v1" && owner.kind === "ReplicaSet") {
    const rs = named(objects.replicaSets);
    if (rs !== undefined) addLabelSelector(rs.spec.selector);
  } else if (owner.apiVersion === "apps/v1" && owner.kind === "StatefulSet") {
    const ss = named(objects.statefulSets);
    if (ss !== undefined) addLabelSelector(ss.spec.selector);
  }
  return selector;
}
