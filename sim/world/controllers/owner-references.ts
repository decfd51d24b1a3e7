// Controller references (metav1.OwnerReference with controller: true): how a controller claims the objects it
// made (metav1.NewControllerRef, metav1.GetControllerOf).
import type { OwnerReference } from "../../../api/index.ts";
import { apiVersionOf, type KubeObject, type ResourceKind } from "../../kube/store/resource-kind.ts";

/** metav1.GetControllerOf: the owner reference marked as the controller, if any. */
export function controllerOf(object: KubeObject): OwnerReference | undefined {
  const refs = (object.metadata?.ownerReferences as OwnerReference[] | undefined) ?? [];
  return refs.find((r) => r.controller === true);
}

/** metav1.NewControllerRef. */
export function newControllerRef(owner: KubeObject, kind: ResourceKind): OwnerReference {
  return {
    apiVersion: apiVersionOf(kind),
    kind: kind.kind,
    name: String(owner.metadata?.name),
    uid: String(owner.metadata?.uid),
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether `owner` is the controller of `object`. */
export function isControlledBy(object: KubeObject, owner: KubeObject): boolean {
  return controllerOf(object)?.uid === owner.metadata?.uid;
}
