/**
 * Provisioning's prom-client metrics (Karpenter's `karpenter_pods_*`, `karpenter_provisioner_scheduling_duration_
 * seconds`, `karpenter_nodeclaims_created_total`, under `poolkeeper_`), and the running $/h of each NodePool that
 * Karpenter does not have.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface ProvisioningMetrics {
  readonly podsScheduled: Counter<"destination">;
  readonly podsUnschedulable: Gauge;
  readonly schedulingDuration: Histogram;
  readonly nodeClaimsLaunched: Counter<"nodepool" | "capacity_type">;
  readonly insufficientCapacity: Counter<"nodepool">;
  readonly hourlyCost: Gauge<"nodepool">;
}

export function createProvisioningMetrics(registry: Registry): ProvisioningMetrics {
  const registers = [registry];
  return {
    podsScheduled: new Counter({
      name: "poolkeeper_provisioning_pods_scheduled_total",
      help: "Pods provisioning placed, on existing or in-flight capacity or on a new NodeClaim.",
      labelNames: ["destination"] as const,
      registers,
    }),
    podsUnschedulable: new Gauge({
      name: "poolkeeper_provisioning_pods_unschedulable",
      help: "Pods the last scheduling run could not place, each with an explanation in a FailedScheduling event.",
      registers,
    }),
    schedulingDuration: new Histogram({
      name: "poolkeeper_provisioning_scheduling_duration_seconds",
      help: "Duration of one scheduling run, from the snapshot to the decisions.",
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    nodeClaimsLaunched: new Counter({
      name: "poolkeeper_nodeclaims_launched_total",
      help: "NodeClaims launched, by NodePool and the capacity type launched.",
      labelNames: ["nodepool", "capacity_type"] as const,
      registers,
    }),
    insufficientCapacity: new Counter({
      name: "poolkeeper_nodeclaims_insufficient_capacity_total",
      help: "NodeClaims deleted because no offering they allowed could be launched, by NodePool.",
      labelNames: ["nodepool"] as const,
      registers,
    }),
    hourlyCost: new Gauge({
      name: "poolkeeper_nodepool_hourly_cost_dollars",
      help: "USD per hour of a NodePool's launched NodeClaims, each at the price of the offering it launched into.",
      labelNames: ["nodepool"] as const,
      registers,
    }),
  };
}
