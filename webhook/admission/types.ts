// The AdmissionReview v1 wire types (admission.k8s.io/v1, the only version poolkeeper's webhook configurations
// ask for) and what the pure core gives the HTTPS server: a response plus the findings behind it, for logs and
// metrics.
import type { InstanceTypeCatalog } from "../../cloudprovider/index.ts";
import type { CompiledPolicy } from "../../policies/index.ts";
import type { Finding } from "../../policies/index.ts";

export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: AdmissionOperation;
  userInfo?: { username?: string; uid?: string; groups?: string[] };
  /** The new object; null on DELETE. */
  object?: unknown;
  /** The stored object on UPDATE and DELETE; null on CREATE. */
  oldObject?: unknown;
  dryRun?: boolean;
  options?: unknown;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  warnings?: string[];
  patchType?: "JSONPatch";
  /** Base64 of the JSON array of RFC 6902 operations. */
  patch?: string;
}

export interface AdmissionReview {
  apiVersion: "admission.k8s.io/v1";
  kind: "AdmissionReview";
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

export interface AdmissionContext {
  policy: CompiledPolicy;
  catalog?: InstanceTypeCatalog;
  /**
   * The cluster's NodePools and EC2NodeClasses, already fetched; undefined when there is no view (then
   * cross-object rules warn instead of deny, and a DELETE cannot be checked for references).
   */
  cluster?: { nodePools: readonly unknown[]; nodeClasses: readonly unknown[] };
  now: Date;
}

/**
 * Why the webhook enforces a finding at another severity than the policy gives it:
 * - `pre-existing`: an UPDATE did not introduce it (the stored object has it too, at a field the UPDATE leaves
 *   unchanged: policies/ratchet.ts), so it warns (ratcheting);
 * - `no-cluster-view`: a cross-object rule judged without the cluster's objects, so it warns.
 */
export type Downgrade = "pre-existing" | "no-cluster-view";

/** A finding as the webhook enforced it: the policy's finding, possibly downgraded from deny to warn. */
export interface AdmissionFinding extends Finding {
  downgraded?: Downgrade;
}

export interface AdmissionDecision {
  response: AdmissionResponse;
  /** What the engine found on the object (and the DELETE check), before ratcheting and downgrades. */
  findings: readonly Finding[];
  /**
   * For logs and metrics: the deny, warn and audit findings as enforced (after ratcheting and downgrades). Empty
   * for mutation, which enforces nothing (the validating webhook judges the object after it).
   */
  denied: readonly AdmissionFinding[];
  warned: readonly AdmissionFinding[];
  audited: readonly AdmissionFinding[];
  /** Mutation only: the findings whose patches the response carries (empty for validation). */
  patched: readonly Finding[];
  kind: string;
  name: string;
  operation: string;
  /** Set when the core failed on this request (a bug): what went wrong, for the server's log. */
  error?: string;
}
