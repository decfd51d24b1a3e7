// The Karpenter object model: types, validation as the API server does it, manifests with source positions,
// conversion of older shapes, and Kubernetes value types. Pure: no I/O, no clock.
export type * from "./types.ts";
export type { CrdSchema, OpenApiSchema, ValidationRule } from "./crd-schema.ts";
export { isRecord, cloneJson } from "./plain-object.ts";
export { ValueError } from "./value-error.ts";
export { type Clock, systemClock } from "./ports.ts";
export { AMI_ALIAS_FAMILIES, amiFamilyFromAlias, amiFamilyOf, type AMIFamily } from "./ami-family.ts";

export {
  formatFieldError,
  formatFieldPath,
  formatSource,
  toJsonPointer,
  type FieldError,
  type FieldErrorType,
  type FieldPath,
  type SourcePosition,
} from "./validation/field-error.ts";
export {
  allCelRules,
  celSkippedMessage,
  findCrd,
  isKarpenterKind,
  validateObject,
  type ValidateOptions,
  type ValidationResult,
} from "./validation/validate.ts";
export { compileCel, kubernetesCelEnv, toCelValue, type CelProgram } from "./validation/cel-env.ts";

export {
  loadYaml,
  defaultYamlLimits,
  type YamlDocument,
  type YamlError,
  type YamlLimits,
} from "./manifests/yaml-loader.ts";
export {
  loadManifests,
  validateManifest,
  type Manifest,
  type ManifestSet,
  type ManifestValidation,
  type SkippedDocument,
} from "./manifests/manifests.ts";

export * from "./convert/index.ts";
export * from "./quantity.ts";
export * from "./duration.ts";
export * from "./cron/index.ts";
