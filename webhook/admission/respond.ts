// AdmissionResponse shapes. A denial carries HTTP 403 and reason Forbidden, as controller-runtime's
// admission.Denied does and the Kubernetes documentation's example shows: kubectl then prints
// `Error from server (Forbidden): admission webhook "…" denied the request: <message>`. (Without a code the API
// server would use 400 — it raises any code below 400 — which reads as a malformed request, not a refusal.)
import type { Operation } from "fast-json-patch";
import type { Finding } from "../../policies/index.ts";
import type { Subject } from "./request.ts";
import type { AdmissionDecision, AdmissionFinding, AdmissionResponse, AdmissionReview } from "./types.ts";

export const FORBIDDEN = { code: 403, reason: "Forbidden" } as const;
export const BAD_REQUEST = { code: 400, reason: "BadRequest" } as const;
export const INTERNAL_ERROR = { code: 500, reason: "InternalError" } as const;

export function allowed(uid: string, warnings: readonly string[] = []): AdmissionResponse {
  return { uid, allowed: true, ...(warnings.length > 0 ? { warnings: [...warnings] } : {}) };
}

export function refused(
  uid: string,
  status: { code: number; reason: string },
  message: string,
  warnings: readonly string[] = [],
): AdmissionResponse {
  return {
    uid,
    allowed: false,
    status: { code: status.code, message, reason: status.reason },
    ...(warnings.length > 0 ? { warnings: [...warnings] } : {}),
  };
}

/** `patchType: JSONPatch` with the operations as base64 of their JSON, as the API server reads them. */
export function withPatch(response: AdmissionResponse, operations: readonly Operation[]): AdmissionResponse {
  if (operations.length === 0) return response;
  const patch = Buffer.from(JSON.stringify(operations), "utf8").toString("base64");
  return { ...response, patchType: "JSONPatch", patch };
}

/** Wraps a response into the AdmissionReview the API server expects back. */
export function reviewResponse(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response };
}

export interface DecisionParts {
  findings?: readonly Finding[];
  enforced?: readonly AdmissionFinding[];
  patched?: readonly Finding[];
}

export function decision(subject: Subject, response: AdmissionResponse, parts: DecisionParts = {}): AdmissionDecision {
  const enforced = parts.enforced ?? [];
  return {
    response,
    findings: parts.findings ?? [],
    denied: enforced.filter((f) => f.severity === "deny"),
    warned: enforced.filter((f) => f.severity === "warn"),
    audited: enforced.filter((f) => f.severity === "audit"),
    patched: parts.patched ?? [],
    kind: subject.kind,
    name: subject.name,
    operation: subject.operation,
  };
}
