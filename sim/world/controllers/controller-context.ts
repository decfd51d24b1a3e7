// What every reconcile function is given: the store to read and write, the kinds, the time, and the pods of a
// namespace as they were at the start of the pass (a pass that writes is followed by another, so a reconcile
// that acted on a stale list sees its own writes next time).
import { isDeepStrictEqual } from "node:util";
import type { ObjectStore } from "../../kube/store/object-store.ts";
import type { KubeObject, ResourceKind } from "../../kube/store/resource-kind.ts";
import type { WorldKinds } from "./world-kinds.ts";

export interface ControllerContext {
  store: ObjectStore;
  kinds: WorldKinds;
  now(): Date;
  podsIn(namespace: string): KubeObject[];
  /** Asks for another reconcile at `at` (the disruption controller's DisruptedPods expiry). */
  requeueAt(at: Date): void;
}

export function namespaceOf(object: KubeObject): string {
  return String(object.metadata?.namespace ?? "");
}

export function nameOf(object: KubeObject): string {
  return String(object.metadata?.name ?? "");
}

/**
 * Writes `status` onto the stored object (read afresh: an earlier write of the same pass may have moved its
 * resourceVersion on, and the pass is synchronous, so nothing else can have changed it meanwhile).
 */
export function writeStatus(
  ctx: ControllerContext,
  kind: ResourceKind,
  object: KubeObject,
  status: Record<string, unknown>,
): void {
  if (isDeepStrictEqual(object.status, status)) return; // nothing to write; spares the store's validation
  const fresh = ctx.store.find(kind, namespaceOf(object) || undefined, nameOf(object));
  if (!fresh) return;
  ctx.store.update(
    kind,
    namespaceOf(object) || undefined,
    nameOf(object),
    { ...fresh, status },
    { subresource: "status" },
  );
}
