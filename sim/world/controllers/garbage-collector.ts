// The garbage collector (pkg/controller/garbagecollector), one pass over what changed since the last (the graph
// and its queues, owner-graph.ts, kept from the store's events as GraphBuilder keeps them):
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
import { finalizersOf, isBeingDeleted, ownerReferencesOf, type ClusterObject } from "./cluster-objects.ts";
import { FOREGROUND_DELETION, ORPHAN, type OwnerGraph } from "./owner-graph.ts";

export { FOREGROUND_DELETION, ORPHAN } from "./owner-graph.ts";

/** One pass of the garbage collector over the graph's queues; the store's writes are what it did. */
export function collectGarbage(store: ObjectStore, graph: OwnerGraph): void {
  for (const entry of graph.deletingOwners()) {
    const finalizers = finalizersOf(entry.object);
    if (finalizers.includes(ORPHAN)) orphanDependents(store, graph, entry);
    else if (finalizers.includes(FOREGROUND_DELETION)) deleteDependents(store, graph, entry);
  }
  for (const entry of graph.takeAttemptToDelete()) {
    // Read afresh: the owners' finalizers above may have just orphaned it.
    const fresh = graph.byUid(uidOf(entry.object));
    if (fresh && ownerReferencesOf(fresh.object).length > 0 && !isBeingDeleted(fresh.object))
      attemptToDelete(store, graph, fresh);
  }
}

function orphanDependents(store: ObjectStore, graph: OwnerGraph, owner: ClusterObject): void {
  const uid = uidOf(owner.object);
  for (const dependent of graph.dependents(uid)) removeOwnerReferences(store, dependent, new Set([uid]));
  removeFinalizer(store, owner, ORPHAN);
}

function deleteDependents(store: ObjectStore, graph: OwnerGraph, owner: ClusterObject): void {
  const uid = uidOf(owner.object);
  for (const dependent of graph.dependents(uid)) {
    if (isBeingDeleted(dependent.object)) continue;
    const hasDependents = graph.dependents(uidOf(dependent.object)).length > 0;
    deleteObject(store, graph, dependent, hasDependents ? "Foreground" : "Background");
  }
  // What is left of them after those deletions (pods in their grace period stay).
  const blocking = graph
    .dependents(uid)
    .filter((d) => ownerReferencesOf(d.object).some((r) => r.uid === uid && r.blockOwnerDeletion === true));
  if (blocking.length === 0) removeFinalizer(store, owner, FOREGROUND_DELETION);
}

function attemptToDelete(store: ObjectStore, graph: OwnerGraph, entry: ClusterObject): void {
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
  const hasDependents = graph.dependents(uidOf(entry.object)).length > 0;
  const policy: DeletionPropagation = finalizers.includes(ORPHAN)
    ? "Orphan"
    : finalizers.includes(FOREGROUND_DELETION) || (waiting && hasDependents)
      ? "Foreground"
      : "Background";
  deleteObject(store, graph, entry, policy);
}

// classifyReferences: the owner exists with that uid (solid), is being deleted in the foreground (waiting), or
// is gone (dangling). A kind the cluster does not serve cannot be looked up: treated as solid. The owner is the
// object of the reference's kind, namespace (the dependent's, for a namespaced owner) and name carrying its uid.
function ownerState(
  store: ObjectStore,
  graph: OwnerGraph,
  dependent: ClusterObject,
  ref: OwnerReference,
): "solid" | "waiting" | "dangling" | "unknown" {
  const kind = store.registry.byKind(ref.apiVersion, ref.kind);
  if (!kind) return "unknown";
  const namespace = kind.namespaced ? namespaceOf(dependent.object) : undefined;
  const owner = graph.byUid(ref.uid);
  if (!owner || owner.kind !== kind || namespaceOf(owner.object) !== namespace || nameOf(owner.object) !== ref.name)
    return "dangling";
  return isBeingDeleted(owner.object) && finalizersOf(owner.object).includes(FOREGROUND_DELETION) ? "waiting" : "solid";
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

function deleteObject(
  store: ObjectStore,
  graph: OwnerGraph,
  entry: ClusterObject,
  propagationPolicy: DeletionPropagation,
): void {
  const uid = uidOf(entry.object);
  if (!graph.byUid(uid)) return;
  store.delete(entry.kind, namespaceOf(entry.object), nameOf(entry.object), {
    propagationPolicy,
    graceful: true,
    preconditions: { uid },
  });
}

function uidOf(object: KubeObject): string {
  return String(object.metadata?.uid);
}

function namespaceOf(object: KubeObject): string | undefined {
  const namespace = object.metadata?.namespace;
  return typeof namespace === "string" && namespace !== "" ? namespace : undefined;
}

function nameOf(object: KubeObject): string {
  return String(object.metadata?.name ?? "");
}
