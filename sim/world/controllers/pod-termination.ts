// The kubelet's end of a graceful pod deletion: once a pod's deletionTimestamp (the end of its grace period) has
// come on the clock, its containers are taken as stopped and the pod is deleted with grace period 0 and its uid
// as a precondition, as the kubelet's status manager does (pkg/kubelet/status, canBeDeleted → Delete). The world
// runs no containers, so none stops early: the whole grace period passes. Finalizers still hold the pod after.
import type { ObjectStore } from "../../kube/store/object-store.ts";
import { isBeingDeleted } from "./cluster-objects.ts";

/** Deletes the pods whose grace period is over; returns when the next one ends, if any is pending. */
export function terminatePods(store: ObjectStore, now: Date): Date | undefined {
  const pods = store.registry.get("", "v1", "pods");
  let next: number | undefined;
  for (const pod of [...store.scan(pods)]) {
    if (!isBeingDeleted(pod)) continue;
    const grace = pod.metadata?.deletionGracePeriodSeconds;
    if (typeof grace !== "number" || grace === 0) continue; // nothing left for the kubelet to do
    const due = Date.parse(String(pod.metadata?.deletionTimestamp));
    if (due > now.getTime()) {
      next = next === undefined ? due : Math.min(next, due);
      continue;
    }
    store.delete(pods, String(pod.metadata?.namespace), String(pod.metadata?.name), {
      gracePeriodSeconds: 0,
      preconditions: { uid: String(pod.metadata?.uid) },
    });
  }
  return next === undefined ? undefined : new Date(next);
}
