// The garbage collector (pkg/controller/garbagecollector), one pass over the whole store:
// - an owner being deleted with the `orphan` finalizer has its references removed from every dependent, then the
//   finalizer (orphanDependents);
// - an owner being deleted with the `foregroundDeletion` finalizer has its dependents deleted, and loses the
//   finalizer once none that blocks owner deletion is left (processDeletingDependentsItem);
// - an object whose owners are all gone (or waiting for their dependents) is deleted; one with a live owner
//   besides gone ones only loses the references to those (attemptToDeleteItem's solid / dangling / waiting).
// An owner is found by the reference's kind, namespace (the dependent's, for a namespaced owner) and name, and
// must carry the reference's uid. References to kinds the cluster does not serve are left alone.
import type { OwnerReference } from "../../../api/index.ts";
import type { DeletionPropagation, ObjectStore } from "../../kube/store/object-store.ts";
import type { KubeObject } from "../../kube/store/resource-kind.ts";
import {
  clusterObjects,
  finalizersOf,
  isBeingDeleted,
  ownerReferencesOf,
  type ClusterObject,
  type ClusterObjects,
} from "./cluster-objects.ts";

export const FOREGROUND_DELETION = "foregroundDeletion";
export const ORPHAN = "orphan";

/** One pass of the garbage collector; the store's writes are what it did. */
export function collectGarbage(store: ObjectStore): void {
  const graph = clusterObjects(store);
  for (const entry of graph.all) {
    if (!isBeingDeleted(entry.object)) continue;
    const finalizers = finalizersOf(entry.object);
    if (finalizers.includes(ORPHAN)) orphanDependents(store, graph, entry);
    else if (finalizers.includes(FOREGROUND_DELETION)) deleteDependents(store, graph, entry);
  }
  for (const entry of graph.all) {
    if (ownerReferencesOf(entry.object).length === 0) continue;
    // Read afresh: the owners' finalizers above may have just orphaned it.
    const fresh = store.find(entry.kind, namespaceOf(entry.object), nameOf(entry.object));
    if (fresh && ownerReferencesOf(fresh).length > 0 && !isBeingDeleted(fresh))
      attemptToDelete(store, graph, { kind: entry.kind, object: fresh });
  }
}

function orphanDependents(store: ObjectStore, graph: ClusterObjects, owner: ClusterObject): void {
  const uid = String(owner.object.metadata?.uid);
  for (const dependent of graph.dependents.get(uid) ?? []) removeOwnerReferences(store, dependent, new Set([uid]));
  removeFinalizer(store, owner, ORPHAN);
}

function deleteDependents(store: ObjectStore, graph: ClusterObjects, owner: ClusterObject): void {
  const dependents = (graph.dependents.get(String(owner.object.metadata?.uid)) ?? []).filter((d) =>
    store.find(d.kind, namespaceOf(d.object), nameOf(d.object)),
  );
  for (const dependent of dependents) {
    if (isBeingDeleted(dependent.object)) continue;
    const hasDependents = (graph.dependents.get(String(dependent.object.metadata?.uid)) ?? []).length > 0;
    deleteObject(store, dependent, hasDependents ? "Foreground" : "Background");
  }
  const blocking = dependents.filter(
    (d) =>
      store.find(d.kind, namespaceOf(d.object), nameOf(d.object)) &&
      ownerReferencesOf(d.object).some((r) => r.uid === owner.object.metadata?.uid && r.blockOwnerDeletion === true),
  );
  if (blocking.length === 0) removeFinalizer(store, owner, FOREGROUND_DELETION);
}

function attemptToDelete(store: ObjectStore, graph: ClusterObjects, entry: ClusterObject): void {
  const solid: OwnerReference[] = [];
  const gone = new Set<string>();
  let waiting = false;
  for (const ref of ownerReferencesOf(entry.object)) {
    const state = ownerState(store, graph, entry, ref);
    if (state === "solid" || state === "unknown") solid.push(ref);
    else {
      gone.add(ref.uid);
      if (state === "waiting") waiting = true;
    }
  }
  if (gone.size === 0) return;
  if (solid.length > 0) {
    removeOwnerReferences(store, entry, gone);
    return;
  }
  const finalizers = finalizersOf(entry.object);
  const hasDependents = (graph.dependents.get(String(entry.object.metadata?.uid)) ?? []).length > 0;
  const policy: DeletionPropagation = finalizers.includes(ORPHAN)
    ? "Orphan"
    : finalizers.includes(FOREGROUND_DELETION) || (waiting && hasDependents)
      ? "Foreground"
      : "Background";
  deleteObject(store, entry, policy);
}

// classifyReferences: the owner exists with that uid (solid), is being deleted in the foreground (waiting), or
// is gone (dangling). A kind the cluster does not serve cannot be looked up: treated as solid.
function ownerState(
  store: ObjectStore,
  graph: ClusterObjects,
  dependent: ClusterObject,
  ref: OwnerReference,
): "solid" | "waiting" | "dangling" | "unknown" {
  const kind = store.registry.byKind(ref.apiVersion, ref.kind);
  if (!kind) return "unknown";
  const namespace = kind.namespaced ? namespaceOf(dependent.object) : undefined;
  const owner = store.find(kind, namespace, ref.name);
  if (!owner || owner.metadata?.uid !== ref.uid) return "dangling";
  const known = graph.byUid.get(ref.uid)?.object ?? owner;
  return isBeingDeleted(known) && finalizersOf(known).includes(FOREGROUND_DELETION) ? "waiting" : "solid";
}

function removeOwnerReferences(store: ObjectStore, entry: ClusterObject, uids: Set<string>): void {
  const fresh = store.find(entry.kind, namespaceOf(entry.object), nameOf(entry.object));
  if (!fresh) return;
  const kept = ownerReferencesOf(fresh).filter((r) => !uids.has(r.uid));
  const metadata = { ...fresh.metadata };
  if (kept.length > 0) metadata.ownerReferences = kept;
  else delete metadata.ownerReferences;
  store.update(entry.kind, namespaceOf(fresh), nameOf(fresh), { ...fresh, metadata }, { allFields: true });
}

function removeFinalizer(store: ObjectStore, entry: ClusterObject, finalizer: string): void {
  const fresh = store.find(entry.kind, namespaceOf(entry.object), nameOf(entry.object));
  if (!fresh || !finalizersOf(fresh).includes(finalizer)) return;
  const metadata = { ...fresh.metadata, finalizers: finalizersOf(fresh).filter((f) => f !== finalizer) };
  store.update(entry.kind, namespaceOf(fresh), nameOf(fresh), { ...fresh, metadata }, { allFields: true });
}

function deleteObject(store: ObjectStore, entry: ClusterObject, propagationPolicy: DeletionPropagation): void {
  const uid = String(entry.object.metadata?.uid);
  if (!store.find(entry.kind, namespaceOf(entry.object), nameOf(entry.object))) return;
  store.delete(entry.kind, namespaceOf(entry.object), nameOf(entry.object), {
    propagationPolicy,
    graceful: true,
    preconditions: { uid },
  });
}

function namespaceOf(object: KubeObject): string | undefined {
  const namespace = object.metadata?.namespace;
  return typeof namespace === "string" && namespace !== "" ? namespace : undefined;
}

function nameOf(object: KubeObject): string {
  return String(object.metadata?.name ?? "");
}
