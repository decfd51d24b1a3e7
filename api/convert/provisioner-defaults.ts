// v1alpha5's AWS webhook injected these requirements into every Provisioner that lacked them
// (karpenter-provider-aws pkg/apis/v1alpha5 Provisioner.SetDefaults); NodePools have no such defaulting, so a
// converted Provisioner gets them written out to keep selecting the same instances.
import { isRecord, type JsonRecord } from "./record.ts";

const INSTANCE_SHAPE_KEYS = [
  "node.kubernetes.io/instance-type",
  "karpenter.k8s.aws/instance-family",
  "karpenter.k8s.aws/instance-category",
  "karpenter.k8s.aws/instance-generation",
];

/** The requirements v1alpha5 would have added to these, in the webhook's order. */
export function defaultRequirements(requirements: readonly unknown[], labels: JsonRecord | undefined): JsonRecord[] {
  const keys = new Set(requirements.filter(isRecord).map((r) => r["key"]));
  // A label fixes the value as surely as a requirement; adding a conflicting default would make the pool unusable.
  for (const key of Object.keys(labels ?? {})) keys.add(key);
  const added: JsonRecord[] = [];
  if (!keys.has("kubernetes.io/os")) added.push({ key: "kubernetes.io/os", operator: "In", values: ["linux"] });
  if (!keys.has("kubernetes.io/arch")) added.push({ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] });
  if (!keys.has("karpenter.sh/capacity-type")) {
    added.push({ key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] });
  }
  if (INSTANCE_SHAPE_KEYS.every((k) => !keys.has(k))) {
    added.push({ key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m", "r"] });
    added.push({ key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["2"] });
  }
  return added;
}
