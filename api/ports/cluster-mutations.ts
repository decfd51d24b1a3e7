// Karpenter's small writes (finalizers, cordon, taints) as read-modify-write on the Cluster port, retried on a
// conflict as client-go's retry.RetryOnConflict (DefaultRetry: five attempts), so two writers never lose each
// other's change. Both implementations of the port share them.
import { cloneJson } from "../plain-object.ts";
import { ClusterError, isConflict, type Cluster, type ClusterResource, type ObjectKey } from "./cluster.ts";
import type { KubeObject, Node, Taint } from "./kube-objects.ts";

const CONFLICT_ATTEMPTS = 5;

/**
 * Reads the object fresh, lets `mutate` change a copy (returning false when nothing needs to change) and writes it
 * back with its resourceVersion; a conflict starts over from a new read.
 */
export async function mutateWithRetry<T extends KubeObject>(
  cluster: Pick<Cluster, "read" | "update">,
  resource: ClusterResource,
  key: ObjectKey,
  mutate: (object: T) => boolean,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = cloneJson((await cluster.read(resource, key)) as unknown as T);
    if (!mutate(current)) return current;
    try {
      return (await cluster.update(resource, current as never)) as unknown as T;
    } catch (error) {
      if (!isConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
    }
  }
}

export async function addFinalizer(
  cluster: Pick<Cluster, "read" | "update">,
  resource: ClusterResource,
  key: ObjectKey,
  finalizer: string,
): Promise<KubeObject> {
  return mutateWithRetry<KubeObject>(cluster, resource, key, (object) => {
    const finalizers = object.metadata.finalizers ?? [];
    if (finalizers.includes(finalizer)) return false;
    if (object.metadata.deletionTimestamp) {
      throw new ClusterError(
        422,
        "Forbidden",
        `${resource} "${key.name}": no new finalizers can be added if the object is being deleted`,
      );
    }
    object.metadata.finalizers = [...finalizers, finalizer];
    return true;
  });
}

/** Removes the finalizer; undefined when the object is gone (its last finalizer let it be deleted, or it was). */
export async function removeFinalizer(
  cluster: Pick<Cluster, "read" | "update">,
  resource: ClusterResource,
  key: ObjectKey,
  finalizer: string,
): Promise<KubeObject | undefined> {
  try {
    return await mutateWithRetry<KubeObject>(cluster, resource, key, (object) => {
      const finalizers = object.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return false;
      object.metadata.finalizers = finalizers.filter((f) => f !== finalizer);
      return true;
    });
  } catch (error) {
    if (error instanceof ClusterError && error.code === 404) return undefined;
    throw error;
  }
}

export async function cordonNode(
  cluster: Pick<Cluster, "read" | "update">,
  name: string,
  unschedulable: boolean,
): Promise<Node> {
  return mutateWithRetry<Node>(cluster, "nodes", { name }, (node) => {
    if ((node.spec?.unschedulable ?? false) === unschedulable) return false;
    node.spec = { ...node.spec };
    if (unschedulable) node.spec.unschedulable = true;
    else delete node.spec.unschedulable;
    return true;
  });
}

/** Taints are keyed by key and effect (v1 Taint.MatchTaint); adding one replaces a taint with the same pair. */
export async function taintNode(
  cluster: Pick<Cluster, "read" | "update">,
  name: string,
  taint: Taint,
  remove: boolean,
): Promise<Node> {
  return mutateWithRetry<Node>(cluster, "nodes", { name }, (node) => {
    const taints = node.spec?.taints ?? [];
    const others = taints.filter((t) => !(t.key === taint.key && t.effect === taint.effect));
    const next = remove ? others : [...others, taint];
    if (JSON.stringify(next) === JSON.stringify(taints)) return false;
    node.spec = { ...node.spec, taints: next };
    if (next.length === 0) delete node.spec.taints;
    return true;
  });
}
