// Field names the v1 CRDs accept (api/crds/*.yaml, Karpenter v1.14.1): anything else in a converted legacy
// object would be pruned by the API server, so the converter drops it with a note. test/api/convert-fields.test.ts
// checks these lists against the CRDs.

export const NODEPOOL_SPEC_FIELDS = ["disruption", "limits", "replicas", "template", "weight"] as const;
export const DISRUPTION_FIELDS = ["budgets", "consolidateAfter", "consolidationPolicy"] as const;
export const TEMPLATE_FIELDS = ["metadata", "spec"] as const;
export const TEMPLATE_METADATA_FIELDS = ["annotations", "labels"] as const;
export const TEMPLATE_SPEC_FIELDS = [
  "expireAfter",
  "nodeClassRef",
  "requirements",
  "startupTaints",
  "taints",
  "terminationGracePeriod",
] as const;
export const NODE_CLASS_REF_FIELDS = ["group", "kind", "name"] as const;

export const EC2NODECLASS_SPEC_FIELDS = [
  "amiFamily",
  "amiSelectorTerms",
  "associatePublicIPAddress",
  "blockDeviceMappings",
  "capacityReservationSelectorTerms",
  "connectionTracking",
  "context",
  "cpuOptions",
  "detailedMonitoring",
  "instanceProfile",
  "instanceStorePolicy",
  "ipPrefixCount",
  "kubelet",
  "metadataOptions",
  "networkInterfaces",
  "placementGroupSelector",
  "role",
  "securityGroupSelectorTerms",
  "subnetSelectorTerms",
  "tags",
  "userData",
] as const;

/** The typed kubelet subset of the v1.14.1 EC2NodeClass (the same fields the v1beta1 NodePool kubelet had). */
export const KUBELET_FIELDS = [
  "clusterDNS",
  "cpuCFSQuota",
  "evictionHard",
  "evictionMaxPodGracePeriod",
  "evictionSoft",
  "evictionSoftGracePeriod",
  "imageGCHighThresholdPercent",
  "imageGCLowThresholdPercent",
  "kubeReserved",
  "maxPods",
  "podsPerCore",
  "systemReserved",
] as const;

/** Every amiFamily the v1 CRD accepts. */
export const V1_AMI_FAMILIES = [
  "AL2",
  "AL2023",
  "Bottlerocket",
  "Custom",
  "Windows2019",
  "Windows2022",
  "Windows2025",
] as const;

export const DEFAULT_NODE_CLASS_GROUP = "karpenter.k8s.aws";
export const DEFAULT_NODE_CLASS_KIND = "EC2NodeClass";
