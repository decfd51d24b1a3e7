// What every long-running command shares: structured logs, the HTTP(S) listener with TLS hot reload, limits on its
// clients and graceful shutdown, request bodies read under a limit and JSON measured before it is parsed, file
// watching, and the metrics every server serves. Only what other parts use is exported here; the
// pieces behind it (connection-drain.ts, the TLS material's loading) are this folder's own.
export { createLogger, silentLogger, type Logger } from "./log.ts";
export { DEFAULT_DEBOUNCE_MS, watchFiles, type FileWatch, type FileWatchOptions } from "./file-watch.ts";
export { certificateProblem, CertificateStore, TlsFileError, type CertificateInfo } from "./tls.ts";
export { createServing, DEFAULT_SERVING_LIMITS, type ServingLimits, type ServingTimeouts } from "./serving.ts";
export { readRequestBody, type BodyRead } from "./request-body.ts";
export { jsonShapeProblem, type JsonShapeLimits } from "./json-shape.ts";
export { SourceRateLimiter, type RateLimit } from "./rate-limit.ts";
export { throttledLog } from "./throttled-log.ts";
export { createRegistry, sharedMetric, tlsMetrics } from "./metrics.ts";
