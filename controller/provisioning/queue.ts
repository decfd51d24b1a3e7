/**
 * The order pods are scheduled in (Karpenter's `Queue`, core:pkg/controllers/provisioning/scheduling/queue.go
 * byCPUAndMemoryDescending): larger CPU requests first, then larger memory, so big pods claim room before small
 * ones fill it. Karpenter then breaks ties by creation time and UID; this cut keeps the input order for ties (a
 * stable sort), which callers give by creation time.
 */
import type { PodConstraints } from "./pod-constraints.ts";

export function byQueueOrder(a: PodConstraints, b: PodConstraints): number {
  for (const resource of ["cpu", "memory"]) {
    const x = a.requests[resource]?.nanos ?? 0n;
    const y = b.requests[resource]?.nanos ?? 0n;
    if (x !== y) return x > y ? -1 : 1;
  }
  return 0;
}
