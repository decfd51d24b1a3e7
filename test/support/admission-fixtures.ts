// AdmissionReviews as the API server sends them, built from the upstream Karpenter examples: CRD defaults applied
// (the API server defaults while decoding, before any webhook), the metadata it fills in, and — for objects it
// has stored — what Karpenter writes on them: its drift-hash annotations, the EC2NodeClass finalizer, a status.
//
// Where the metadata comes from (k8s.io/apiserver): on CREATE, managedFields are set before admission, but uid,
// creationTimestamp and generation only in the store's BeforeCreate, which runs after the mutating webhooks and
// before the validating ones. On UPDATE both webhooks see the stored object's metadata, with generation raised
// when anything but metadata and status changed; on the main resource, status cannot change (the CRDs have a
// status subresource), so the new object carries the stored status.
import type { Operation } from "fast-json-patch";
import { parseAllDocuments } from "yaml";
import { cloneJson, isRecord, validateObject } from "../../api/index.ts";
import { compilePolicy } from "../../policies/compiled-policy.ts";
import { loadPolicies } from "../../policies/load-policies.ts";
import type { PresetName } from "../../policies/policy-document.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import type { AdmissionContext, AdmissionRequest, AdmissionReview } from "../../webhook/admission/index.ts";
import { upstreamExamples } from "./fixtures.ts";

type Json = Record<string, unknown>;

export const now = new Date("2026-11-25T12:00:00Z");
const created = "2026-10-01T08:00:00Z";

export const users = {
  admin: { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] },
  argocd: {
    username: "system:serviceaccount:argocd:argocd-application-controller",
    uid: "5b0e4f8e-2c61-4a0c-9d57-1f2f3c4d5e6f",
    groups: ["system:serviceaccounts", "system:serviceaccounts:argocd", "system:authenticated"],
  },
  karpenter: {
    username: "system:serviceaccount:kube-system:karpenter",
    uid: "0c2d7b1a-8f3e-4e59-b0a4-6d1e2f3a4b5c",
    groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
  },
};

const RESOURCES: Record<string, { group: string; version: string; resource: string }> = {
  NodePool: { group: "karpenter.sh", version: "v1", resource: "nodepools" },
  EC2NodeClass: { group: "karpenter.k8s.aws", version: "v1", resource: "ec2nodeclasses" },
};

// Deterministic ids, so a failing test shows the same review every run.
let sequence = 0;
function nextUid(): string {
  sequence++;
  const hex = sequence.toString(16).padStart(12, "0");
  return `6f1c2a3b-4d5e-4f60-8a7b-${hex}`;
}

/** FNV-1a over the JSON: stands in for Karpenter's hashstructure value (only equality matters here). */
function hashOf(value: unknown): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(JSON.stringify(value) ?? "")) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString();
}

/** Every object of the upstream examples, as written (YAML 1.1, as kubectl reads it). */
export function upstreamObjects(): { file: string; kind: string; name: string; object: Json }[] {
  const out: { file: string; kind: string; name: string; object: Json }[] = [];
  for (const example of upstreamExamples()) {
    for (const doc of parseAllDocuments(example.text, { version: "1.1" })) {
      const object: unknown = doc.toJS();
      if (!isRecord(object)) continue;
      const metadata = isRecord(object.metadata) ? object.metadata : {};
      out.push({ file: example.name, kind: String(object.kind), name: String(metadata.name), object });
    }
  }
  return out;
}

/** The object with the CRD's defaults, as the API server decodes it. */
export function defaulted(object: Json): Json {
  return validateObject(object)?.object ?? cloneJson(object);
}

function metadataOf(object: Json): Json {
  return isRecord(object.metadata) ? object.metadata : {};
}

function managedFields(object: Json, manager: string, operation: "Apply" | "Update", time: string): Json[] {
  return [
    {
      apiVersion: object.apiVersion,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": {} },
      manager,
      operation,
      time,
    },
  ];
}

/** What the API server sends on CREATE: the mutating webhooks see less metadata than the validating ones. */
export function asCreated(object: Json, stage: "mutating" | "validating" = "validating"): Json {
  const out = defaulted(object);
  const metadata: Json = {
    ...metadataOf(out),
    managedFields: managedFields(out, "kubectl-client-side-apply", "Update", created),
  };
  if (stage === "validating") Object.assign(metadata, { uid: nextUid(), creationTimestamp: created, generation: 1 });
  return { ...out, metadata };
}

function karpenterAnnotations(object: Json): Record<string, string> {
  const spec = isRecord(object.spec) ? object.spec : {};
  if (object.kind === "NodePool") {
    return {
      "karpenter.sh/nodepool-hash": hashOf(isRecord(spec.template) ? spec.template : {}),
      "karpenter.sh/nodepool-hash-version": "v3",
    };
  }
  return {
    "karpenter.k8s.aws/ec2nodeclass-hash": hashOf(spec),
    "karpenter.k8s.aws/ec2nodeclass-hash-version": "v5",
  };
}

