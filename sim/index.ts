// The simulated world served over the real protocols: the Kubernetes API (sim/kube/): a generic resource store
// with per-kind behaviour, served over HTTPS to kubectl and client libraries; the world (sim/world/world.ts): the
// controllers, the scheduler stand-in, kubelets, volumes and the AWS account on one clock.
export {
  createClusterStore,
  startKubeApiServer,
  type KubeApiServer,
  type KubeApiServerOptions,
} from "./kube/http/api-server.ts";
export { ApiFaults, type ApiFault, type ApiFaultHandle, type ApiFaultRule } from "./kube/http/api-faults.ts";
export { AuditLog, WRITE_VERBS, type AuditEntry } from "./kube/http/audit-log.ts";
export {
  startWorld,
  World,
  type ServedWorld,
  type ServeOptions,
  type StartWorldOptions,
  type WorldComponent,
  type WorldScenario,
} from "./world/world.ts";
export { readScenario, ScenarioError, type ScenarioObject } from "./world/scenario-file.ts";
export { POD_MAX_IN_UNSCHEDULABLE_MS } from "./world/scheduler-loop.ts";
export type { KubeletOptions } from "./world/kubelet.ts";
export type { VolumeOptions } from "./world/volumes.ts";
export { kubeconfigYaml, type KubeconfigInput } from "./kube/http/kubeconfig.ts";
export {
  type CertificateAuthority,
  createCertificateAuthority,
  createServingCertificate,
  type ServingCertificate,
} from "./kube/http/serving-cert.ts";
export { ObjectStore, timestamp } from "./kube/store/object-store.ts";
export type {
  DeleteOptions,
  DeleteResult,
  DeletionPropagation,
  ListOptions,
  ListResult,
  ObjectStoreOptions,
  StoreWatch,
  UpdateOptions,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from "./kube/store/object-store.ts";
export { KindRegistry } from "./kube/store/kind-registry.ts";
export { DEFAULT_STORE_LIMITS, type StoreLimits } from "./kube/store/limits.ts";
export {
  parseLabelSelector,
  matchesLabels,
  fromLabelSelectorObject,
  type LabelSelector,
} from "./kube/store/label-selector.ts";
export { parseFieldSelector, matchesFields, type FieldSelector } from "./kube/store/field-selector.ts";
export { apiVersionOf, type KubeObject, type PrinterColumn, type ResourceKind } from "./kube/store/resource-kind.ts";
export { ApiError, type KubeStatus, type StatusCause } from "./kube/store/status.ts";
export { servedKinds, servedKindRegistry, initialObjects } from "./kube/kinds/index.ts";
export {
  WorldControllers,
  collectGarbage,
  OwnerGraph,
  finalizeNamespaces,
  terminatePods,
  FOREGROUND_DELETION,
  ORPHAN,
  KUBERNETES_FINALIZER,
  disruptionStatus,
  podsForPdb,
  daemonNodeFit,
  podTemplateHash,
  DELETION_TIMEOUT_MS,
  POD_TEMPLATE_HASH,
  JOB_TRACKING_FINALIZER,
  type ScaleOf,
  type DisruptionResult,
} from "./world/controllers/index.ts";
export { StoreCluster, type StoreClusterOptions } from "./world/cluster-port.ts";
export { NodeRegistration, type NodeRegistrationOptions } from "./world/node-registration/index.ts";
