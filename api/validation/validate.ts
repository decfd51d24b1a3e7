// Validates a Karpenter object as the API server would on create or update: CRD defaults, the structural schema,
// unknown fields, ObjectMeta, and the CRD's CEL rules (transition rules when the old object is given).
import { crdVersionKey, type CrdSchema } from "../crd-schema.ts";
import { crdSchemas } from "../generated/crd-schemas.ts";
import { crdValidators } from "../generated/crd-validators.js";
import { cloneJson, isRecord } from "../plain-object.ts";
import { compileCelRules, type CelRuleSet } from "./cel-rules.ts";
import type { FieldError } from "./field-error.ts";
import { prepareSchema, structuralValidator, type StructuralValidator } from "./structural.ts";

export interface ValidationResult {
  crd: CrdSchema;
  /** The object with the API server's defaults applied (a copy; the input is not changed). */
  object: Record<string, unknown>;
  errors: FieldError[];
}

export interface ValidateOptions {
  /** The previous version, for UPDATE: enables transition rules (`oldSelf`). */
  oldObject?: unknown;
}

export const celSkippedMessage =
  "Invalid value: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

interface CompiledCrd {
  structural: StructuralValidator;
  cel: CelRuleSet;
}

const compiled = new Map<CrdSchema, CompiledCrd>();

function compiledFor(crd: CrdSchema): CompiledCrd {
  let entry = compiled.get(crd);
  if (!entry) {
    entry = { structural: generatedStructural(crd), cel: compileCelRules(crd.schema) };
    compiled.set(crd, entry);
  }
  return entry;
}

// The ajv validators were generated from these schemas at build time (npm run generate): compiling them here took
// a fifth of `check`'s start-up.
function generatedStructural(crd: CrdSchema): StructuralValidator {
  const validate = crdValidators[crdVersionKey(crd)];
  if (!validate)
    throw new Error(`no generated validator for ${crd.group}/${crd.version} ${crd.kind}: run npm run generate`);
  return structuralValidator(prepareSchema(crd.schema), validate);
}

/** The served CRD version for an apiVersion and kind, if poolkeeper knows it. */
export function findCrd(apiVersion: unknown, kind: unknown): CrdSchema | undefined {
  return crdSchemas.find((c) => `${c.group}/${c.version}` === apiVersion && c.kind === kind);
}

/** The CRDs' group/kind pairs, whatever the version (to recognise older shapes of the same kinds). */
export function isKarpenterKind(apiVersion: unknown, kind: unknown): boolean {
  if (typeof apiVersion !== "string") return false;
  const group = apiVersion.split("/")[0];
  return crdSchemas.some((c) => c.group === group && c.kind === kind);
}

/** Every CEL rule of every served CRD version, compiled (for tests and `poolkeeper explain`). */
export function allCelRules(): { crd: CrdSchema; rules: CelRuleSet["rules"] }[] {
  return crdSchemas.map((crd) => ({ crd, rules: compiledFor(crd).cel.rules }));
}

/**
 * Validates one object of a served Karpenter CRD version. Returns undefined when apiVersion/kind is not one of
 * them (callers decide whether that is an error: older shapes are converted first, other kinds are skipped).
 */
export function validateObject(object: unknown, options: ValidateOptions = {}): ValidationResult | undefined {
  if (!isRecord(object)) return undefined;
  const crd = findCrd(object.apiVersion, object.kind);
  if (!crd) return undefined;
  const { structural, cel } = compiledFor(crd);
  const defaulted = cloneJson(object);
  const { errors, blocking } = structural(defaulted);
  errors.push(...metadataErrors(defaulted));
  if (blocking) {
    // As the API server: after such an error the object's shape cannot be trusted, so no CEL rule runs.
    errors.push({ path: [], type: "Invalid value", origin: "cel", message: celSkippedMessage });
    return { crd, object: defaulted, errors };
  }
  const oldObject = options.oldObject === undefined ? undefined : cloneJson(options.oldObject);
  if (oldObject !== undefined) structural(oldObject);
  errors.push(...cel.evaluate(defaulted, oldObject));
  return { crd, object: defaulted, errors };
}

// Checks the API server makes on ObjectMeta beyond its shape.
function metadataErrors(object: Record<string, unknown>): FieldError[] {
  const metadata = object.metadata;
  if (metadata === undefined) {
    return [
      {
        path: ["metadata"],
        type: "Required value",
        origin: "metadata",
        message: "Required value: name or generateName is required",
      },
    ];
  }
  if (isRecord(metadata) && metadata.name === undefined && metadata.generateName === undefined) {
    return [
      {
        path: ["metadata", "name"],
        type: "Required value",
        origin: "metadata",
        message: "Required value: name or generateName is required",
      },
    ];
  }
  return [];
}
