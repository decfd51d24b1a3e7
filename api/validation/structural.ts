// Structural validation from the CRD's own openAPIV3Schema, the way the API server applies it: defaults first
// (only inside objects that exist), then types, enums, patterns, bounds and required fields. Unknown fields are
// reported too: the API server drops them with a warning and kubectl's default strict validation rejects them, so a
// reviewer must hear it before either happens. The ajv validators themselves are generated at build time
// (structural-ajv.ts, api/generated/crd-validators.js): this part turns their errors into the API server's words.
import type { ErrorObject } from "ajv";
import type { OpenApiSchema } from "../crd-schema.ts";
import { objectMetaSchema } from "../object-meta.ts";
import type { FieldError, FieldPath } from "./field-error.ts";
import { closestName } from "./closest-name.ts";
import { isRecord } from "../plain-object.ts";
import { duplicateListItems } from "./list-uniqueness.ts";
import { pathFromPointer, valueAtPath } from "./json-pointer.ts";

/** What an ajv validate function (compiled at run time or generated as standalone code) looks like to a caller. */
export interface AjvValidate {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** The CRD schema as the validator sees it: unknown fields closed off and `metadata` given ObjectMeta's shape. */
export function prepareSchema(schema: OpenApiSchema): OpenApiSchema {
  const prepared = closeUnknownFields(structuredClone(schema));
  prepared.properties = { ...prepared.properties, metadata: closeUnknownFields(structuredClone(objectMetaSchema)) };
  return prepared;
}

function closeUnknownFields(schema: OpenApiSchema): OpenApiSchema {
  if (schema.properties) {
    for (const child of Object.values(schema.properties)) closeUnknownFields(child);
    if (schema.additionalProperties === undefined && !schema["x-kubernetes-preserve-unknown-fields"]) {
      schema.additionalProperties = false;
    }
  }
  if (schema.items) closeUnknownFields(schema.items);
  if (typeof schema.additionalProperties === "object") closeUnknownFields(schema.additionalProperties);
  for (const list of [schema.anyOf, schema.allOf, schema.oneOf]) list?.forEach(closeUnknownFields);
  return schema;
}

export interface StructuralResult {
  errors: FieldError[];
  /**
   * Whether an error is of a kind after which the API server does not run CEL rules (Required, Unsupported,
   * Too long, Too many, wrong type): the object's shape cannot be trusted.
   */
  blocking: boolean;
}

export interface StructuralValidator {
  /** Applies defaults to `object` in place and returns the schema errors. */
  (object: unknown): StructuralResult;
}

const blockingKeywords = new Set(["required", "enum", "maxLength", "maxItems", "maxProperties", "type", "anyOf"]);

/** The structural validator of a prepared schema (`prepareSchema`) around its ajv validate function. */
export function structuralValidator(prepared: OpenApiSchema, validate: AjvValidate): StructuralValidator {
  return (object) => {
    const valid = validate(object);
    const errors = valid ? [] : selectErrors(validate.errors ?? []);
    const fieldErrors = errors.map((e) => toFieldError(e, prepared, object));
    fieldErrors.push(...duplicateListItems(prepared, object));
    return { errors: dedupe(fieldErrors), blocking: errors.some((e) => blockingKeywords.has(e.keyword)) };
  };
}

// Keeps the errors the API server would report: one sentence for an int-or-string field (not its anyOf
// branches), and for a string only the first failing check in the order maxLength, minLength, pattern.
function selectErrors(errors: ErrorObject[]): ErrorObject[] {
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  const stringChecks = ["maxLength", "minLength", "pattern"];
  const firstStringCheck = new Map<string, number>();
  for (const e of errors) {
    const rank = stringChecks.indexOf(e.keyword);
    if (rank >= 0) firstStringCheck.set(e.instancePath, Math.min(rank, firstStringCheck.get(e.instancePath) ?? rank));
  }
  return errors.filter((e) => {
    if (e.keyword !== "anyOf" && anyOfPaths.has(e.instancePath) && e.schemaPath.includes("/anyOf/")) return false;
    const rank = stringChecks.indexOf(e.keyword);
    return rank < 0 || firstStringCheck.get(e.instancePath) === rank;
  });
}

function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.path.join("\u0000")}|${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toFieldError(error: ErrorObject, schema: OpenApiSchema, root: unknown): FieldError {
  const path = pathFromPointer(error.instancePath, root);
  const value = valueAtPath(root, path);
  const params = error.params as Record<string, unknown>;
  const shown = describeValue(value);
  switch (error.keyword) {
    case "required":
      return fieldError([...path, String(params.missingProperty)], "Required value", "Required value");
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      const known = Object.keys(schemaAt(schema, path)?.properties ?? {});
      const suggestion = closestName(name, known);
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
      return fieldError([...path, name], "Unknown field", `unknown field "${name}"${hint}`);
    }
    case "type":
      return fieldError(path, "Invalid value", `Invalid value: ${shown}: must be of type ${String(params.type)}`);
    case "anyOf":
      return fieldError(path, "Invalid value", `Invalid value: ${shown}: must be an integer or a string`);
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ");
      return fieldError(path, "Unsupported value", `Unsupported value: ${shown}: supported values: ${allowed}`);
    }
    case "pattern":
      return fieldError(path, "Invalid value", `Invalid value: ${shown}: must match '${String(params.pattern)}'`);
    case "format":
      return fieldError(path, "Invalid value", `Invalid value: ${shown}: must be a valid ${String(params.format)}`);
    case "minimum":
    case "exclusiveMinimum":
    case "maximum":
    case "exclusiveMaximum":
      return fieldError(
        path,
        "Invalid value",
        `Invalid value: ${shown}: must be ${bound(error.keyword, params.limit)}`,
      );
    case "maxLength":
      return fieldError(path, "Too long", `Too long: may not be longer than ${String(params.limit)} characters`);
    case "minLength":
      return fieldError(
        path,
        "Invalid value",
        `Invalid value: ${shown}: must be at least ${String(params.limit)} characters`,
      );
    case "maxItems":
    case "maxProperties":
      return fieldError(path, "Too many", `Too many: ${count(value)}: must have at most ${String(params.limit)} items`);
    case "minItems":
    case "minProperties":
      return fieldError(
        path,
        "Invalid value",
        `Invalid value: ${count(value)} items: must have at least ${String(params.limit)} items`,
      );
    case "propertyNames":
      return fieldError(
        [...path, String(params.propertyName)],
        "Invalid value",
        `Invalid key ${JSON.stringify(params.propertyName)}: must be a qualified name (an optional DNS subdomain prefix and "/", then at most 63 alphanumerics, "-", "_" or ".")`,
      );
    default:
      return fieldError(path, "Invalid value", `Invalid value: ${shown}: ${String(error.message)}`);
  }
}

function bound(keyword: string, limit: unknown): string {
  const words: Record<string, string> = {
    minimum: "greater than or equal to",
    exclusiveMinimum: "greater than",
    maximum: "less than or equal to",
    exclusiveMaximum: "less than",
  };
  return `${words[keyword] ?? keyword} ${String(limit)}`;
}

function fieldError(path: FieldPath, type: FieldError["type"], message: string): FieldError {
  return { path, type, origin: "schema", message };
}

function schemaAt(schema: OpenApiSchema, path: FieldPath): OpenApiSchema | undefined {
  let node: OpenApiSchema | undefined = schema;
  for (const segment of path) {
    if (!node) return undefined;
    if (typeof segment === "number") node = node.items;
    else
      node =
        node.properties?.[segment] ??
        (typeof node.additionalProperties === "object" ? node.additionalProperties : undefined);
  }
  return node;
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? value.slice(0, 77) + "..." : value);
  if (Array.isArray(value)) return "a list";
  if (isRecord(value)) return "an object";
  return String(value);
}

function count(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  return isRecord(value) ? Object.keys(value).length : 0;
}
