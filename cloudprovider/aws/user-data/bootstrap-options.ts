/**
 * What every AMI family's user data tells the node (aws:pkg/providers/amifamily/bootstrap/bootstrap.go `Options`):
 * the cluster to join, its labels and taints, and the kubelet settings, plus the label and taint flags the
 * shell-based families pass to the kubelet (`nodeLabelArg`, `nodeTaintArg`, `kubeletExtraArgs`).
 */
import type { KubeletConfiguration } from "../../../api/index.ts";

export interface BootstrapTaint {
  readonly key: string;
  readonly value?: string | undefined;
  readonly effect: string;
}

export interface BootstrapOptions {
  readonly clusterName: string;
  /** `https://…` */
  readonly clusterEndpoint: string;
  /** The service CIDR; AL2023's nodeadm requires it. */
  readonly clusterCIDR?: string | undefined;
  /** Base64 PEM of the cluster's CA. */
  readonly caBundle?: string | undefined;
  /** The EC2NodeClass's kubelet settings with `maxPods` and `clusterDNS` resolved. */
  readonly kubelet: KubeletConfiguration;
  /** NodeClaim taints, startup taints and `karpenter.sh/unregistered:NoExecute`, in that order. */
  readonly taints: readonly BootstrapTaint[];
  readonly labels: Readonly<Record<string, string>>;
  readonly instanceStorePolicy?: "RAID0" | undefined;
}

/** Go's `%q` of an ASCII string: double quotes, with `"` and `\` escaped. */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}

/** `key=value:Effect` or `key:Effect` (corev1 `Taint.ToString`). */
export function taintString(taint: BootstrapTaint): string {
  return taint.value === undefined || taint.value === ""
    ? `${taint.key}:${taint.effect}`
    : `${taint.key}=${taint.value}:${taint.effect}`;
}

/** `--node-labels="a=1,b=2"`, keys sorted; "" without labels. */
export function nodeLabelArg(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return "";
  return `--node-labels=${goQuote(keys.map((key) => `${key}=${labels[key] ?? ""}`).join(","))}`;
}

/** `--register-with-taints="k=v:E,…"`. */
export function nodeTaintArg(taints: readonly BootstrapTaint[]): string {
  return `--register-with-taints=${goQuote(taints.map(taintString).join(","))}`;
}

// Karpenter ranges over a Go map here, in random order; sorted keys keep the launch template's hash stable.
function joinParameterArgs(name: string, values: Readonly<Record<string, string>> | undefined, separator: string) {
  const keys = Object.keys(values ?? {}).sort();
  if (keys.length === 0) return "";
  return `${name}=${goQuote(keys.map((key) => `${key}${separator}${values?.[key] ?? ""}`).join(","))}`;
}

/** The kubelet flags of bootstrap.go `kubeletExtraArgs`, in its order, empty ones left out. */
export function kubeletExtraArgs(options: BootstrapOptions): string[] {
  const k = options.kubelet;
  const args = [nodeLabelArg(options.labels), nodeTaintArg(options.taints)];
  if (k.maxPods !== undefined) args.push(`--max-pods=${k.maxPods}`);
  if (k.podsPerCore !== undefined) args.push(`--pods-per-core=${k.podsPerCore}`);
  args.push(joinParameterArgs("--system-reserved", k.systemReserved, "="));
  args.push(joinParameterArgs("--kube-reserved", k.kubeReserved, "="));
  args.push(joinParameterArgs("--eviction-hard", k.evictionHard, "<"));
  args.push(joinParameterArgs("--eviction-soft", k.evictionSoft, "<"));
  args.push(joinParameterArgs("--eviction-soft-grace-period", k.evictionSoftGracePeriod, "="));
  if (k.evictionMaxPodGracePeriod !== undefined) {
    args.push(`--eviction-max-pod-grace-period=${k.evictionMaxPodGracePeriod}`);
  }
  if (k.imageGCHighThresholdPercent !== undefined) {
    args.push(`--image-gc-high-threshold=${k.imageGCHighThresholdPercent}`);
  }
  if (k.imageGCLowThresholdPercent !== undefined) args.push(`--image-gc-low-threshold=${k.imageGCLowThresholdPercent}`);
  if (k.cpuCFSQuota !== undefined) args.push(`--cpu-cfs-quota=${k.cpuCFSQuota}`);
  return args.filter((arg) => arg !== "");
}
