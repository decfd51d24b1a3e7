/**
 * What the kubelet keeps from pods on a node (Karpenter's `cloudprovider.InstanceTypeOverhead`,
 * core:pkg/cloudprovider/types.go): reservations for Kubernetes daemons and for the OS, and the hard eviction
 * thresholds it keeps free.
 */
import { addResources, type ResourceList } from "../scheduling/index.ts";

export interface InstanceTypeOverhead {
  readonly kubeReserved: ResourceList;
  readonly systemReserved: ResourceList;
  readonly evictionThreshold: ResourceList;
}

/** The three summed per resource (`InstanceTypeOverhead.Total`). */
export function overheadTotal(overhead: InstanceTypeOverhead): ResourceList {
  return addResources(overhead.kubeReserved, overhead.systemReserved, overhead.evictionThreshold);
}
