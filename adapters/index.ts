// The adapters' public surface: the ports over @kubernetes/client-node (and, as they are wired in, the AWS SDK).
export { KubeCluster, KubeConfigError, LeaderElector, loadKubeConfig } from "./kube/index.ts";
