// Every object of every served kind at one moment, indexed by uid, with each owner's dependents: the garbage
// collector's dependency graph (pkg/controller/garbagecollector GraphBuilder's uidToNode), rebuilt per pass.
import type { OwnerReference } from "../../../api/index.ts";
import type { ObjectStore } from "../../kube/store/object-store.ts";
import type { KubeObject, ResourceKind } from "../../kube/store/resource-kind.ts";

export interface ClusterObject {
  kind: ResourceKind;
  object: KubeObject;
}

export interface ClusterObjects {
  all: ClusterObject[];
  byUid: Map<string, ClusterObject>;
  /** Owner uid → the objects that name it in their ownerReferences. */
  dependents: Map<string, ClusterObject[]>;
}

export function clusterObjects(store: ObjectStore): ClusterObjects {
  const all: ClusterObject[] = [];
  // Read as stored (no copies): the collector only reads them, and re-reads an object before it writes.
  for (const kind of store.registry.all()) for (const object of store.scan(kind)) all.push({ kind, object });
  const byUid = new Map<string, ClusterObject>();
  const dependents = new Map<string, ClusterObject[]>();
  for (const entry of all) {
    byUid.set(String(entry.object.metadata?.uid), entry);
    for (const ref of ownerReferencesOf(entry.object)) {
      const list = dependents.get(ref.uid);
      if (list) list.push(entry);
      else dependents.set(ref.uid, [entry]);
    }
  }
  return { all, byUid, dependents };
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
