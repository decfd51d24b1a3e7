// karpenter.k8s.aws/v1beta1 EC2NodeClass → karpenter.k8s.aws/v1, following Karpenter's v1 conversion webhook
// (karpenter-provider-aws pkg/apis/v1/ec2nodeclass_conversion.go) and the v1 migration guide. A v1 EC2NodeClass
// goes through the repairs too (legacy selectors, amiFamily without terms), which leave a clean v1 object alone.
import { convertAmiFamily } from "./ami-family.ts";
import type { InternalResult } from "./internal-result.ts";
import { convertLegacySelectors } from "./legacy-selectors.ts";
import { keepLegacyHopLimit } from "./metadata-options.ts";
import { childRecord, removeKey, type JsonRecord } from "./record.ts";
import type { ConversionNote } from "./types.ts";
import { dropStatus, dropUnknownFields } from "./unknown-fields.ts";
import { EC2NODECLASS_SPEC_FIELDS } from "./v1-fields.ts";

/** Tags the v1 CRD rejects because Karpenter sets them itself (eks:eks-cluster-name is new in v1). */
function isRestrictedTag(key: string): boolean {
  return (
    key === "eks:eks-cluster-name" ||
    key.startsWith("kubernetes.io/cluster") ||
    ["karpenter.sh/nodepool", "karpenter.sh/nodeclaim", "karpenter.k8s.aws/ec2nodeclass"].includes(key)
  );
}

function dropRestrictedTags(spec: JsonRecord, notes: ConversionNote[]): void {
  const tags = childRecord(spec, "tags");
  if (!tags) return;
  for (const key of Object.keys(tags)) {
    if (!isRestrictedTag(key)) continue;
    removeKey(tags, key);
    notes.push({
      path: `spec.tags.${key}`,
      kind: "dropped",
      message: `Removed tag "${key}" because the v1 EC2NodeClass rejects it: Karpenter sets that tag on the resources it creates.`,
    });
  }
  if (Object.keys(tags).length === 0) delete spec["tags"];
}

/** Since v1, Karpenter only registers nodes it launched with this startup taint; Custom UserData must add it. */
function checkCustomUserData(spec: JsonRecord, notes: ConversionNote[]): void {
  if (spec["amiFamily"] !== "Custom") return;
  const userData = spec["userData"];
  if (typeof userData === "string" && userData.includes("karpenter.sh/unregistered")) return;
  notes.push({
    path: "spec.userData",
    kind: "unconvertible",
    message:
      "With amiFamily Custom, v1 expects your UserData to register the node with the taint karpenter.sh/unregistered:NoExecute (Karpenter removes it once the node is registered); add it to the kubelet's --register-with-taints.",
  });
}

/**
 * The spec steps shared by every EC2NodeClass-like input. `legacy` is true for v1beta1 and v1alpha1 input, which
 * also get the changes only a legacy object needs (old IMDS default, newly restricted tags, unknown fields).
 */
export function convertNodeClassSpec(spec: JsonRecord, legacy: boolean, notes: ConversionNote[]): void {
  const failed = convertLegacySelectors(spec, notes);
  // An AMI selector that could not be converted still said which AMIs to use: an alias would be a guess.
  if (!failed.has("amiSelector")) convertAmiFamily(spec, legacy, notes);
  if (!legacy) return;
  keepLegacyHopLimit(spec, notes);
  dropRestrictedTags(spec, notes);
  checkCustomUserData(spec, notes);
  dropUnknownFields(spec, EC2NODECLASS_SPEC_FIELDS, "spec", "EC2NodeClass", notes);
}

/** `legacy` is true for karpenter.k8s.aws/v1beta1 input, false for karpenter.k8s.aws/v1 input. */
export function convertEC2NodeClass(input: JsonRecord, legacy: boolean): InternalResult {
  const object = structuredClone(input);
  const notes: ConversionNote[] = [];
  if (legacy) {
    object["apiVersion"] = "karpenter.k8s.aws/v1";
    notes.push({
      path: "apiVersion",
      kind: "converted",
      message:
        "Changed apiVersion from karpenter.k8s.aws/v1beta1 to karpenter.k8s.aws/v1, the only EC2NodeClass version Karpenter serves since v1.1.",
    });
  }
  const spec = childRecord(object, "spec");
  if (spec) {
    convertNodeClassSpec(spec, legacy, notes);
  } else if (legacy) {
    notes.push({
      path: "spec",
      kind: "unconvertible",
      message:
        "v1 requires spec with amiSelectorTerms, subnetSelectorTerms and securityGroupSelectorTerms: this EC2NodeClass has no spec.",
    });
  }
  if (legacy) dropStatus(object, notes);
  return { object, notes };
}
