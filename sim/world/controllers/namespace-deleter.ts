// The namespace controller (pkg/controller/namespace/deletion, namespacedResourcesDeleter.Delete), one pass: a
// namespace being deleted has every object of every namespaced kind in it deleted (as DeleteCollection does:
// gracefully, in the background) and its conditions say what is left and which finalizers hold it; once nothing is
// left it loses its `kubernetes` finalizer (the finalize subresource), which completes its deletion.
import { timestamp, type ObjectStore } from "../../kube/store/object-store.ts";
import type { KubeObject } from "../../kube/store/resource-kind.ts";
import { finalizersOf, isBeingDeleted } from "./cluster-objects.ts";
import { namespaceConditions, type NamespaceContent } from "./namespace-conditions.ts";

export const KUBERNETES_FINALIZER = "kubernetes";

export function finalizeNamespaces(store: ObjectStore): void {
  const namespaces = store.registry.get("", "v1", "namespaces");
  for (const namespace of store.list(namespaces).items) {
    if (!isBeingDeleted(namespace)) continue;
    const name = String(namespace.metadata?.name);
    if (specFinalizers(namespace).includes(KUBERNETES_FINALIZER)) {
      const content = deleteContent(store, name);
      const status = (namespace.status ?? {}) as Record<string, unknown>;
      const conditions = namespaceConditions(status.conditions, content, timestamp(store.now()));
      const fresh = store.find(namespaces, undefined, name) ?? namespace;
      const written = store.update(
        namespaces,
        undefined,
        name,
        { ...fresh, status: { ...status, conditions } },
        { subresource: "status" },
      );
      if ([...content.remaining.values()].some((n) => n > 0)) continue;
      const spec = { ...((written.spec ?? {}) as Record<string, unknown>) };
      spec.finalizers = specFinalizers(written).filter((f) => f !== KUBERNETES_FINALIZER);
      store.update(namespaces, undefined, name, { ...written, spec });
    }
    const current = store.find(namespaces, undefined, name);
    if (current && specFinalizers(current).length === 0) store.delete(namespaces, undefined, name);
  }
}

/** Deletes what is left in the namespace; counts what remains (some may still be terminating) and what holds it. */
function deleteContent(store: ObjectStore, namespace: string): NamespaceContent {
  const content: NamespaceContent = { remaining: new Map(), finalizers: new Map() };
  for (const kind of store.registry.all()) {
    if (!kind.namespaced) continue;
    for (const object of store.list(kind, { namespace }).items) {
      const name = String(object.metadata?.name);
      const left = isBeingDeleted(object)
        ? object
        : store.delete(kind, namespace, name, { graceful: true }).deleted
          ? undefined
          : store.find(kind, namespace, name);
      if (!left) continue;
      const resource = `${kind.plural}.${kind.group}`;
      content.remaining.set(resource, (content.remaining.get(resource) ?? 0) + 1);
      for (const finalizer of finalizersOf(left))
        content.finalizers.set(finalizer, (content.finalizers.get(finalizer) ?? 0) + 1);
    }
  }
  return content;
}

function specFinalizers(namespace: KubeObject): string[] {
  const finalizers = (namespace.spec as Record<string, unknown> | undefined)?.finalizers;
  return Array.isArray(finalizers) ? (finalizers as string[]) : [];
}
