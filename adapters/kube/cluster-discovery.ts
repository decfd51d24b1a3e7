// What the nodes need to join the cluster, found where Karpenter finds it (aws:pkg/operator/operator.go): the CA
// bundle from the client's own TLS configuration (`GetCABundle`: the kubeconfig's or the ServiceAccount's CA), the
// API server's version from discovery (`/version`, for the AMIs an alias stands for), and kube-dns's ClusterIP from
// the Service kube-system/kube-dns (`KubeDNSIP`; a failure is not fatal, as upstream: custom DNS setups have none,
// aws/karpenter-provider-aws#2787). The endpoint Karpenter reads from eks:DescribeCluster when not given; here it is
// the kubeconfig's server unless given (`run` in a pod, whose server is a Service address, must be told it).
import { readFileSync } from "node:fs";
import type { KubeConfig } from "./client-node.ts";
import type { KubeRestClient } from "./rest-client.ts";

export interface ClusterDiscovery {
  /** The kubeconfig's server URL. */
  readonly server: string;
  /** Base64 PEM, as the user data carries it; undefined when the client trusts the system's roots. */
  readonly caBundle: string | undefined;
  /** `1.34`: major.minor of the API server. */
  readonly kubernetesVersion: string;
  /** kube-dns's ClusterIP, or why it could not be read. */
  readonly dns: { readonly ip: string } | { readonly problem: string };
}

export async function discoverCluster(
  kubeConfig: KubeConfig,
  rest: KubeRestClient,
  options: { lookUpDns: boolean },
): Promise<ClusterDiscovery> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig: the current context names no cluster");
  const version = await rest.request({ verb: "get", resource: "version", method: "GET", path: "/version" });
  return {
    server: cluster.server,
    caBundle: caBundleOf(cluster),
    kubernetesVersion: minorVersion(version.body),
    dns: options.lookUpDns ? await kubeDnsIP(rest) : { problem: "not looked up (--cluster-dns-ip given)" },
  };
}

function caBundleOf(cluster: { caData?: string; caFile?: string }): string | undefined {
  if (cluster.caData !== undefined && cluster.caData !== "") return cluster.caData;
  if (cluster.caFile !== undefined && cluster.caFile !== "") return readFileSync(cluster.caFile).toString("base64");
  return undefined;
}

/** version.Info's major and minor (`"1"`, `"34+"` on EKS) → `1.34`. */
function minorVersion(body: unknown): string {
  const info = body as { major?: unknown; minor?: unknown } | undefined;
  const major = typeof info?.major === "string" ? info.major.replace(/\D+$/, "") : "";
  const minor = typeof info?.minor === "string" ? info.minor.replace(/\D+$/, "") : "";
  if (!/^\d+$/.test(major) || !/^\d+$/.test(minor)) {
    throw new Error(`the API server's /version gives no major.minor version: ${JSON.stringify(body)?.slice(0, 200)}`);
  }
  return `${major}.${minor}`;
}

async function kubeDnsIP(rest: KubeRestClient): Promise<ClusterDiscovery["dns"]> {
  try {
    const response = await rest.request({
      verb: "get",
      resource: "services",
      method: "GET",
      path: "/api/v1/namespaces/kube-system/services/kube-dns",
    });
    const ip = (response.body as { spec?: { clusterIP?: unknown } } | undefined)?.spec?.clusterIP;
    if (typeof ip !== "string" || ip === "" || ip === "None") {
      return { problem: "the Service kube-system/kube-dns has no ClusterIP" };
    }
    return { ip };
  } catch (error) {
    return { problem: `cannot read the Service kube-system/kube-dns: ${(error as Error).message}` };
  }
}
