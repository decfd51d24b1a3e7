// A compact way to declare the schemas of built-in kinds (the fields k8s.io/api declares, with their patch merge
// keys), so one declaration serves OpenAPI v3, unknown-field checks and strategic merge patches. Deep structures
// the simulation does not look into (probes, affinity, volume sources, …) are declared `open`: their own fields
// are not checked.
import type { KubeSchema } from "../store/schema.ts";

export const str: KubeSchema = { type: "string" };
export const int: KubeSchema = { type: "integer", format: "int32" };
export const int64: KubeSchema = { type: "integer", format: "int64" };
export const num: KubeSchema = { type: "number" };
export const bool: KubeSchema = { type: "boolean" };
export const time: KubeSchema = { type: "string", format: "date-time" };
export const intOrString: KubeSchema = { "x-kubernetes-int-or-string": true };
export const quantity: KubeSchema = { "x-kubernetes-int-or-string": true };
/** An object whose fields are not declared here (kept as sent). */
export const open: KubeSchema = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

export function obj(properties: Record<string, KubeSchema>, required?: string[]): KubeSchema {
  const schema: KubeSchema = { type: "object", properties };
  if (required) schema.required = required;
  return schema;
}

/** A list; with a merge key its items merge by that key in a strategic merge patch. */
export function arr(items: KubeSchema, mergeKey?: string, strategy = "merge"): KubeSchema {
  const schema: KubeSchema = { type: "array", items };
  if (mergeKey) {
    schema["x-kubernetes-patch-merge-key"] = mergeKey;
    schema["x-kubernetes-patch-strategy"] = strategy;
    schema["x-kubernetes-list-type"] = "map";
    schema["x-kubernetes-list-map-keys"] = [mergeKey];
  } else if (strategy === "merge-primitive") {
    schema["x-kubernetes-patch-strategy"] = "merge";
    schema["x-kubernetes-list-type"] = "set";
  } else {
    schema["x-kubernetes-list-type"] = "atomic";
  }
  return schema;
}

export function map(values: KubeSchema): KubeSchema {
  return { type: "object", additionalProperties: values };
}

export const stringMap = map(str);
export const resourceList = map(quantity);

export const ownerReference = obj(
  { apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool },
  ["apiVersion", "kind", "name", "uid"],
);

/** metav1.ObjectMeta. */
export const objectMeta = obj({
  name: str,
  generateName: str,
  namespace: str,
  selfLink: str,
  uid: str,
  resourceVersion: str,
  generation: int64,
  creationTimestamp: time,
  deletionTimestamp: time,
  deletionGracePeriodSeconds: int64,
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: arr(ownerReference, "uid"),
  finalizers: arr(str, undefined, "merge-primitive"),
  managedFields: arr(open),
});

/** metav1.LabelSelector: atomic (`+structType=atomic`), so one server-side applier owns it whole. */
export const labelSelector: KubeSchema = {
  ...obj({
    matchLabels: stringMap,
    matchExpressions: arr(obj({ key: str, operator: str, values: arr(str) }, ["key", "operator"])),
  }),
  "x-kubernetes-map-type": "atomic",
};

export const objectReference = obj({
  kind: str,
  namespace: str,
  name: str,
  uid: str,
  apiVersion: str,
  resourceVersion: str,
  fieldPath: str,
});

/** The whole object: apiVersion, kind, metadata and the kind's own top-level fields. */
export function kindSchema(fields: Record<string, KubeSchema>): KubeSchema {
  return obj({ apiVersion: str, kind: str, metadata: objectMeta, ...fields });
}
