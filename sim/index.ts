// The simulated world served over the real protocols. So far: the Kubernetes API (sim/kube/): a generic
// resource store with per-kind behaviour, served over HTTPS to kubectl and client libraries; and the world's
// controllers over that store (sim/world/controllers/).
export { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions } from "./kube/http/api-server.ts";
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
