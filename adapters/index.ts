// The public surface of the adapters: the Cluster port over @kubernetes/client-node (kubeconfig or in-cluster,
// informers, writes, Lease leader election) and the AWS ports over the SDK v3 (region, credentials and endpoints
// from the SDK's default chain unless overridden; the SQS interruption queue). Everything outside adapters/
// (the CLI first) uses them through this file. See docs/adapters.md.
export {
  ClientRateLimiter,
  KARPENTER_CLIENT_RATE_LIMIT,
  KubeCluster,
  KubeConfigError,
  LeaderElector,
  collectionPath,
  kubeClientMetrics,
  loadKubeConfig,
  type ClientRateLimit,
  type ClusterDiscovery,
  type KubeClientMetrics,
  type KubeClusterOptions,
  type KubeConfigSource,
  type LeaderElectionOptions,
} from "./kube/index.ts";
export {
  SdkEc2,
  SdkIam,
  SdkSsm,
  SqsInterruptionQueue,
  awsClientConfig,
  awsErrorCode,
  sdkAwsPorts,
  toPortError,
  type AwsClientOptions,
} from "./aws/index.ts";
