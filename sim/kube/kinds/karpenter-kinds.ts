// karpenter.sh/v1 NodePools and NodeClaims and karpenter.k8s.aws/v1 EC2NodeClasses, served from the upstream
// CRDs as the API server serves a CRD: names, scope, printer columns and the status subresource from the CRD,
// defaults and validation (schema and CEL rules) from api/'s validator, which mirrors the API server's. Its field
// errors become the Status causes the server sends (`Invalid value: "array": <rule message>`).
import {
  cloneJson,
  findCrd,
  formatFieldPath,
  validateObject,
  type FieldError,
  type CrdSchema,
} from "../../../api/index.ts";
import type { KubeObject, PrinterColumn, ResourceKind } from "../store/resource-kind.ts";
import { schemaAt, type KubeSchema } from "../store/schema.ts";
import type { InvalidCause } from "../store/status.ts";
import { karpenterCrds } from "./generated/karpenter-crds.ts";
import { objectMeta } from "./schema-builders.ts";

interface CrdVersionMeta {
  name: string;
  served: boolean;
  storage: boolean;
  additionalPrinterColumns?: {
    name: string;
    type: string;
    jsonPath: string;
    priority?: number;
    description?: string;
    format?: string;
  }[];
  subresources?: Record<string, unknown>;
}

interface CrdMeta {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    group: string;
    scope: string;
    names: {
      kind: string;
      plural: string;
      singular: string;
      shortNames?: string[];
      categories?: string[];
      listKind: string;
    };
    versions: CrdVersionMeta[];
  };
}

const CAUSE_TYPES: Record<FieldError["type"], string> = {
  "Required value": "FieldValueRequired",
  "Invalid value": "FieldValueInvalid",
  "Unsupported value": "FieldValueNotSupported",
  "Too long": "FieldValueTooLong",
  "Too many": "FieldValueTooMany",
  "Unknown field": "FieldValueInvalid",
  "Duplicate value": "FieldValueDuplicate",
  Forbidden: "FieldValueForbidden",
};

/** One of api/'s field errors as the API server words it in a 422 (field.Error.ErrorBody()). */
export function causeOf(error: FieldError, schema: KubeSchema): InvalidCause {
  const field = error.path.length === 0 ? "<nil>" : formatFieldPath(error.path);
  let body = error.message;
  // kube-openapi's words for a pattern (api/ says it more briefly for the PR check).
  const pattern = /^Invalid value: (.*): must match '(.*)'$/s.exec(body);
  if (error.origin === "schema" && pattern)
    body = `Invalid value: ${pattern[1]}: ${field} in body should match '${pattern[2]}'`;
  if (error.origin === "cel" && body.startsWith("Invalid value: ")) {
    // A CEL rule's error carries the type of the value it was attached to, as field.Invalid(path, type, msg).
    const type = error.path.length === 0 ? "null" : (schemaAt(schema, error.path)?.type ?? "object");
    body = `Invalid value: "${type}": ${body.slice("Invalid value: ".length)}`;
  }
  return { field, type: CAUSE_TYPES[error.type], body };
}

function printerColumns(version: CrdVersionMeta): PrinterColumn[] {
  return (version.additionalPrinterColumns ?? []).map((c) => {
    const column: PrinterColumn = {
      name: c.name,
      type: c.type as PrinterColumn["type"],
      jsonPath: c.jsonPath,
      priority: c.priority ?? 0,
      description: c.description ?? "",
    };
    if (c.format) column.format = c.format;
    return column;
  });
}

function kindFrom(crd: CrdMeta, version: CrdVersionMeta, schema: CrdSchema): ResourceKind {
  const { names } = crd.spec;
  const kubeSchema = cloneJson(schema.schema) as KubeSchema;
  kubeSchema.properties = { ...kubeSchema.properties, metadata: objectMeta };
  return {
    group: crd.spec.group,
    version: version.name,
    kind: names.kind,
    plural: names.plural,
    singular: names.singular,
    namespaced: crd.spec.scope === "Namespaced",
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    subresources: Object.keys(version.subresources ?? {}),
    printerColumns: printerColumns(version),
    schema: kubeSchema,
    custom: true,
    validate: (object: KubeObject, old: KubeObject | undefined) => {
      const result = validateObject(object, old === undefined ? {} : { oldObject: old });
      if (!result) return { causes: [] };
      // Unknown fields are the decoder's business (fieldValidation): pruned or refused before validation.
      const errors = result.errors.filter((e) => e.type !== "Unknown field");
      return { causes: errors.map((e) => causeOf(e, kubeSchema)), object: result.object as KubeObject };
    },
  };
}

/** The Karpenter kinds, one per served version of each CRD. */
export function karpenterKinds(): ResourceKind[] {
  const kinds: ResourceKind[] = [];
  for (const crd of karpenterCrds as unknown as CrdMeta[]) {
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const schema = findCrd(`${crd.spec.group}/${version.name}`, crd.spec.names.kind);
      if (!schema)
        throw new Error(`sim: no schema for ${crd.spec.names.kind} ${crd.spec.group}/${version.name} in api/`);
      kinds.push(kindFrom(crd, version, schema));
    }
  }
  return kinds;
}

/** The Karpenter CRDs as CustomResourceDefinition objects, each version with its schema put back. */
export function karpenterCrdObjects(): KubeObject[] {
  return (karpenterCrds as unknown as CrdMeta[]).map((crd) => {
    const object = cloneJson(crd) as unknown as KubeObject;
    const spec = object.spec as { group: string; names: { kind: string }; versions: Record<string, unknown>[] };
    for (const version of spec.versions) {
      const schema = findCrd(`${spec.group}/${String(version.name)}`, spec.names.kind);
      if (schema) version.schema = { openAPIV3Schema: cloneJson(schema.schema) };
    }
    object.status = {
      acceptedNames: cloneJson(crd.spec.names),
      conditions: [
        { type: "NamesAccepted", status: "True", reason: "NoConflicts", message: "no conflicts found" },
        {
          type: "Established",
          status: "True",
          reason: "InitialNamesAccepted",
          message: "the initial names have been accepted",
        },
      ],
      storedVersions: crd.spec.versions.filter((v) => v.storage).map((v) => v.name),
    };
    return object;
  });
}
