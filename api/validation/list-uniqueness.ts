// `x-kubernetes-list-type: set` items and `map` item keys must be unique; the API server reports each repeat as
// `Duplicate value`. JSON Schema's uniqueItems is not allowed in structural schemas, so ajv does not see this.
import type { OpenApiSchema } from "../crd-schema.ts";
import { isRecord } from "../plain-object.ts";
import type { FieldError, FieldPath } from "./field-error.ts";

export function duplicateListItems(schema: OpenApiSchema, value: unknown, path: FieldPath = []): FieldError[] {
  const errors: FieldError[] = [];
  if (!hasUniqueLists(schema)) return errors;
  if (Array.isArray(value)) {
    const listType = schema["x-kubernetes-list-type"];
    if (listType === "set" || listType === "map") {
      const keys = schema["x-kubernetes-list-map-keys"] ?? [];
      const seen = new Set<string>();
      value.forEach((item, index) => {
        const identity =
          listType === "set" ? item : isRecord(item) ? Object.fromEntries(keys.map((k) => [k, item[k]])) : item;
        const key = canonicalJson(identity);
        if (seen.has(key)) {
          errors.push({
            path: [...path, index],
            type: "Duplicate value",
            origin: "schema",
            message: `Duplicate value: ${key}`,
          });
        }
        seen.add(key);
      });
    }
    if (schema.items)
      value.forEach((item, i) => errors.push(...duplicateListItems(schema.items as OpenApiSchema, item, [...path, i])));
  } else if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      const childSchema =
        schema.properties?.[key] ??
        (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
      if (childSchema) errors.push(...duplicateListItems(childSchema, child, [...path, key]));
    }
  }
  return errors;
}

// Whether any set or map list sits at or below this schema node; the walk skips subtrees without one.
const uniqueListsBelow = new WeakMap<OpenApiSchema, boolean>();
function hasUniqueLists(schema: OpenApiSchema): boolean {
  let known = uniqueListsBelow.get(schema);
  if (known === undefined) {
    const listType = schema["x-kubernetes-list-type"];
    known =
      listType === "set" ||
      listType === "map" ||
      (schema.items !== undefined && hasUniqueLists(schema.items)) ||
      (typeof schema.additionalProperties === "object" && hasUniqueLists(schema.additionalProperties)) ||
      Object.values(schema.properties ?? {}).some(hasUniqueLists);
    uniqueListsBelow.set(schema, known);
  }
  return known;
}

// JSON with object keys sorted, so equal values compare equal whatever their key order.
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
