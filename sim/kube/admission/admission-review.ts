// The AdmissionReview v1 the API server sends and the checks it makes of the answer (k8s.io/apiserver
// pkg/admission/plugin/webhook/request: CreateV1AdmissionReview, VerifyAdmissionResponse).
import { randomUUID } from "node:crypto";
import { isRecord } from "../../../api/index.ts";
import type { UserInfo } from "../auth/user-info.ts";
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";

export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE";

/** One request as admission sees it (admission.Attributes). */
export interface AdmissionAttributes {
  operation: AdmissionOperation;
  kind: ResourceKind;
  /** "" for the object itself; "status" for its status. */
  subresource: string;
  /** The request's namespace: "" for cluster-scoped kinds, the namespace's own name for a namespace. */
  namespace: string;
  name: string;
  /** The object after the change; absent on DELETE. */
  object?: KubeObject;
  /** The stored object on UPDATE and DELETE. */
  oldObject?: KubeObject;
  dryRun: boolean;
  user: UserInfo;
  /** The object's own kind when it is not the resource's (a pods/eviction request carries a policy/v1 Eviction). */
  objectKind?: { group: string; version: string; kind: string };
}

export type AdmissionRequest = Record<string, unknown> & { uid: string };

const OPTIONS_KIND = { CREATE: "CreateOptions", UPDATE: "UpdateOptions", DELETE: "DeleteOptions" } as const;

export function admissionRequest(a: AdmissionAttributes): AdmissionRequest {
  const kind = a.objectKind ?? { group: a.kind.group, version: a.kind.version, kind: a.kind.kind };
  const resource = { group: a.kind.group, version: a.kind.version, resource: a.kind.plural };
  const request: AdmissionRequest = {
    uid: randomUUID(),
    kind,
    resource,
    ...(a.subresource !== "" ? { subResource: a.subresource } : {}),
    requestKind: kind,
    requestResource: resource,
    ...(a.subresource !== "" ? { requestSubResource: a.subresource } : {}),
    name: a.name,
    ...(a.namespace !== "" ? { namespace: a.namespace } : {}),
    operation: a.operation,
    userInfo: { username: a.user.name, groups: [...a.user.groups] },
    object: a.object ?? null,
    oldObject: a.oldObject ?? null,
    dryRun: a.dryRun,
    options: { kind: OPTIONS_KIND[a.operation], apiVersion: "meta.k8s.io/v1" },
  };
  return request;
}

export function admissionReview(request: AdmissionRequest): string {
  return JSON.stringify({ kind: "AdmissionReview", apiVersion: "admission.k8s.io/v1", request });
}

export interface AdmissionResponse {
  allowed: boolean;
  status?: unknown;
  /** A mutating webhook's patch, still base64-encoded, and its type (checked when applied). */
  patch?: string;
  patchType?: string;
  warnings: string[];
}

/** VerifyAdmissionResponse: the answer, or why it is not one (reported as "received invalid webhook response"). */
export function verifyAdmissionResponse(
  uid: string,
  mutating: boolean,
  review: unknown,
): { response: AdmissionResponse } | { error: string } {
  if (!isRecord(review)) return { error: "the webhook response is not a JSON object" };
  const response = review.response;
  if (!isRecord(response)) return { error: "webhook response was absent" };
  if (response.uid !== uid) return { error: `expected response.uid="${uid}", got "${String(response.uid ?? "")}"` };
  const gvk = `${String(review.apiVersion ?? "")}, Kind=${String(review.kind ?? "")}`;
  if (review.apiVersion !== "admission.k8s.io/v1" || review.kind !== "AdmissionReview")
    return { error: `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gvk}` };
  const hasPatch = typeof response.patch === "string" && response.patch !== "";
  const hasPatchType = response.patchType !== undefined && response.patchType !== null;
  const out: AdmissionResponse = {
    allowed: response.allowed === true,
    warnings: Array.isArray(response.warnings)
      ? response.warnings.filter((w): w is string => typeof w === "string")
      : [],
  };
  if (response.status !== undefined) out.status = response.status;
  if (!mutating) {
    if (hasPatch) return { error: "validating webhook may not return response.patch" };
    if (hasPatchType) return { error: "validating webhook may not return response.patchType" };
    return { response: out };
  }
  if (hasPatch && !hasPatchType) return { error: "webhook returned response.patch but not response.patchType" };
  if (!hasPatch && hasPatchType) return { error: "webhook returned response.patchType but not response.patch" };
  if (!hasPatch) return { response: out };
  const patchType = String(response.patchType);
  if (patchType === "") return { error: `webhook returned invalid response.patchType of ""` };
  out.patch = response.patch as string;
  out.patchType = patchType;
  return { response: out };
}
