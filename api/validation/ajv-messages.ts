// One sentence per ajv error for the project's own documents (PoolPolicy, poolkeeper.yaml), with the field's
// path; unknown fields name the field probably meant, and a pattern names what it expects when the schema says.
// (CRD objects use structural.ts, which speaks the API server's vocabulary instead.)
import type { ErrorObject } from "ajv";
import { closestName } from "./closest-name.ts";
import { formatFieldPath, type FieldPath } from "./field-error.ts";
import { pathFromPointer } from "./json-pointer.ts";

/** The path of the error and its sentence. Richer with ajv's `verbose: true` (the parent schema is then known). */
export function describeAjvError(error: ErrorObject, root: unknown): [FieldPath, string] {
  const path = pathFromPointer(error.instancePath, root);
  const params = error.params as Record<string, unknown>;
  const parent = error.parentSchema as { properties?: Record<string, unknown>; description?: string } | undefined;
  switch (error.keyword) {
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const suggestion = closestName(key, Object.keys(parent?.properties ?? {}));
      const field = formatFieldPath([...path, key]);
      return [[...path, key], `unknown field "${field}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`];
    }
    case "required":
      return [path, `${formatFieldPath([...path, String(params.missingProperty)])} is required`];
    case "enum":
      return [
        path,
        `${formatFieldPath(path)} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      ];
    case "const":
      return [path, `${formatFieldPath(path)} must be ${JSON.stringify(params.allowedValue)}`];
    case "pattern": {
      const expected = parent?.description ?? `a match for ${JSON.stringify(params.pattern)}`;
      const found = error.data === undefined ? "" : ` (found ${JSON.stringify(error.data)})`;
      return [path, `${formatFieldPath(path)} must be ${expected}${found}`];
    }
    default:
      return [path, `${formatFieldPath(path)} ${error.message ?? "is invalid"}`];
  }
}
