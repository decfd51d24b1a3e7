// The Karpenter object model: types, validation as the API server does it, manifests with source positions,
// conversion of older shapes, and Kubernetes value types. Pure: no I/O, no clock.
export { AMI_ALIAS_FAMILIES, type AMIFamily, amiFamilyFromAlias, amiFamilyOf } from "./ami-family.ts";
export { convertToV1 } from "./convert/convert.ts";
export type { ConversionNote } from "./convert/types.ts";
export { V1_AMI_FAMILIES } from "./convert/v1-fields.ts";
export type { BudgetProblem, DisruptionBudget } from "./cron/budget-window.ts";
// Budget arithmetic (Karpenter's MustGetAllowedDisruptions): one implementation for the check and the controller.
export {
  type AllowedDisruptions,
  allowedDisruptions,
  type BudgetActivity,
  type BudgetEvaluation,
  DEFAULT_BUDGETS,
} from "./cron/budget-window.ts";
export type { CronFields } from "./cron/occurrences.ts";
export { CRON_DAY_NAMES, CRON_FIELD_BOUNDS, CRON_MONTH_NAMES } from "./cron/parse.ts";
export { type ParsedSchedule, parseKarpenterSchedule, type ScheduleError } from "./cron/schedule.ts";
export {
  describeDuration,
  formatDuration,
  type KarpenterDuration,
  parseBudgetDuration,
  parseDuration,
  parseKarpenterDuration,
} from "./duration.ts";
export type { EC2NodeClass, NodeClaim, NodePool } from "./generated/types.ts";
export { duplicateDefinitions } from "./manifests/duplicates.ts";
export {
  loadManifests,
  type Manifest,
  manifestsFromYaml,
  type ManifestSet,
  validateManifest,
} from "./manifests/manifests.ts";
export { defaultYamlLimits, loadYaml, loadYamlData, type YamlData, yamlFromData } from "./manifests/yaml-loader.ts";
export { yamlNestingProblem } from "./manifests/yaml-nesting.ts";
export type { CrdSchema, OpenApiSchema } from "./crd-schema.ts";
export type { OwnerReference } from "./object-meta.ts";
export { cloneJson, isRecord } from "./plain-object.ts";
export { type Clock, type ClusterView, systemClock, type Timer, type TimerClock } from "./ports.ts";
// The EC2-shaped port, its errors and the interruption queue.
export {
  AwsApiError,
  type AwsPorts,
  type DescribeQuery,
  type Ec2Port,
  type BlockDeviceMapping,
  type EbsBlockDevice,
  type Filter,
  type FleetError,
  type FleetInstance,
  type FleetOverride,
  type FleetRequest,
  type FleetResult,
  type IamPort,
  IdempotentParameterMismatch,
  type Image,
  type Instance,
  type InstanceProfile,
  type InstanceStateName,
  type InstanceStatus,
  InsufficientCapacity,
  type InstanceTypeInfo,
  type InstanceTypeOffering,
  type InterruptionQueue,
  isUnfulfillableCapacityCode,
  type LaunchTemplate,
  type LaunchTemplateData,
  type MetadataOptions,
  NotFound,
  type OfferingRef,
  portErrorOf,
  type QueueMessage,
  type ReceiveOptions,
  type SecurityGroup,
  type SpotPrice,
  type SsmPort,
  type Subnet,
  type Tag,
  type TerminatedInstance,
  Throttled,
  Unauthorized,
} from "./ports.ts";
export {
  apiVersionOfResource,
  type ApplyOptions,
  type Cluster,
  type ClusterChange,
  type ClusterDeleteOptions,
  ClusterError,
  type ClusterObjects,
  type ClusterPatch,
  type ClusterResource,
  CLUSTER_RESOURCES,
  type ClusterWriteOptions,
  type DeleteOutcome,
  type EventRecord,
  type EvictionOutcome,
  isConflict,
  isNotFound,
  type ObjectKey,
  type PatchType,
  WATCHED_BY_DEFAULT,
} from "./ports.ts";
export { ClusterBase, evictionOutcome } from "./ports/cluster-base.ts";
export { addFinalizer, cordonNode, mutateWithRetry, removeFinalizer, taintNode } from "./ports/cluster-mutations.ts";
export { EventCorrelator, type EventInput, type EventWrite } from "./ports/event-correlator.ts";
export { writeEvent } from "./ports/event-sink.ts";
export type {
  Condition,
  DaemonSet,
  Event as KubeEvent,
  KubeObject as ClusterObject,
  Lease,
  Node,
  ObjectReference,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  StorageClass,
  Taint,
  VolumeAttachment,
} from "./ports/kube-objects.ts";
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
export { documentAjv } from "./validation/document-ajv.ts";
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
