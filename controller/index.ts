// The controller's public surface for the program that assembles it (cli/, tests): what other parts use.
export { createCloudProviderMetrics } from "./cloud-provider-metrics.ts";
export {
  ControllerManager,
  ForeignLeaseGuard,
  KARPENTER_LEADER_LEASE,
  managerPhaseMetric,
  reconcileLoop,
  type ControllerManagerOptions,
  type ManagerStatus,
  type Reconciler,
  type Runnable,
} from "./manager/index.ts";
