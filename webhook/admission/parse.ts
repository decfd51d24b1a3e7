// Checks the decoded body of a webhook call before anything judges it. A body that fails here is not an
// AdmissionReview the API server would send (a probe, a misconfigured caller, a v1beta1-only configuration): the
// server answers HTTP 400 with the sentence. Only the envelope is checked; a malformed `object` inside a
// well-formed review is judged (the engine reports what is wrong with it).
import { isRecord } from "../../api/index.ts";
import type { AdmissionOperation, AdmissionRequest } from "./types.ts";

const API_VERSION = "admission.k8s.io/v1";
const OPERATIONS: readonly AdmissionOperation[] = ["CREATE", "UPDATE", "DELETE", "CONNECT"];

export type ParsedReview = { ok: true; request: AdmissionRequest } | { ok: false; error: string };

/** Checks a decoded JSON body: returns the request, or one sentence naming what is wrong. Never throws. */
export function parseAdmissionReview(body: unknown): ParsedReview {
  try {
    const error = reviewError(body);
    if (error) return { ok: false, error };
    return { ok: true, request: (body as { request: AdmissionRequest }).request };
  } catch (error) {
    // Getters or proxies cannot come out of JSON.parse; this only guards callers that pass something else.
    return { ok: false, error: `the body could not be read (${error instanceof Error ? error.message : "unknown"})` };
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

function reviewError(body: unknown): string | undefined {
  if (!isRecord(body)) return `the body is ${describe(body)}, not a JSON object (an AdmissionReview)`;
  if (body.kind !== "AdmissionReview") return `kind is ${describe(body.kind)}, expected "AdmissionReview"`;
  if (body.apiVersion !== API_VERSION) {
    return `apiVersion is ${describe(body.apiVersion)}, expected "${API_VERSION}" (set admissionReviewVersions: ["v1"] in the webhook configuration)`;
  }
  const request = body.request;
  if (request === undefined || request === null) return "the AdmissionReview has no request";
  if (!isRecord(request)) return `request is ${describe(request)}, not an object`;
  return requestError(request);
}

function requestError(request: Record<string, unknown>): string | undefined {
  if (request.uid === undefined || request.uid === null) return "request.uid is missing";
  if (typeof request.uid !== "string") return `request.uid is ${describe(request.uid)}, not a string`;
  if (request.uid === "") return "request.uid is empty";
  const kindError = gvkError(request.kind, "request.kind", "kind");
  if (kindError) return kindError;
  if (request.operation === undefined || request.operation === null) return "request.operation is missing";
  if (!OPERATIONS.includes(request.operation as AdmissionOperation)) {
    return `request.operation is ${describe(request.operation)}, expected one of ${OPERATIONS.join(", ")}`;
  }
  if (request.resource !== undefined && request.resource !== null) {
    const resourceError = gvkError(request.resource, "request.resource", "resource");
    if (resourceError) return resourceError;
  }
  for (const field of ["subResource", "name", "namespace"] as const) {
    const value = request[field];
    if (value !== undefined && value !== null && typeof value !== "string") {
      return `request.${field} is ${describe(value)}, not a string`;
    }
  }
  if (request.dryRun !== undefined && request.dryRun !== null && typeof request.dryRun !== "boolean") {
    return `request.dryRun is ${describe(request.dryRun)}, not a boolean`;
  }
  return userInfoError(request.userInfo);
}

/** GroupVersionKind or GroupVersionResource: three strings, the last one non-empty (the core group is ""). */
function gvkError(value: unknown, where: string, last: "kind" | "resource"): string | undefined {
  if (value === undefined || value === null) return `${where} is missing`;
  if (!isRecord(value)) return `${where} is ${describe(value)}, not an object`;
  for (const field of ["group", "version", last]) {
    if (typeof value[field] !== "string") return `${where}.${field} is ${describe(value[field])}, not a string`;
  }
  if (value[last] === "") return `${where}.${last} is empty`;
  return undefined;
}

function userInfoError(userInfo: unknown): string | undefined {
  if (userInfo === undefined || userInfo === null) return undefined;
  if (!isRecord(userInfo)) return `request.userInfo is ${describe(userInfo)}, not an object`;
  for (const field of ["username", "uid"]) {
    const value = userInfo[field];
    if (value !== undefined && typeof value !== "string")
      return `request.userInfo.${field} is ${describe(value)}, not a string`;
  }
  const groups = userInfo.groups;
  if (groups !== undefined && (!Array.isArray(groups) || groups.some((g) => typeof g !== "string"))) {
    return "request.userInfo.groups is not a list of strings";
  }
  return undefined;
}
