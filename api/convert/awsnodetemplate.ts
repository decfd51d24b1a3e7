// karpenter.k8s.aws/v1alpha1 AWSNodeTemplate → karpenter.k8s.aws/v1 EC2NodeClass, best effort, following the v1beta1
// migration guide and Karpenter v0.32's in-memory conversion (pkg/utils/nodeclass), then the v1 steps.
import type { InternalResult } from "./internal-result.ts";
import { convertNodeClassSpec } from "./ec2nodeclass.ts";
import { childRecord, has, show } from "./record.ts";
import type { JsonRecord } from "./record.ts";
import type { ConversionNote } from "./types.ts";
import { dropStatus } from "./unknown-fields.ts";

export function convertAWSNodeTemplate(input: JsonRecord): InternalResult {
  const object = structuredClone(input);
  const notes: ConversionNote[] = [
    {
      path: "apiVersion",
      kind: "converted",
      message:
        "Changed apiVersion from karpenter.k8s.aws/v1alpha1 to karpenter.k8s.aws/v1, because Karpenter removed the v1alpha1 API in v0.33.",
    },
    {
      path: "kind",
      kind: "renamed",
      message:
        "Renamed kind AWSNodeTemplate to EC2NodeClass, its successor since Karpenter v0.32 (same name, so NodePools converted from Provisioners still find it).",
    },
  ];
  object["apiVersion"] = "karpenter.k8s.aws/v1";
  object["kind"] = "EC2NodeClass";
  const spec = childRecord(object, "spec");
  if (!spec) {
    notes.push({
      path: "spec",
      kind: "unconvertible",
      message:
        "v1 requires spec with amiSelectorTerms, subnetSelectorTerms and securityGroupSelectorTerms: this AWSNodeTemplate has no spec.",
    });
    dropStatus(object, notes);
    return { object, notes };
  }
  if (has(spec, "launchTemplateName")) {
    const name = spec["launchTemplateName"];
    delete spec["launchTemplateName"];
    notes.push({
      path: "spec.launchTemplateName",
      kind: "unconvertible",
      message: `Removed launchTemplateName ${show(name)} because Karpenter no longer launches from unmanaged launch templates: express its AMI, UserData, security groups and block devices with the EC2NodeClass fields.`,
    });
  }
  if (!has(spec, "amiFamily")) {
    spec["amiFamily"] = "AL2";
    notes.push({
      path: "spec.amiFamily",
      kind: "defaulted",
      message:
        "Set amiFamily AL2 because v1alpha1 defaulted to AL2 when it was unset, while later versions need a family or an alias.",
    });
  }
  convertNodeClassSpec(spec, true, notes);
  if (!has(spec, "role") && !has(spec, "instanceProfile")) {
    notes.push({
      path: "spec.instanceProfile",
      kind: "unconvertible",
      message:
        "v1 requires spec.role or spec.instanceProfile, and this AWSNodeTemplate relied on the global aws.defaultInstanceProfile setting, which Karpenter removed: set one of them.",
    });
  }
  dropStatus(object, notes);
  return { object, notes };
}
