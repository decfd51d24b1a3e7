// The cloud as the controller sees it (Karpenter's pkg/cloudprovider): the CloudProvider interface, instance types
// with offerings, capacity and overhead math, drift reasons and errors; and the static instance-type catalog that
// the policy rules and the AWS implementation start from. See docs/cloudprovider.md.
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
  LABEL_ZONE,
} from "./catalog/catalog-labels.ts";
export {
  type CatalogInstanceType,
  defaultCatalog,
  type InstanceTypeCatalog,
  karpenterMemoryMiB,
  type NodeSelectorRequirementLike,
  parseCatalog,
} from "./catalog/catalog.ts";
export { catalogInstanceTypes } from "./catalog-instance-types.ts";
export type { CloudProvider } from "./cloud-provider.ts";
export {
  CreateError,
  findError,
  InsufficientCapacityError,
  NodeClaimNotFoundError,
  NodeClassNotReadyError,
} from "./errors.ts";
export type { DriftReason } from "./drift-reason.ts";
export { stableHash } from "./aws/hash.ts";
export { InstanceType } from "./instance-type.ts";
export {
  CAPACITY_TYPE_ON_DEMAND,
  CAPACITY_TYPE_RESERVED,
  CAPACITY_TYPE_SPOT,
  type CapacityType,
  newOffering,
  type Offering,
} from "./offering.ts";
export { type CloudProviderMetrics, instrumentCloudProvider } from "./cloud-provider-metrics.ts";
// The AWS implementation, for the command that wires it to the adapters; controller/ codes against CloudProvider.
export {
  ANNOTATION_LAUNCH_ATTEMPT,
  AwsCloudProvider,
  type AwsCloudProviderOptions,
  type ClusterEndpoint,
} from "./aws/index.ts";
