/**
 * What a NodeClaim's user data carries besides the cluster (aws:pkg/providers/launchtemplate `CreateAMIOptions`,
 * amifamily/resolver.go `resolveLaunchTemplates`): its labels with the capacity type and, except for Custom,
 * `karpenter.sh/do-not-sync-taints`, less the ones the kubelet may not set on itself; its taints and startup
 * taints with `karpenter.sh/unregistered:NoExecute`; the EC2NodeClass's kubelet settings with `maxPods` (the
 * instance type's pods when unset) and `clusterDNS` (kube-dns when unset).
 */
import type { EC2NodeClass, KubeletConfiguration, NodeClaim } from "../../api/index.ts";
import { UNREGISTERED_NO_EXECUTE_TAINT } from "../../scheduling/index.ts";
import type { AMIFamily } from "../ami-family.ts";
import { LABEL_CAPACITY_TYPE } from "../catalog/catalog-labels.ts";
import { TAG_NODE_CLASS } from "./tags.ts";
import type { BootstrapTaint } from "./user-data/bootstrap-options.ts";

const LABEL_DO_NOT_SYNC_TAINTS = "karpenter.sh/do-not-sync-taints";

// The labels a kubelet may give its own node (k8s.io/kubelet/pkg/apis `IsKubeletLabel`): outside kubernetes.io
// and k8s.io, or one of these.
const KUBELET_LABELS: ReadonlySet<string> = new Set([
  "kubernetes.io/hostname",
  "kubernetes.io/arch",
  "kubernetes.io/os",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "node.kubernetes.io/instance-type",
  "beta.kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/instance-type",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
]);
const KUBELET_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"];

function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const slash = key.indexOf("/");
  if (slash < 0) return true;
  const domain = key.slice(0, slash);
  if (KUBELET_NAMESPACES.some((ns) => domain === ns || domain.endsWith(`.${ns}`))) return true;
  const restricted = ["kubernetes.io", "k8s.io"].some((ns) => domain === ns || domain.endsWith(`.${ns}`));
  return !restricted;
}

export function bootstrapLabels(
  nodeClaim: NodeClaim,
  nodeClass: EC2NodeClass,
  capacityType: string,
  family: AMIFamily,
): Record<string, string> {
  const labels: Record<string, string> = {
    ...nodeClaim.metadata.labels,
    [TAG_NODE_CLASS]: nodeClass.metadata.name ?? "",
    [LABEL_CAPACITY_TYPE]: capacityType,
  };
  if (family !== "Custom") labels[LABEL_DO_NOT_SYNC_TAINTS] = "true";
  return Object.fromEntries(Object.entries(labels).filter(([key]) => isKubeletLabel(key)));
}

export function bootstrapTaints(nodeClaim: NodeClaim): BootstrapTaint[] {
  const taints: BootstrapTaint[] = [...(nodeClaim.spec?.taints ?? []), ...(nodeClaim.spec?.startupTaints ?? [])].map(
    (t) => ({ key: t.key, value: t.value, effect: t.effect }),
  );
  const unregistered = UNREGISTERED_NO_EXECUTE_TAINT;
  if (!taints.some((t) => t.key === unregistered.key && t.effect === unregistered.effect)) {
    taints.push({ key: unregistered.key, effect: unregistered.effect });
  }
  return taints;
}

export function bootstrapKubelet(
  nodeClass: EC2NodeClass,
  maxPods: number,
  dnsIP: string | undefined,
): KubeletConfiguration {
  const kubelet: KubeletConfiguration = { ...nodeClass.spec?.kubelet };
  kubelet.maxPods ??= maxPods;
  if ((kubelet.clusterDNS ?? []).length === 0 && dnsIP !== undefined) kubelet.clusterDNS = [dnsIP];
  return kubelet;
}
