// The Kubernetes client's metrics, as client-go's rest_client_requests_total and request latency: every request
// counted by verb, resource and HTTP code (or "<error>" when none came back), and its duration.
import { Counter, Histogram, type Registry } from "prom-client";
import { sharedMetric } from "../../runtime/index.ts";

export interface KubeClientMetrics {
  requests: Counter<"verb" | "resource" | "code">;
  duration: Histogram<"verb" | "resource">;
}

const REQUESTS = "poolkeeper_kube_client_requests_total";
const DURATION = "poolkeeper_kube_client_request_duration_seconds";

/** The client's metrics in `registry` (shared by every client on it). */
export function kubeClientMetrics(registry: Registry): KubeClientMetrics {
  const registers = [registry];
  return {
    requests: sharedMetric(
      registry,
      REQUESTS,
      () =>
        new Counter({
          name: REQUESTS,
          help: "Requests to the Kubernetes API server by verb, resource and HTTP status code.",
          labelNames: ["verb", "resource", "code"],
          registers,
        }),
    ),
    duration: sharedMetric(
      registry,
      DURATION,
      () =>
        new Histogram({
          name: DURATION,
          help: "Time from sending a request to the Kubernetes API server to its response, by verb and resource.",
          labelNames: ["verb", "resource"],
          // client-go's rest_client_request_duration_seconds buckets.
          buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
          registers,
        }),
    ),
  };
}
