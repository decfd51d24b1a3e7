// The garbage collector's dependency graph, kept from the store's events as kube-controller-manager's GraphBuilder
// keeps uidToNode from its informers (pkg/controller/garbagecollector/graph_builder.go, processGraphChanges): each
// object by uid with its owners, each owner's dependents, and the two queues the collector works from —
// attemptToDelete (objects whose own ownerReferences or whose owners changed, added or went away) and the owners
// being deleted with the `orphan` or `foregroundDeletion` finalizer. A write costs the object's own references, not
// a walk of every object: the collector's pass reads only what changed since the last one.
import type { ObjectStore, StoreWatch, WatchEvent } from "../../kube/store/object-store.ts";
import type { KubeObject, ResourceKind } from "../../kube/store/resource-kind.ts";
import { finalizersOf, isBeingDeleted, ownerReferencesOf, type ClusterObject } from "./cluster-objects.ts";

export const FOREGROUND_DELETION = "foregroundDeletion";
export const ORPHAN = "orphan";

interface GraphNode extends ClusterObject {
  uid: string;
  /** The owner uids this object names, as last seen. */
  owners: readonly string[];
}

export class OwnerGraph {
  readonly #nodes = new Map<string, GraphNode>();
  readonly #dependents = new Map<string, Set<string>>();
  readonly #attemptToDelete = new Set<string>();
  readonly #deletingOwners = new Set<string>();
  readonly #kindOrder = new Map<ResourceKind, number>();
  readonly #watches: StoreWatch[] = [];

  /** Fills the graph with the store's objects and follows its changes (read-only watches, no copies); once. */
  start(store: ObjectStore): this {
    if (this.#watches.length > 0) return this;
    for (const [index, kind] of store.registry.all().entries()) {
      this.#kindOrder.set(kind, index);
      this.#watches.push(store.watch(kind, { readOnly: true }, (event) => this.#observe(kind, event)));
    }
    return this;
  }

  stop(): void {
    for (const watch of this.#watches.splice(0)) watch.stop();
  }

  /** Whether a pass of the collector has something to look at. */
  hasWork(): boolean {
    return this.#attemptToDelete.size > 0 || this.#deletingOwners.size > 0;
  }

  /** The object with this uid as stored now (read-only), or undefined when it is gone. */
  byUid(uid: string): ClusterObject | undefined {
    return this.#nodes.get(uid);
  }

  /** The objects that name `uid` among their owners, as stored now. */
  dependents(uid: string): ClusterObject[] {
    const out: ClusterObject[] = [];
    for (const dependent of this.#dependents.get(uid) ?? []) {
      const node = this.#nodes.get(dependent);
      if (node) out.push(node);
    }
    return out;
  }

  /** Owners being deleted with the `orphan` or `foregroundDeletion` finalizer, in the store's kind order. */
  deletingOwners(): ClusterObject[] {
    return this.#ordered(this.#deletingOwners);
  }

  /** attemptToDelete's queue, emptied: objects with owners to look at again, in the store's kind order. */
  takeAttemptToDelete(): ClusterObject[] {
    const taken = this.#ordered(this.#attemptToDelete);
    this.#attemptToDelete.clear();
    return taken;
  }

  #ordered(uids: Iterable<string>): ClusterObject[] {
    const nodes: GraphNode[] = [];
    for (const uid of uids) {
      const node = this.#nodes.get(uid);
      if (node) nodes.push(node);
    }
    return nodes.sort((a, b) => this.#order(a) - this.#order(b) || compareKeys(a.object, b.object));
  }

  #order(node: GraphNode): number {
    return this.#kindOrder.get(node.kind) ?? Number.MAX_SAFE_INTEGER;
  }

  #observe(kind: ResourceKind, event: WatchEvent): void {
    if (event.type !== "ADDED" && event.type !== "MODIFIED" && event.type !== "DELETED") return;
    const object = event.object;
    const uid = object.metadata?.uid;
    if (typeof uid !== "string") return;
    // Whatever happened to an object, its dependents' view of their owner changed (gone, or now waiting for its
    // dependents): they are looked at again.
    for (const dependent of this.#dependents.get(uid) ?? []) this.#attemptToDelete.add(dependent);
    const previous = this.#nodes.get(uid);
    if (event.type === "DELETED") {
      if (previous) this.#unlink(previous);
      this.#nodes.delete(uid);
      this.#attemptToDelete.delete(uid);
      this.#deletingOwners.delete(uid);
      return;
    }
    const owners = ownerReferencesOf(object).map((ref) => ref.uid);
    const node: GraphNode = { kind, object, uid, owners };
    if (previous) this.#unlink(previous);
    this.#nodes.set(uid, node);
    for (const owner of owners) {
      const dependents = this.#dependents.get(owner);
      if (dependents) dependents.add(uid);
      else this.#dependents.set(owner, new Set([uid]));
    }
    if (owners.length > 0) this.#attemptToDelete.add(uid);
    const finalizers = isBeingDeleted(object) ? finalizersOf(object) : [];
    if (finalizers.includes(ORPHAN) || finalizers.includes(FOREGROUND_DELETION)) this.#deletingOwners.add(uid);
    else this.#deletingOwners.delete(uid);
  }

  #unlink(node: GraphNode): void {
    for (const owner of node.owners) {
      const dependents = this.#dependents.get(owner);
      dependents?.delete(node.uid);
      if (dependents?.size === 0) this.#dependents.delete(owner);
    }
  }
}

function compareKeys(a: KubeObject, b: KubeObject): number {
  const ka = `${String(a.metadata?.namespace ?? "")}/${String(a.metadata?.name ?? "")}`;
  const kb = `${String(b.metadata?.namespace ?? "")}/${String(b.metadata?.name ?? "")}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
