// What every long-running command shares: structured logs, the HTTP(S) listener with TLS hot reload, limits on its
// clients and graceful shutdown, request bodies read under a limit and JSON measured before it is parsed, file
// watching, the metrics every server serves, and work in slices or in worker threads off the event loop. Only what other parts use is exported here; the
// pieces behind it (connection-drain.ts, the TLS material's loading) are this folder's own.
export type { Logger } from "../node_modules/pino/pino.d.ts";
export { DEFAULT_DEBOUNCE_MS, type FileWatch, type FileWatchOptions, watchFiles } from "./file-watch.ts";
export { jsonShapeProblem } from "./json-shape.ts";
export { createLogger, silentLogger } from "./log.ts";
export { createRegistry, sharedMetric, tlsMetrics } from "./metrics.ts";
export { SourceRateLimiter, type RateLimit } from "./rate-limit.ts";
export { readRequestBody } from "./request-body.ts";
export { createServing, DEFAULT_SERVING_LIMITS, type ServingLimits, type ServingTimeouts } from "./serving.ts";
export { runInSlices } from "./slices.ts";
export { throttledLog } from "./throttled-log.ts";
export { type CertificateInfo, certificateProblem, CertificateStore, TlsFileError } from "./tls.ts";
export { WorkerPool, WorkerPoolError, type WorkerPoolOptions, type WorkerReply } from "./worker-pool.ts";
