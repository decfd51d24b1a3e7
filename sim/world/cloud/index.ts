// The world's AWS account, in memory on the world's clock: instance types from the catalog, the scenario's
// network and images (with the EKS-optimized ones and their SSM parameters), IAM roles and instance profiles,
// instances, launch templates and SQS queues.
export {
  CATALOG_URL,
  CatalogError,
  loadInstanceTypes,
  regionInstanceTypes,
  type WorldInstanceType,
} from "./catalog.ts";
export { Capacity, type CapacityScenario, type CapacityShortage } from "./capacity.ts";
export { Cloud, type InstanceListener, type LaunchSpec, type Placement } from "./cloud.ts";
export {
  DEFAULT_RELEASES,
  EKS_IMAGE_OWNER,
  eksOptimizedImages,
  imageFamily,
  kubernetesPatch,
  type EksImage,
  type ImageFamily,
  type ImageReleases,
} from "./eks-images.ts";
export { IamAccount, type IamRole, type InstanceProfile } from "./iam.ts";
export { ParameterStore, type SsmParameter } from "./parameter-store.ts";
export { CloudError } from "./cloud-error.ts";
export { type CloudScenario, defaultScenario, type ScenarioImage, type ScenarioInstanceProfile } from "./scenario.ts";
export { EventBridge, type EventBridgeScenario, type EventEnvelope, INTERRUPTION_NOTICE_MS } from "./event-bridge.ts";
export { InstanceHealth, type ScheduledEvent, type ScheduledEventCode, type StatusCheck } from "./instance-health.ts";
export { type Queue, Queues } from "./queues.ts";
export { WorldInterruptionQueue } from "./queue-port.ts";
export { IdSource } from "./ids.ts";
export { type AwsService, RequestFaults } from "./request-faults.ts";
export { type SpotPrice, spotCapacityLevel, spotPriceAt, spotPriceHistory } from "./spot-market.ts";
