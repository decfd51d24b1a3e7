// The Cluster port over @kubernetes/client-node: informers and their shared cache, writes, evictions, server-side
// apply, events, Lease-based leader election, kubeconfig or in-cluster configuration, and the client's rate limit
// and metrics.
export { ClientRateLimiter, KARPENTER_CLIENT_RATE_LIMIT, type ClientRateLimit } from "./client-rate-limiter.ts";
export type { ClusterDiscovery } from "./cluster-discovery.ts";
export { KubeCluster, collectionPath, type KubeClusterOptions } from "./kube-cluster.ts";
export { loadKubeConfig, KubeConfigError, type KubeConfigSource } from "./kube-config.ts";
export { LeaderElector, type LeaderElectionOptions } from "./leader-elector.ts";
export { kubeClientMetrics, type KubeClientMetrics } from "./metrics.ts";