function statusOf(object: Json, generation: number): Json {
  const ready = {
    type: "Ready",
    status: "True",
    reason: "Ready",
    message: "",
    lastTransitionTime: created,
    observedGeneration: generation,
  };
  if (object.kind === "NodePool") {
    return {
      conditions: [ready],
      nodeClassObservedGeneration: 1,
      nodes: 3,
      resources: { cpu: "12", memory: "47520Mi", nodes: "3", pods: "87", "ephemeral-storage": "60Gi" },
    };
  }
  return {
    conditions: [ready],
    amis: [
      {
        id: "ami-0a1b2c3d4e5f60718",
        name: "amazon-eks-node-al2023-x86_64-standard-1.33-v20261001",
        requirements: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }],
      },
    ],
    subnets: [
      { id: "subnet-0123456789abcdef0", zone: "eu-west-1a", zoneID: "euw1-az1" },
      { id: "subnet-0fedcba9876543210", zone: "eu-west-1b", zoneID: "euw1-az2" },
    ],
    securityGroups: [{ id: "sg-0123456789abcdef0", name: "eks-cluster-sg" }],
    instanceProfile: "demo_1234567890123456789",
  };
}

export interface StoredOptions {
  generation?: number;
  resourceVersion?: string;
}

/** The object as the API server stores it once Karpenter has reconciled it. */
export function asStored(object: Json, options: StoredOptions = {}): Json {
  const out = defaulted(object);
  const generation = options.generation ?? 1;
  const metadata = metadataOf(out);
  const stored: Json = {
    ...metadata,
    uid: typeof metadata.uid === "string" ? metadata.uid : nextUid(),
    creationTimestamp: created,
    generation,
    resourceVersion: options.resourceVersion ?? String(1000 + generation),
    annotations: { ...(isRecord(metadata.annotations) ? metadata.annotations : {}), ...karpenterAnnotations(out) },
    managedFields: [
      ...managedFields(out, "kubectl-client-side-apply", "Update", created),
      ...managedFields(out, "karpenter", "Update", created),
    ],
  };
  if (out.kind === "EC2NodeClass") stored.finalizers = ["karpenter.k8s.aws/termination"];
  return { ...out, metadata: stored, status: statusOf(out, generation) };
}

export interface ReviewOptions {
  dryRun?: boolean;
  user?: AdmissionRequest["userInfo"];
}

function request(
  operation: AdmissionRequest["operation"],
  subject: Json,
  fields: Partial<AdmissionRequest>,
  options: ReviewOptions,
): AdmissionReview {
  const kind = String(subject.kind);
  // Copies, so a test that changes one review cannot change the next one's shared parts.
  const resource = { ...(RESOURCES[kind] ?? { group: "", version: "v1", resource: `${kind.toLowerCase()}s` }) };
  const optionsKind = { CREATE: "CreateOptions", UPDATE: "UpdateOptions", DELETE: "DeleteOptions", CONNECT: "" }[
    operation
  ];
  const name = metadataOf(subject).name;
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid: nextUid(),
      kind: { group: resource.group, version: "v1", kind },
      resource,
      ...(typeof name === "string" ? { name } : {}),
      operation,
      userInfo: structuredClone(options.user ?? users.admin),
      dryRun: options.dryRun ?? false,
      options: { apiVersion: "meta.k8s.io/v1", kind: optionsKind, ...(options.dryRun ? { dryRun: ["All"] } : {}) },
      ...fields,
    },
  };
}

/** CREATE of an object as written; `stage` says which webhook the review is for. */
export function createReview(
  object: Json,
  options: ReviewOptions & { stage?: "mutating" | "validating" } = {},
): AdmissionReview {
  const sent = asCreated(object, options.stage);
  return request("CREATE", sent, { object: sent, oldObject: null }, options);
}

/**
 * UPDATE of a stored object (`before`, as written) to a new version as written (`after`), as `kubectl apply`
 * sends it: the stored metadata (Karpenter's annotations, finalizers) is kept, the status is the stored one.
 */
export function updateReview(before: Json, after: Json, options: ReviewOptions = {}): AdmissionReview {
  const stored = asStored(before);
  const updated = defaulted(after);
  const storedMeta = metadataOf(stored);
  const newMeta = metadataOf(updated);
  const specChanged =
    JSON.stringify({ ...stored, metadata: null, status: null }) !==
    JSON.stringify({ ...updated, metadata: null, status: null });
  const object: Json = {
    ...updated,
    metadata: {
      ...storedMeta,
      ...newMeta,
      annotations: {
        ...(isRecord(storedMeta.annotations) ? storedMeta.annotations : {}),
        ...(isRecord(newMeta.annotations) ? newMeta.annotations : {}),
      },
      generation: Number(storedMeta.generation) + (specChanged ? 1 : 0),
    },
    status: stored.status,
  };
  return request("UPDATE", object, { object, oldObject: stored }, options);
}

