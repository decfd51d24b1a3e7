/**
 * The ClusterSnapshot document (`poolkeeper.dev/v1alpha1`): what `poolkeeper plan` needs of a cluster to say what a
 * pool change would do to it — Nodes, pods (what scheduling and disruption read, never their environment or
 * volumes' contents), NodeClaims, PDBs, DaemonSets, and the offerings the provider knows (type, zone, capacity
 * type, price, availability; reservations are not carried). Validated with ajv on read; each problem names the file and the field.
 */
import { Ajv, type ErrorObject } from "ajv";
import type { DaemonSet, Node, NodeClaim, Pod, PodDisruptionBudget } from "../../api/index.ts";
import { describeAjvError, formatFieldPath, ValueError } from "../../api/index.ts";

export const SNAPSHOT_API_VERSION = "poolkeeper.dev/v1alpha1";
export const SNAPSHOT_KIND = "ClusterSnapshot";

export interface SnapshotOffering {
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: "on-demand" | "spot";
  /** USD per hour. */
  readonly price: number;
  readonly available: boolean;
}

export interface ClusterSnapshotDocument {
  readonly apiVersion: typeof SNAPSHOT_API_VERSION;
  readonly kind: typeof SNAPSHOT_KIND;
  readonly metadata: {
    /** RFC 3339: budgets' windows and ages are judged at this time. */
    readonly takenAt: string;
    readonly cluster?: string;
    readonly region?: string;
  };
  readonly nodes: readonly Node[];
  readonly pods: readonly Pod[];
  readonly nodeClaims: readonly NodeClaim[];
  readonly podDisruptionBudgets: readonly PodDisruptionBudget[];
  readonly daemonSets: readonly DaemonSet[];
  readonly offerings: readonly SnapshotOffering[];
}

// Kubernetes' quantity grammar (apimachinery resource.Quantity), so a request that cannot be read is named here.
const QUANTITY = "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([eE][+-]?[0-9]+)|([KMGTPE]i)|([numkMGTPE]))?$";
const stringMap = { type: "object", additionalProperties: { type: "string" } };
const resourceList = {
  type: "object",
  additionalProperties: { type: "string", pattern: QUANTITY, description: "a Kubernetes quantity such as 500m or 2Gi" },
};
const metadata = (namespaced: boolean) => ({
  type: "object",
  required: namespaced ? ["name", "namespace"] : ["name"],
  properties: {
    name: { type: "string", minLength: 1 },
    namespace: { type: "string", minLength: 1 },
    labels: stringMap,
    annotations: stringMap,
    creationTimestamp: { type: "string", format: "date-time" },
    deletionTimestamp: { type: "string", format: "date-time" },
    ownerReferences: {
      type: "array",
      items: { type: "object", required: ["kind", "name"], properties: { kind: { type: "string" } } },
    },
  },
});
const object = (namespaced: boolean, properties: Record<string, unknown> = {}, required: string[] = []) => ({
  type: "object",
  required: ["metadata", ...required],
  properties: { metadata: metadata(namespaced), ...properties },
});
const containers = {
  type: "array",
  items: {
    type: "object",
    required: ["name"],
    properties: {
      name: { type: "string" },
      resources: { type: "object", properties: { requests: resourceList, limits: resourceList } },
    },
  },
};
const podSpec = {
  type: "object",
  required: ["containers"],
  properties: { containers, initContainers: containers, nodeName: { type: "string" }, overhead: resourceList },
};

const SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "metadata", "nodes", "pods", "nodeClaims", "podDisruptionBudgets", "daemonSets"],
  properties: {
    apiVersion: { const: SNAPSHOT_API_VERSION },
    kind: { const: SNAPSHOT_KIND },
    metadata: {
      type: "object",
      additionalProperties: false,
      required: ["takenAt"],
      properties: {
        takenAt: { type: "string", format: "date-time" },
        cluster: { type: "string" },
        region: { type: "string" },
      },
    },
    nodes: {
      type: "array",
      items: object(false, {
        status: { type: "object", properties: { capacity: resourceList, allocatable: resourceList } },
      }),
    },
    pods: { type: "array", items: object(true, { spec: podSpec }, ["spec"]) },
    nodeClaims: {
      type: "array",
      items: object(
        false,
        {
          spec: { type: "object", required: ["requirements"], properties: { requirements: { type: "array" } } },
          status: { type: "object", properties: { capacity: resourceList, allocatable: resourceList } },
        },
        ["spec"],
      ),
    },
    podDisruptionBudgets: { type: "array", items: object(true) },
    daemonSets: {
      type: "array",
      items: object(true, {
        spec: {
          type: "object",
          properties: { template: { type: "object", properties: { spec: podSpec } } },
        },
      }),
    },
    offerings: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["instanceType", "zone", "capacityType", "price", "available"],
        properties: {
          instanceType: { type: "string", minLength: 1 },
          zone: { type: "string", minLength: 1 },
          capacityType: { enum: ["on-demand", "spot"] },
          price: { type: "number", minimum: 0 },
          available: { type: "boolean" },
        },
      },
    },
  },
};

// RFC 3339 date-time, the only format the schema uses (ajv-formats' full set is not needed for one).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const validate = new Ajv({ allErrors: true, verbose: true, strict: false })
  .addFormat("date-time", { validate: (text: string) => DATE_TIME.test(text) && Number.isFinite(Date.parse(text)) })
  .compile(SCHEMA);

/** At most this many problems are listed; the rest are counted. */
const MAX_PROBLEMS = 20;

/**
 * The document in `json`, or a ValueError whose message lists each problem as `file: field …`. Only the first
 * error at each field is kept (ajv reports a `const` and the `type` under it both, for one mistake).
 */
export function parseClusterSnapshot(json: unknown, file: string): ClusterSnapshotDocument {
  if (validate(json)) return json as unknown as ClusterSnapshotDocument;
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const error of (validate.errors ?? []) as ErrorObject[]) {
    const [path, sentence] = describeAjvError(error, json);
    const key = formatFieldPath(path);
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(`${file}: ${sentence}`);
  }
  const more = problems.length > MAX_PROBLEMS ? [`${file}: … and ${problems.length - MAX_PROBLEMS} more problems`] : [];
  throw new ValueError(
    `${file}: not a valid ${SNAPSHOT_KIND} (${SNAPSHOT_API_VERSION}):\n  ${[...problems.slice(0, MAX_PROBLEMS), ...more].join("\n  ")}`,
    file,
  );
}
