// The cloud as the controller sees it (Karpenter's pkg/cloudprovider): the CloudProvider interface, instance types
// with offerings, capacity and overhead math, drift reasons and errors; and the static instance-type catalog that
// the policy rules and the AWS implementation start from. See docs/cloudprovider.md.

// The interface and what it speaks.
export type { CloudProvider } from "./cloud-provider.ts";
export {
  CreateError,
  InsufficientCapacityError,
  NodeClaimNotFoundError,
  NodeClassNotReadyError,
  findError,
} from "./errors.ts";
export {
  NODE_CLASS_DRIFT_REASONS,
  NODE_POOL_DRIFT_REASONS,
  type DriftReason,
  type NodeClassDriftReason,
  type NodePoolDriftReason,
} from "./drift-reason.ts";
export { InstanceType, type InstanceTypeInit } from "./instance-type.ts";
export { overheadTotal, type InstanceTypeOverhead } from "./instance-type-overhead.ts";
export {
  CAPACITY_TYPE_ON_DEMAND,
  CAPACITY_TYPE_RESERVED,
  CAPACITY_TYPE_SPOT,
  newOffering,
  type CapacityReservation,
  type CapacityType,
  type Offering,
  type OfferingInit,
} from "./offering.ts";
export { Offerings } from "./offerings.ts";
export { launchedNodeClaim, type Launch } from "./launched-node-claim.ts";

// Instance types from the catalog: requirements, capacity and overhead.
export { catalogInstanceTypes, type CatalogSourceOptions } from "./catalog-instance-types.ts";
export { instanceTypeRequirements, type RequirementsContext } from "./instance-type-requirements.ts";
export { amiFamilyOf, amiFamilyTraits, isWindows, type AMIFamily, type AMIFamilyTraits } from "./ami-family.ts";
export {
  DEFAULT_CAPACITY_SETTINGS,
  capacitySettingsOf,
  type CapacityOperatorOptions,
  type CapacitySettings,
  type EvictionSignal,
} from "./capacity-settings.ts";
export {
  DEFAULT_VM_MEMORY_OVERHEAD_PERCENT,
  EVICTION_HARD_MEMORY,
  EVICTION_HARD_NODEFS_PERCENT,
  KUBE_RESERVED_EPHEMERAL_STORAGE,
  RESOURCE_AMD_GPU,
  RESOURCE_AWS_NEURON,
  RESOURCE_CPU,
  RESOURCE_EPHEMERAL_STORAGE,
  RESOURCE_HABANA_GAUDI,
  RESOURCE_MEMORY,
  RESOURCE_NVIDIA_GPU,
  RESOURCE_PODS,
  RESOURCE_PRIVATE_IPV4_ADDRESS,
  WINDOWS_DEFAULT_MAX_PODS,
  eniLimitedPods,
  ephemeralStorage,
  evictionThreshold,
  extendedResources,
  instanceTypeCapacity,
  instanceTypeOverhead,
  kubeReserved,
  kubeReservedCpuMilli,
  kubeReservedMemoryMiB,
  kubeReservedPods,
  podCapacity,
  vmMemoryMiB,
} from "./capacity.ts";

// The static catalog (what the policy rules ask).
export {
  CatalogError,
  allocatableOf,
  capacityOf,
  createCatalog,
  defaultCatalog,
  formatCatalogProblem,
  karpenterMemoryMiB,
  minValuesShortfall,
  parseCatalog,
  resourceRanges,
  type CapacityOptions,
  type CatalogInstanceType,
  type CatalogProblem,
  type InstanceTypeCatalog,
  type MinValuesCheck,
  type NodeSelectorRequirementLike,
  type NumberRange,
  type ResourceRanges,
} from "./catalog/catalog.ts";
export {
  CAPACITY_TYPES,
  INSTANCE_TYPE_LABEL_KEYS,
  LABEL_ARCH,
  LABEL_CAPACITY_RESERVATION_ID,
  LABEL_CAPACITY_RESERVATION_INTERRUPTIBLE,
  LABEL_CAPACITY_RESERVATION_TYPE,
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_ACCELERATOR_COUNT,
  LABEL_INSTANCE_ACCELERATOR_MANUFACTURER,
  LABEL_INSTANCE_ACCELERATOR_NAME,
  LABEL_INSTANCE_CAPABILITY_FLEX,
  LABEL_INSTANCE_CATEGORY,
  LABEL_INSTANCE_CPU,
  LABEL_INSTANCE_CPU_MANUFACTURER,
  LABEL_INSTANCE_FAMILY,
  LABEL_INSTANCE_GENERATION,
  LABEL_INSTANCE_GPU_COUNT,
  LABEL_INSTANCE_GPU_MANUFACTURER,
  LABEL_INSTANCE_GPU_MEMORY,
  LABEL_INSTANCE_GPU_NAME,
  LABEL_INSTANCE_LOCAL_NVME,
  LABEL_INSTANCE_MEMORY,
  LABEL_INSTANCE_NETWORK_BANDWIDTH,
  LABEL_INSTANCE_SIZE,
  LABEL_INSTANCE_TENANCY,
  LABEL_INSTANCE_TYPE,
  LABEL_OS,
  LABEL_REGION,
  LABEL_WINDOWS_BUILD,
  LABEL_ZONE,
  LABEL_ZONE_ID,
  TENANCIES,
  UNMODELED_INSTANCE_TYPE_LABELS,
  instanceTypeLabels,
  keyModel,
  modeledValues,
  type KeyModel,
} from "./catalog/catalog-labels.ts";
