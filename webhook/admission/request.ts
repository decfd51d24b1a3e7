// What a request is about, read defensively: the server parses the envelope first (parse.ts), but the core is
// also called directly (tests, replays), so nothing here assumes a field is there or has its type.
import { isKarpenterKind, isRecord } from "../../api/index.ts";
import type { AdmissionRequest } from "./types.ts";

/** The kinds the webhook judges, by API group; the CRDs serve only v1, but any version is accepted and judged. */
const JUDGED: Readonly<Record<string, string>> = { NodePool: "karpenter.sh", EC2NodeClass: "karpenter.k8s.aws" };

export interface Subject {
  uid: string;
  kind: string;
  name: string;
  /** metadata.generateName of a CREATE the API server has yet to name. */
  generateName?: string;
  operation: string;
}

function metadataOf(object: unknown): Record<string, unknown> {
  return isRecord(object) && isRecord(object.metadata) ? object.metadata : {};
}

export function subjectOf(request: AdmissionRequest): Subject {
  const r: Record<string, unknown> = isRecord(request) ? request : {};
  const kind = isRecord(r.kind) && typeof r.kind.kind === "string" ? r.kind.kind : "";
  const object = isRecord(r.object) ? r.object : r.oldObject;
  const metadata = metadataOf(object);
  const name =
    typeof r.name === "string" && r.name !== "" ? r.name : typeof metadata.name === "string" ? metadata.name : "";
  return {
    uid: typeof r.uid === "string" ? r.uid : "",
    kind,
    name,
    ...(name === "" && typeof metadata.generateName === "string" ? { generateName: metadata.generateName } : {}),
    operation: typeof r.operation === "string" ? r.operation : "",
  };
}

/** A NodePool (karpenter.sh) or an EC2NodeClass (karpenter.k8s.aws), by the request's kind. */
export function isJudgedKind(request: AdmissionRequest): boolean {
  const kind = isRecord(request) && isRecord(request.kind) ? request.kind : undefined;
  return kind !== undefined && typeof kind.kind === "string" && JUDGED[kind.kind] === kind.group;
}

/**
 * A request to a subresource (`status`, `scale`): Karpenter's status writes, or a Scale object, never the policy's
 * business. Only a non-empty string counts, so that a malformed field cannot make a request skip judgement.
 */
export function isSubresource(request: AdmissionRequest): boolean {
  return typeof request.subResource === "string" && request.subResource !== "";
}

/**
 * Whether a request's object is the kind of object the request says it is: an object whose apiVersion is one of
 * the kind's group. Anything else cannot have come from the API server.
 */
export function isObjectOfRequest(object: unknown, request: AdmissionRequest): object is Record<string, unknown> {
  return isRecord(object) && object.kind === request.kind.kind && isKarpenterKind(object.apiVersion, object.kind);
}

/** Whether the object is on its way out (metadata.deletionTimestamp is set). */
export function isBeingDeleted(object: unknown): boolean {
  const deletion = metadataOf(object).deletionTimestamp;
  return typeof deletion === "string" && deletion !== "";
}

export function nameOf(object: unknown): string {
  const name = metadataOf(object).name;
  return typeof name === "string" ? name : "";
}
