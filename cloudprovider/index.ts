// The cloud as the controller sees it (Karpenter's pkg/cloudprovider): the CloudProvider interface, instance types
// with offerings, capacity and overhead math, drift reasons and errors; and the static instance-type catalog that
// the policy rules and the AWS implementation start from. See docs/cloudprovider.md.

// The interface the controller codes against, and what it speaks (the controller is next: this is its surface).
export type { CloudProvider } from "./cloud-provider.ts";
export {
  CreateError,
  InsufficientCapacityError,
  NodeClaimNotFoundError,
  NodeClassNotReadyError,
  findError,
} from "./errors.ts";
export type { DriftReason } from "./drift-reason.ts";
export { InstanceType } from "./instance-type.ts";
export type { CapacityType, Offering } from "./offering.ts";
export { Offerings } from "./offerings.ts";
export { catalogInstanceTypes } from "./catalog-instance-types.ts";

// The static catalog, as the policy rules ask it.
export {
  CAPACITY_TYPES,
  LABEL_ARCH,
  LABEL_CAPACITY_TYPE,
  LABEL_INSTANCE_ACCELERATOR_MANUFACTURER,
  LABEL_INSTANCE_ACCELERATOR_NAME,
  LABEL_INSTANCE_CAPABILITY_FLEX,
  LABEL_INSTANCE_CATEGORY,
  LABEL_INSTANCE_CPU_MANUFACTURER,
  LABEL_INSTANCE_FAMILY,
  LABEL_INSTANCE_GPU_MANUFACTURER,
  LABEL_INSTANCE_GPU_NAME,
  LABEL_INSTANCE_SIZE,
  LABEL_INSTANCE_TYPE,
} from "./catalog/catalog-labels.ts";
export {
  type CatalogInstanceType,
  defaultCatalog,
  type InstanceTypeCatalog,
  karpenterMemoryMiB,
  type NodeSelectorRequirementLike,
  parseCatalog,
} from "./catalog/catalog.ts";
