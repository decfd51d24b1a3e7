/**
 * The EC2NodeClass's static hash (aws:pkg/apis/v1/ec2nodeclass.go `Hash`, annotation
 * `karpenter.k8s.aws/ec2nodeclass-hash`): its spec without the selector terms, whose drift is judged by what they
 * resolve to (AMI, subnet and security-group drift) rather than by how they are written.
 */
import type { EC2NodeClass } from "../../api/index.ts";
import { stableHash } from "./hash.ts";

export const ANNOTATION_NODE_CLASS_HASH = "karpenter.k8s.aws/ec2nodeclass-hash";
export const ANNOTATION_NODE_CLASS_HASH_VERSION = "karpenter.k8s.aws/ec2nodeclass-hash-version";
/** Bumped when what the hash covers changes, so old annotations are not read as drift. */
export const NODE_CLASS_HASH_VERSION = "poolkeeper-v1";

const SELECTOR_TERMS = [
  "amiSelectorTerms",
  "subnetSelectorTerms",
  "securityGroupSelectorTerms",
  "capacityReservationSelectorTerms",
];

export function nodeClassHash(nodeClass: EC2NodeClass): string {
  const hashed = Object.entries(nodeClass.spec ?? {}).filter(([key]) => !SELECTOR_TERMS.includes(key));
  return stableHash(Object.fromEntries(hashed)).slice(0, 16);
}
