// The schema of a served kind as OpenAPI v3 (a CRD's structural schema, or the one the project declares for a
// built-in kind), with the Kubernetes extensions the server needs: which fields exist (for fieldValidation), how
// lists merge in a strategic merge patch (x-kubernetes-patch-merge-key / -strategy) and the GVK a document
// serves (x-kubernetes-group-version-kind).
import type { OpenApiSchema } from "../../../api/index.ts";

export interface KubeSchema extends Omit<OpenApiSchema, "properties" | "items" | "additionalProperties"> {
  properties?: Record<string, KubeSchema>;
  items?: KubeSchema;
  additionalProperties?: KubeSchema | boolean;
  "x-kubernetes-patch-merge-key"?: string;
  "x-kubernetes-patch-strategy"?: string;
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[];
}

/** The schema of the value at `path` below `schema`, following properties, items and map values. */
export function schemaAt(schema: KubeSchema | undefined, path: readonly (string | number)[]): KubeSchema | undefined {
  let current = schema;
  for (const segment of path) {
    if (!current) return undefined;
    if (typeof segment === "number") current = current.items;
    else if (current.properties?.[segment]) current = current.properties[segment];
    else if (typeof current.additionalProperties === "object") current = current.additionalProperties;
    else return undefined;
  }
  return current;
}

/** Whether the schema leaves a value's fields open (unknown fields kept, not reported). */
function isOpen(schema: KubeSchema): boolean {
  return (
    schema["x-kubernetes-preserve-unknown-fields"] === true ||
    schema.additionalProperties === true ||
    (schema.properties === undefined && schema.additionalProperties === undefined)
  );
}

/**
 * Removes the fields `schema` does not declare from `value` (in place) and returns their paths, in the notation
 * of the API server's strict decoding errors (`spec.template.foo`, `spec.containers[0].bar`). Mirrors the
 * pruning of structural schemas (apiextensions-apiserver pkg/apiserver/schema/pruning).
 */
export function pruneUnknownFields(schema: KubeSchema, value: unknown, path = ""): string[] {
  const found: string[] = [];
  if (Array.isArray(value)) {
    if (schema.items)
      value.forEach((item, i) => found.push(...pruneUnknownFields(schema.items as KubeSchema, item, `${path}[${i}]`)));
    return found;
  }
  if (typeof value !== "object" || value === null) return found;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const child =
      schema.properties?.[key] ??
      (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
    const childPath = path === "" ? key : `${path}.${key}`;
    if (child) {
      found.push(...pruneUnknownFields(child, record[key], childPath));
    } else if (!isOpen(schema)) {
      found.push(childPath);
      Reflect.deleteProperty(record, key);
    }
  }
  return found;
}
