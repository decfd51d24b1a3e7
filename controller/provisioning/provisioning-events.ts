/**
 * The Events provisioning records on pods (Karpenter's core:pkg/controllers/provisioning/scheduling/events.go):
 * `Nominated` with where the pod should schedule, and `FailedScheduling` with why it cannot — here each NodePool's
 * explanation, where Karpenter gives its last error.
 */
import type { EventRecord, ObjectReference, Pod } from "../../api/index.ts";
import type { Unschedulable } from "./scheduler.ts";

export function podReference(pod: Pod): ObjectReference {
  return {
    apiVersion: "v1",
    kind: "Pod",
    namespace: pod.metadata.namespace ?? "default",
    name: pod.metadata.name ?? "",
    ...(pod.metadata.uid === undefined ? {} : { uid: pod.metadata.uid }),
  };
}

/** `target` as Karpenter names it: `nodeclaim/<name>`, or `node/<name>` for a node without a NodeClaim. */
export function nominatedEvent(pod: Pod, target: string): EventRecord {
  return {
    involved: podReference(pod),
    type: "Normal",
    reason: "Nominated",
    message: `Pod should schedule on: ${target}`,
  };
}

export function failedSchedulingEvent(pod: Pod, unschedulable: Unschedulable): EventRecord {
  return {
    involved: podReference(pod),
    type: "Warning",
    reason: "FailedScheduling",
    message: `Failed to schedule pod, ${unschedulableMessage(unschedulable)}`,
  };
}

/** Every pool's explanation, or the one message when there was no pool to explain against. */
export function unschedulableMessage(unschedulable: Unschedulable): string {
  const parts = unschedulable.explanations.map((e) => e.message);
  if (unschedulable.message !== undefined) parts.unshift(unschedulable.message);
  return parts.join("; ");
}
