// The Karpenter object model: types, validation as the API server does it, manifests with source positions,
// conversion of older shapes, and Kubernetes value types. Pure: no I/O, no clock.
export { AMI_ALIAS_FAMILIES, type AMIFamily, amiFamilyFromAlias, amiFamilyOf } from "./ami-family.ts";
export { convertToV1 } from "./convert/convert.ts";
export type { ConversionNote } from "./convert/types.ts";
export { V1_AMI_FAMILIES } from "./convert/v1-fields.ts";
export type { BudgetProblem, DisruptionBudget } from "./cron/budget-window.ts";
export type { CronFields } from "./cron/occurrences.ts";
export { CRON_DAY_NAMES, CRON_FIELD_BOUNDS, CRON_MONTH_NAMES } from "./cron/parse.ts";
export { type ParsedSchedule, parseKarpenterSchedule, type ScheduleError } from "./cron/schedule.ts";
export {
  describeDuration,
  type KarpenterDuration,
  parseBudgetDuration,
  parseDuration,
  parseKarpenterDuration,
} from "./duration.ts";
export type { EC2NodeClass, NodeClaim, NodePool } from "./generated/types.ts";
export { duplicateDefinitions } from "./manifests/duplicates.ts";
export { loadManifests, type Manifest, type ManifestSet, validateManifest } from "./manifests/manifests.ts";
export { defaultYamlLimits, loadYaml } from "./manifests/yaml-loader.ts";
export type { CrdSchema, OpenApiSchema } from "./crd-schema.ts";
export type { OwnerReference } from "./object-meta.ts";
export { cloneJson, isRecord } from "./plain-object.ts";
export { type Clock, type ClusterView, systemClock, type Timer, type TimerClock } from "./ports.ts";
export { ScaledClock, type ScaledClockSpec } from "./clock/scaled-clock.ts";
export { VirtualClock } from "./clock/virtual-clock.ts";
export {
  addQuantities,
  compareQuantities,
  formatQuantity,
  parseQuantity,
  Quantity,
  type QuantityLike,
  subtractQuantities,
} from "./quantity.ts";
export type { Budget, EC2NodeClassSpec, KubeletConfiguration, NodeSelectorRequirementWithMinValues } from "./types.ts";
export { describeAjvError } from "./validation/ajv-messages.ts";
export { type CelProgram, compileCel, toCelValue } from "./validation/cel-env.ts";
export { closestName, ClosestNameIndex } from "./validation/closest-name.ts";
export {
  type FieldError,
  type FieldPath,
  formatFieldPath,
  formatSource,
  type SourcePosition,
  toJsonPointer,
} from "./validation/field-error.ts";
export { pathFromPointer, valueAtPath } from "./validation/json-pointer.ts";
export { findCrd, isKarpenterKind, validateObject } from "./validation/validate.ts";
export { unlessInvalid, ValueError } from "./value-error.ts";
