// The admission webhook's public surface: the HTTPS server and what embedding code (the `serve` command, tests)
// needs around it. The pure decision core is webhook/admission/.
export {
  createWebhookServer,
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  MAX_BODY_BYTES,
  MAX_REVIEW_DEPTH,
  MAX_REVIEW_VALUES,
  type Readiness,
  type WebhookLimits,
  type WebhookServer,
  type WebhookServerOptions,
  type WebhookTimeouts,
} from "./server.ts";
export { createMetrics, type WebhookMetrics } from "./metrics.ts";
export { loadPolicyFiles, PolicyFileError, type PolicySource } from "./policy-store.ts";
