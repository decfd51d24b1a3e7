// v1 requires amiSelectorTerms. Karpenter's v1 conversion webhook (karpenter-provider-aws
// pkg/apis/v1/ec2nodeclass_conversion.go) turns an AL2/AL2023/Bottlerocket/Windows2019/Windows2022 class without
// terms into a single alias term "<family lowercased>@latest" and drops amiFamily (the alias implies it); Windows2025,
// which came after the webhook and has no legacy shape, is an alias family too and is converted the same way. Ubuntu
// lost first-class support: the webhook switches it to AL2 (same UserData format) with Ubuntu's root volume, and
// without terms it cannot select any AMI.
import { has, replaceKey, show, type JsonRecord } from "./record.ts";
import type { ConversionNote } from "./types.ts";
import { V1_AMI_FAMILIES } from "./v1-fields.ts";
import { AMI_ALIAS_FAMILIES } from "../ami-family.ts";

// The amiFamily values an alias stands for: a class of one of them without terms becomes "<family lowercased>@latest".
const ALIAS_AMI_FAMILIES: ReadonlySet<string> = new Set(AMI_ALIAS_FAMILIES.values());

/** Karpenter's former default block device for Ubuntu, which the webhook adds when none is given. */
const UBUNTU_BLOCK_DEVICE = {
  deviceName: "/dev/sda1",
  rootVolume: true,
  ebs: { encrypted: true, volumeType: "gp3", volumeSize: "20Gi" },
};

function hasTerms(spec: JsonRecord): boolean {
  const terms = spec["amiSelectorTerms"];
  return Array.isArray(terms) && terms.length > 0;
}

/** Converts amiFamily/amiSelectorTerms in place; legacy is true for v1beta1 and older input. */
export function convertAmiFamily(spec: JsonRecord, legacy: boolean, notes: ConversionNote[]): void {
  const family = spec["amiFamily"];
  if (family === "Ubuntu") {
    convertUbuntu(spec, notes);
    return;
  }
  if (hasTerms(spec)) {
    if (legacy && family === undefined) {
      notes.push({
        path: "spec.amiFamily",
        kind: "unconvertible",
        message:
          "v1 requires amiFamily when amiSelectorTerms has no alias: set the family of the selected AMIs (AL2, AL2023, Bottlerocket, Windows2019, Windows2022 or Custom) so Karpenter generates matching UserData.",
      });
    }
    return;
  }
  if (typeof family === "string" && ALIAS_AMI_FAMILIES.has(family)) {
    const alias = `${family.toLowerCase()}@latest`;
    replaceKey(spec, "amiFamily", "amiSelectorTerms", [{ alias }]);
    const pinning = family.startsWith("Windows")
      ? "Windows aliases only accept @latest"
      : `pin a release for production, for example ${family === "Bottlerocket" ? "bottlerocket@v1.10.0" : `${family.toLowerCase()}@v20240625`}`;
    notes.push({
      path: "spec.amiFamily",
      kind: "converted",
      to: "spec.amiSelectorTerms",
      message: `Replaced amiFamily ${family} (with no amiSelectorTerms) by amiSelectorTerms [{alias: ${alias}}], as Karpenter's v1 conversion does, because v1 requires amiSelectorTerms; @latest is unpinned, so nodes drift to every new EKS-optimized AMI release (${pinning}).`,
    });
    return;
  }
  const message =
    family === "Custom"
      ? "v1 requires amiSelectorTerms and amiFamily Custom cannot infer an AMI: add amiSelectorTerms selecting your AMIs by id, name/owner, tags or ssmParameter."
      : family === undefined
        ? "v1 requires amiSelectorTerms: add an alias term such as {alias: al2023@latest} (pinned to a release for production) or terms selecting your AMIs."
        : `amiFamily ${show(family)} is not a v1 family (${V1_AMI_FAMILIES.join(", ")}) and there are no amiSelectorTerms: choose a v1 family and add amiSelectorTerms.`;
  notes.push({ path: "spec.amiSelectorTerms", kind: "unconvertible", message });
}

function convertUbuntu(spec: JsonRecord, notes: ConversionNote[]): void {
  spec["amiFamily"] = "AL2";
  notes.push({
    path: "spec.amiFamily",
    kind: "converted",
    message:
      "Replaced amiFamily Ubuntu, which v1 dropped, by AL2 as Karpenter's v1 conversion does, because AL2 generates UserData in the same format; that compatibility is not guaranteed long-term, so switch to Custom with your own UserData if bootstrapping breaks.",
  });
  if (!has(spec, "blockDeviceMappings")) {
    spec["blockDeviceMappings"] = [structuredClone(UBUNTU_BLOCK_DEVICE)];
    notes.push({
      path: "spec.blockDeviceMappings",
      kind: "defaulted",
      message:
        "Set blockDeviceMappings to Ubuntu's former default root volume (/dev/sda1, 20Gi encrypted gp3), as Karpenter's v1 conversion does, because AL2's default device name does not match Ubuntu AMIs.",
    });
  }
  if (!hasTerms(spec)) {
    notes.push({
      path: "spec.amiSelectorTerms",
      kind: "unconvertible",
      message:
        "Karpenter v1 no longer discovers Ubuntu AMIs: add amiSelectorTerms selecting your Ubuntu AMIs (by id, name/owner or tags), otherwise the EC2NodeClass never becomes Ready.",
    });
  }
}
