/**
 * The tags Karpenter puts on what it launches, and finds it by again (aws:pkg/apis/v1/labels.go tag keys,
 * aws:pkg/utils `GetTags`): the EC2NodeClass's own `spec.tags` under the static ones, which a user cannot override.
 */
import type { EC2NodeClass, NodeClaim, Tag } from "../../api/index.ts";

export const TAG_NODE_POOL = "karpenter.sh/nodepool";
export const TAG_NODE_CLAIM = "karpenter.sh/nodeclaim";
export const TAG_NODE_CLASS = "karpenter.k8s.aws/ec2nodeclass";
export const TAG_EKS_CLUSTER_NAME = "eks:eks-cluster-name";
export const LABEL_NODE_POOL = "karpenter.sh/nodepool";

export function clusterTagKey(clusterName: string): string {
  return `kubernetes.io/cluster/${clusterName}`;
}

/** `{key: value}` as EC2 tags, in key order. */
export function toTags(map: Readonly<Record<string, string>>): Tag[] {
  return Object.keys(map)
    .sort()
    .map((key) => ({ key, value: map[key] ?? "" }));
}

export function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((tag) => tag.key === key)?.value;
}

/** The tags of a NodeClaim's instance, volumes and fleet. */
export function launchTags(clusterName: string, nodeClaim: NodeClaim, nodeClass: EC2NodeClass): Tag[] {
  return toTags({
    ...nodeClass.spec?.tags,
    [clusterTagKey(clusterName)]: "owned",
    [TAG_EKS_CLUSTER_NAME]: clusterName,
    [TAG_NODE_POOL]: nodeClaim.metadata.labels?.[LABEL_NODE_POOL] ?? "",
    [TAG_NODE_CLASS]: nodeClass.metadata.name ?? "",
    [TAG_NODE_CLAIM]: nodeClaim.metadata.name ?? "",
  });
}
