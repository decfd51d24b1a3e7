// What the AWS cloud provider writes into each node's user data about the cluster — its name, API server endpoint,
// CA bundle, service CIDR and kube-dns's ClusterIP — and the API server's version for the AMIs: each setting given
// wins, else what the cluster tells (KubeCluster.discover: the kubeconfig's server and CA, /version, the Service
// kube-system/kube-dns), as Karpenter's operator resolves them at start (aws:pkg/operator/operator.go). Pure: the
// discovery is read by the caller; what is missing is a warning, since only some AMI families need it.
import type { ClusterDiscovery } from "../../adapters/index.ts";
import type { ClusterEndpoint } from "../../cloudprovider/index.ts";
import type { ControllerSettings } from "../run-settings.ts";

export interface NodeBootstrap {
  readonly cluster: ClusterEndpoint;
  readonly kubernetesVersion: string;
  /** What the operator should know (a setting missing that some nodes will need). */
  readonly warnings: readonly string[];
}

export function nodeBootstrap(settings: ControllerSettings, discovery: ClusterDiscovery): NodeBootstrap {
  const warnings: string[] = [];
  const caBundle = settings.clusterCaBundle ?? discovery.caBundle;
  if (caBundle === undefined) {
    warnings.push("no CA bundle (--cluster-ca-bundle, or a CA in the kubeconfig): nodes cannot verify the API server");
  }
  const dnsIP = settings.clusterDnsIp ?? ("ip" in discovery.dns ? discovery.dns.ip : undefined);
  if (dnsIP === undefined && "problem" in discovery.dns) {
    warnings.push(`no cluster DNS IP for the kubelets (${discovery.dns.problem}); their default applies`);
  }
  if (settings.serviceCidr === undefined) {
    warnings.push("no --service-cidr: AL2023 nodes (nodeadm) refuse to join without it");
  }
  return {
    cluster: {
      name: settings.clusterName,
      endpoint: settings.clusterEndpoint ?? discovery.server,
      caBundle,
      serviceCIDR: settings.serviceCidr,
      dnsIP,
    },
    kubernetesVersion: discovery.kubernetesVersion,
    warnings,
  };
}
