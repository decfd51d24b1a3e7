// Names for the parts of the Karpenter objects, over the types generated field by field from the CRDs.
import type { EC2NodeClass, NodeClaim, NodePool } from "./generated/types.ts";

export type { EC2NodeClass, NodeClaim, NodePool };
export type { ObjectMeta, OwnerReference } from "./object-meta.ts";

export type NodePoolSpec = NodePool["spec"];
export type NodeClaimTemplate = NodePoolSpec["template"];
export type NodeClaimTemplateSpec = NodeClaimTemplate["spec"];
export type NodeClassReference = NodeClaimTemplateSpec["nodeClassRef"];
export type NodeSelectorRequirementWithMinValues = NodeClaimTemplateSpec["requirements"][number];
export type Disruption = NonNullable<NodePoolSpec["disruption"]>;
export type Budget = NonNullable<Disruption["budgets"]>[number];
export type DisruptionReason = NonNullable<Budget["reasons"]>[number];
export type ConsolidationPolicy = NonNullable<Disruption["consolidationPolicy"]>;
export type NodePoolStatus = NonNullable<NodePool["status"]>;

export type EC2NodeClassSpec = NonNullable<EC2NodeClass["spec"]>;
export type AMISelectorTerm = EC2NodeClassSpec["amiSelectorTerms"][number];
export type SubnetSelectorTerm = EC2NodeClassSpec["subnetSelectorTerms"][number];
export type SecurityGroupSelectorTerm = EC2NodeClassSpec["securityGroupSelectorTerms"][number];
export type BlockDeviceMapping = NonNullable<EC2NodeClassSpec["blockDeviceMappings"]>[number];
export type MetadataOptions = NonNullable<EC2NodeClassSpec["metadataOptions"]>;
export type KubeletConfiguration = NonNullable<EC2NodeClassSpec["kubelet"]>;

export type NodeClaimSpec = NonNullable<NodeClaim["spec"]>;
export type NodeClaimStatus = NonNullable<NodeClaim["status"]>;

/** Any of the three Karpenter kinds poolkeeper judges. */
export type KarpenterObject = NodePool | EC2NodeClass | NodeClaim;
