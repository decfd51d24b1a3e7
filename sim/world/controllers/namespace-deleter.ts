// The namespace controller (pkg/controller/namespace/deletion, namespacedResourcesDeleter.Delete), one pass: a
// namespace being deleted has every object of every namespaced kind in it deleted (as DeleteCollection does:
// gracefully, in the background); once none is left it loses its `kubernetes` finalizer (the finalize
// subresource) and is deleted again, which now removes it.
import type { ObjectStore } from "../../kube/store/object-store.ts";
import type { KubeObject } from "../../kube/store/resource-kind.ts";
import { isBeingDeleted } from "./cluster-objects.ts";

export const KUBERNETES_FINALIZER = "kubernetes";

export function finalizeNamespaces(store: ObjectStore): void {
  const namespaces = store.registry.get("", "v1", "namespaces");
  for (const namespace of store.list(namespaces).items) {
    if (!isBeingDeleted(namespace)) continue;
    const name = String(namespace.metadata?.name);
    if (specFinalizers(namespace).includes(KUBERNETES_FINALIZER)) {
      if (deleteContent(store, name) > 0) continue;
      const spec = { ...((namespace.spec ?? {}) as Record<string, unknown>) };
      spec.finalizers = specFinalizers(namespace).filter((f) => f !== KUBERNETES_FINALIZER);
      store.update(namespaces, undefined, name, { ...namespace, spec });
    }
    const current = store.find(namespaces, undefined, name);
    if (current && specFinalizers(current).length === 0) store.delete(namespaces, undefined, name);
  }
}

/** Deletes what is left in the namespace; returns how many objects remain (some may still be terminating). */
function deleteContent(store: ObjectStore, namespace: string): number {
  let remaining = 0;
  for (const kind of store.registry.all()) {
    if (!kind.namespaced) continue;
    for (const object of store.list(kind, { namespace }).items) {
      remaining += 1;
      if (isBeingDeleted(object)) continue;
      store.delete(kind, namespace, String(object.metadata?.name), { graceful: true });
    }
  }
  return remaining;
}

function specFinalizers(namespace: KubeObject): string[] {
  const finalizers = (namespace.spec as Record<string, unknown> | undefined)?.finalizers;
  return Array.isArray(finalizers) ? (finalizers as string[]) : [];
}
