// The prom-client metrics the cloud provider's decorator (cloudprovider's `instrumentCloudProvider`) records into,
// made here rather than in cloudprovider/, which `check` loads and which so stays free of the metrics library.
import { Counter, Histogram, type Registry } from "prom-client";
import type { CloudProviderMetrics } from "../cloudprovider/index.ts";

export function createCloudProviderMetrics(registry: Registry): CloudProviderMetrics {
  const registers = [registry];
  return {
    calls: new Counter({
      name: "poolkeeper_cloudprovider_calls_total",
      help: "Cloud provider calls, by method and error class (empty on success).",
      labelNames: ["method", "error"] as const,
      registers,
    }),
    duration: new Histogram({
      name: "poolkeeper_cloudprovider_call_duration_seconds",
      help: "Duration of cloud provider calls, by method.",
      labelNames: ["method"] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
  };
}