/** UPDATE between two objects given exactly as the API server would send them (stored shapes). */
export function rawUpdateReview(stored: Json, updated: Json, options: ReviewOptions = {}): AdmissionReview {
  return request("UPDATE", updated, { object: updated, oldObject: stored }, options);
}

/** DELETE of a stored object: no object, the stored one as oldObject. */
export function deleteReview(object: Json, options: ReviewOptions = {}): AdmissionReview {
  const stored = asStored(object);
  return request("DELETE", stored, { object: null, oldObject: stored }, options);
}

/** The request of a review built here (always present). */
export function requestOf(review: AdmissionReview): AdmissionRequest {
  if (!review.request) throw new Error("the review has no request");
  return review.request;
}

export interface ContextOptions {
  preset?: PresetName;
  /** PoolPolicy spec.rules settings. */
  rules?: Record<string, { enforcement?: string; params?: Record<string, unknown> }>;
  /** More of a PoolPolicy's spec (customRules, exemptions, params). */
  spec?: Json;
  cluster?: AdmissionContext["cluster"];
}

/** An AdmissionContext over the built-in rules, the given preset and one PoolPolicy built from the options. */
export function admissionContext(options: ContextOptions = {}): AdmissionContext {
  const spec: Json = { ...(options.rules ? { rules: options.rules } : {}), ...options.spec };
  const loaded =
    Object.keys(spec).length > 0
      ? loadPolicies(
          JSON.stringify({
            apiVersion: "poolkeeper.dev/v1alpha1",
            kind: "PoolPolicy",
            metadata: { name: "test" },
            spec,
          }),
          "policy.json",
          builtinRules,
        )
      : { policies: [], errors: [] };
  if (loaded.errors.length > 0) throw new Error(`test policy: ${loaded.errors.map((e) => e.message).join("; ")}`);
  const policy = compilePolicy(loaded.policies, {
    rules: builtinRules,
    ...(options.preset ? { preset: options.preset } : {}),
  });
  return { policy, now, ...(options.cluster ? { cluster: options.cluster } : {}) };
}

/** The upstream example an object comes from, by kind and name. */
export function upstream(file: string, kind: string): Json {
  const found = upstreamObjects().find((o) => o.file === file && o.kind === kind);
  if (!found) throw new Error(`no ${kind} in ${file}`);
  return cloneJson(found.object);
}

/**
 * What is wrong with a response, as the API server would see it: empty when it is well-formed. Checks the uid
 * echo, a denial's status, the warnings' bounds (per warning, in total, no control characters, no duplicates)
 * and that a patch is a base64 JSON array of operations, only ever on CREATE.
 */
export function responseProblems(response: unknown, request: { uid?: unknown; operation?: unknown }): string[] {
  const problems: string[] = [];
  if (!isRecord(response)) return ["the response is not an object"];
  if (response.uid !== (typeof request.uid === "string" ? request.uid : "")) problems.push("uid not echoed");
  if (typeof response.allowed !== "boolean") problems.push("allowed is not a boolean");
  if (response.allowed === false) {
    const status = response.status;
    if (!isRecord(status)) problems.push("a denial without status");
    else {
      if (typeof status.code !== "number" || status.code < 400 || status.code > 599) problems.push("bad status code");
      if (typeof status.message !== "string" || status.message === "") problems.push("a denial without message");
      else if ([...status.message].length > 4096) problems.push("status message over 4096 code points");
    }
  }
  if (response.warnings !== undefined) {
    const warnings = response.warnings;
    if (!Array.isArray(warnings) || warnings.length === 0) problems.push("warnings present but empty or not a list");
    else {
      let total = 0;
      for (const w of warnings) {
        if (typeof w !== "string" || w === "") {
          problems.push("a warning that is not a non-empty string");
          continue;
        }
        const length = [...w].length;
        total += length;
        if (length > 256) problems.push(`a warning of ${length} code points`);
        // eslint-disable-next-line no-control-regex -- the API server drops warnings with control characters
        if (/[\u0000-\u001f\u007f-\u009f]/.test(w)) problems.push("a warning with a control character");
      }
      if (total > 2048) problems.push(`warnings total ${total} code points`);
      if (new Set(warnings).size !== warnings.length) problems.push("duplicate warnings");
    }
  }
  if (response.patch !== undefined || response.patchType !== undefined) {
    if (response.patchType !== "JSONPatch") problems.push("patch without patchType JSONPatch");
    if (request.operation !== "CREATE") problems.push("a patch on another operation than CREATE");
    if (response.allowed !== true) problems.push("a patch on a denial");
    try {
      const ops: unknown = JSON.parse(Buffer.from(String(response.patch), "base64").toString("utf8"));
      if (!Array.isArray(ops) || ops.length === 0) problems.push("patch is not a non-empty JSON array");
    } catch {
      problems.push("patch is not base64 JSON");
    }
  }
  return problems;
}

/** The operations of a response's patch (none when it has none). */
export function patchOf(response: { patch?: string }): Operation[] {
  if (response.patch === undefined) return [];
  return JSON.parse(Buffer.from(response.patch, "base64").toString("utf8")) as Operation[];
}
