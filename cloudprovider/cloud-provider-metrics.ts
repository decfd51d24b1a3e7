/**
 * A CloudProvider that counts and times every call of another (Karpenter's core:pkg/cloudprovider/metrics
 * `Decorate`, which records `karpenter_cloudprovider_duration_seconds` and `…_errors_total` per method):
 * `poolkeeper_cloudprovider_calls_total{method,error}` and `poolkeeper_cloudprovider_call_duration_seconds{method}`.
 * The `error` label is empty on success, else the error's class among the ones the controller acts on (a closed
 * set, so labels stay bounded), `other` for the rest. Durations are read from the clock.
 */
import type { Clock, EC2NodeClass, NodeClaim, NodePool } from "../api/index.ts";
import type { CloudProvider } from "./cloud-provider.ts";
import type { DriftReason } from "./drift-reason.ts";
import { CreateError, InsufficientCapacityError, NodeClaimNotFoundError, NodeClassNotReadyError } from "./errors.ts";
import type { InstanceType } from "./instance-type.ts";
import type { CapacityType } from "./offering.ts";

const KNOWN_ERRORS = [NodeClaimNotFoundError, InsufficientCapacityError, NodeClassNotReadyError, CreateError];

export function errorLabel(error: unknown): string {
  const known = KNOWN_ERRORS.find((type) => error instanceof type);
  return known === undefined ? "other" : known.name;
}

/**
 * Where the calls are counted and timed: a prom-client Counter and Histogram fit it (the controller makes them,
 * `createCloudProviderMetrics`), so this part stays free of the metrics library that `check` never needs.
 */
export interface CloudProviderMetrics {
  readonly calls: { inc(labels: { method: string; error: string }): void };
  readonly duration: { observe(labels: { method: string }, seconds: number): void };
}

/** `provider` with every call counted and timed into `metrics`. */
export function instrumentCloudProvider(
  provider: CloudProvider,
  metrics: CloudProviderMetrics,
  clock: Clock,
): CloudProvider {
  async function timed<T>(method: string, call: () => Promise<T>): Promise<T> {
    const start = clock.now().getTime();
    let error = "";
    try {
      return await call();
    } catch (thrown) {
      error = errorLabel(thrown);
      throw thrown;
    } finally {
      metrics.calls.inc({ method, error });
      metrics.duration.observe({ method }, (clock.now().getTime() - start) / 1000);
    }
  }
  return {
    create: (nodeClaim: NodeClaim) => timed("create", () => provider.create(nodeClaim)),
    delete: (nodeClaim: NodeClaim) => timed("delete", () => provider.delete(nodeClaim)),
    get: (providerID: string) => timed("get", () => provider.get(providerID)),
    list: () => timed("list", () => provider.list()),
    getInstanceTypes: (nodePool: NodePool, nodeClass: EC2NodeClass): Promise<InstanceType[]> =>
      timed("getInstanceTypes", () => provider.getInstanceTypes(nodePool, nodeClass)),
    isDrifted: (nodeClaim: NodeClaim, nodePool: NodePool, nodeClass: EC2NodeClass): Promise<DriftReason | undefined> =>
      timed("isDrifted", () => provider.isDrifted(nodeClaim, nodePool, nodeClass)),
    markUnavailable(instanceType: string, zone: string, capacityType: CapacityType, reason: string): void {
      provider.markUnavailable(instanceType, zone, capacityType, reason);
      metrics.calls.inc({ method: "markUnavailable", error: "" });
    },
  };
}
