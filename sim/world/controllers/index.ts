// The world's controllers over the store: Deployments → ReplicaSets → pods, DaemonSets, Jobs, the disruption
// controller's PodDisruptionBudget status, the garbage collector, the namespace controller and the kubelet's final
// delete of terminating pods.
export { WorldControllers } from "./world-controllers.ts";
export { collectGarbage, FOREGROUND_DELETION, ORPHAN } from "./garbage-collector.ts";
export { OwnerGraph } from "./owner-graph.ts";
export { finalizeNamespaces, KUBERNETES_FINALIZER } from "./namespace-deleter.ts";
export { terminatePods } from "./pod-termination.ts";
export {
  disruptionStatus,
  podsForPdb,
  DELETION_TIMEOUT_MS,
  type ScaleOf,
  type DisruptionResult,
} from "./disruption.ts";
export { daemonNodeFit, toleratesTaint, type DaemonNodeFit } from "./daemon-node-fit.ts";
export { podTemplateHash } from "./template-hash.ts";
export { POD_TEMPLATE_HASH } from "./deployment.ts";
export { JOB_TRACKING_FINALIZER } from "./job.ts";
