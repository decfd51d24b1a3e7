// An object with its kind, and what the garbage collector and the namespace controller read of any object's
// metadata: its owners, finalizers and whether it is being deleted.
import type { OwnerReference } from "../../../api/index.ts";
import type { KubeObject, ResourceKind } from "../../kube/store/resource-kind.ts";

export interface ClusterObject {
  kind: ResourceKind;
  object: KubeObject;
}

export function ownerReferencesOf(object: KubeObject): OwnerReference[] {
  const refs = object.metadata?.ownerReferences;
  return Array.isArray(refs) ? (refs as OwnerReference[]).filter((r) => typeof r?.uid === "string") : [];
}

export function finalizersOf(object: KubeObject): string[] {
  const finalizers = object.metadata?.finalizers;
  return Array.isArray(finalizers) ? (finalizers as string[]) : [];
}

export function isBeingDeleted(object: KubeObject): boolean {
  return object.metadata?.deletionTimestamp !== undefined;
}
