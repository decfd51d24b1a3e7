// The Prometheus metrics every long-running command serves, whatever else it does: prom-client's Node.js process
// metrics, and the two metrics of a serving certificate (reloads refused, expiry). Each command keeps its own
// metrics next to its code (webhook/metrics.ts, gitops/metrics.ts) and registers them into the same registry.
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from "prom-client";

/** A new registry, with the process metrics (CPU, memory, event-loop lag, GC) unless `processMetrics` is false. */
export function createRegistry(options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The metric called `name` in `registry`, made by `create` (which registers it there) the first time: two servers
 * on one registry (a restart in tests, the admission webhook and the push hook in one process) share it instead of
 * failing on the duplicate name.
 */
export function sharedMetric<T extends Metric>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export interface TlsMetrics {
  tlsReloadErrors: Counter;
  /** notAfter of the certificate being served, for an expiry alert independent of cert-manager. */
  certificateExpiry: Gauge;
}

const TLS_RELOAD_ERRORS = "poolkeeper_tls_reload_errors_total";
const CERTIFICATE_EXPIRY = "poolkeeper_tls_certificate_expiry_timestamp_seconds";

/** The serving certificate's metrics in `registry` (shared with any server already serving TLS on it). */
export function tlsMetrics(registry: Registry): TlsMetrics {
  const registers = [registry];
  return {
    tlsReloadErrors: sharedMetric(
      registry,
      TLS_RELOAD_ERRORS,
      () =>
        new Counter({
          name: TLS_RELOAD_ERRORS,
          help: "Serving certificate reloads that failed; the previous certificate stays in use.",
          registers,
        }),
    ),
    certificateExpiry: sharedMetric(
      registry,
      CERTIFICATE_EXPIRY,
      () =>
        new Gauge({
          name: CERTIFICATE_EXPIRY,
          help: "Expiry (notAfter) of the serving certificate in use, in seconds since the epoch.",
          registers,
        }),
    ),
  };
}

export interface ServingMetrics {
  connectionsDropped: Counter;
  requestsShed: Counter;
}

const CONNECTIONS_DROPPED = "poolkeeper_http_connections_dropped_total";
const REQUESTS_SHED = "poolkeeper_http_requests_shed_total";

/** The listener's metrics in `registry` (shared with any other server on it). */
export function servingMetrics(registry: Registry): ServingMetrics {
  const registers = [registry];
  return {
    connectionsDropped: sharedMetric(
      registry,
      CONNECTIONS_DROPPED,
      () =>
        new Counter({
          name: CONNECTIONS_DROPPED,
          help: "Connections closed as they were accepted, because the server had its maxConnections open.",
          registers,
        }),
    ),
    requestsShed: sharedMetric(
      registry,
      REQUESTS_SHED,
      () =>
        new Counter({
          name: REQUESTS_SHED,
          help: "Requests answered 503 (Retry-After) because the server had its maxInFlight requests in flight.",
          registers,
        }),
    ),
  };
}
