// The pure core of poolkeeper's admission webhooks: AdmissionReview v1 in, a decision out (the response for the
// API server, and the findings behind it for logs and metrics). No HTTP, no clock, no cluster access: the server
// parses the body, fetches the cluster's view and the time, and passes them in.
export type {
  AdmissionContext,
  AdmissionDecision,
  AdmissionFinding,
  AdmissionOperation,
  AdmissionRequest,
  AdmissionResponse,
  AdmissionReview,
  Downgrade,
} from "./types.ts";
export { parseAdmissionReview, type ParsedReview } from "./parse.ts";
export { validateAdmission } from "./validate.ts";
export { mutateAdmission } from "./mutate.ts";
export { reviewResponse } from "./respond.ts";
export { rememberedDecision } from "./remembered-decisions.ts";
export { CROSS_OBJECT_RULES } from "./enforce.ts";
export { NODE_CLASS_IN_USE } from "./delete.ts";
export { MESSAGE_LIMIT, MESSAGE_LINE_LIMIT, WARNING_LIMIT, WARNINGS_TOTAL_LIMIT } from "./bounds.ts";
