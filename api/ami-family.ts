/**
 * Which AMI family an EC2NodeClass boots, as Karpenter decides it: karpenter-provider-aws pkg/apis/v1/ec2nodeclass.go
 * `EC2NodeClass.AMIFamily`, `Alias` and `amiFamilyFromAlias`. The family picks the user-data format and the default
 * block devices, so the rules that judge those, and the converter that turns a family into an alias, share it.
 */
import type { EC2NodeClassSpec } from "./types.ts";
import { isRecord } from "./plain-object.ts";

/** An `amiFamily` value the v1 CRD accepts. */
export type AMIFamily = NonNullable<EC2NodeClassSpec["amiFamily"]>;

/**
 * The alias families, as written before the "@" of `amiSelectorTerms[].alias`, and the amiFamily each stands for
 * (the CRD's alias rule admits exactly these; matching is case-sensitive there and in `amiFamilyFromAlias`).
 */
export const AMI_ALIAS_FAMILIES: ReadonlyMap<string, AMIFamily> = new Map([
  ["al2", "AL2"],
  ["al2023", "AL2023"],
  ["bottlerocket", "Bottlerocket"],
  ["windows2019", "Windows2019"],
  ["windows2022", "Windows2022"],
  ["windows2025", "Windows2025"],
]);

/** The amiFamily an alias such as "al2023@v20240807" stands for; undefined for an unknown family. */
export function amiFamilyFromAlias(alias: string): AMIFamily | undefined {
  const at = alias.indexOf("@");
  return AMI_ALIAS_FAMILIES.get(at < 0 ? alias : alias.slice(0, at));
}

/**
 * The family Karpenter generates user data and default block devices for (`AMIFamily()`), from an EC2NodeClass's
 * `spec`: `amiFamily` when set, else the family of the first non-empty `alias` term (`Alias()` skips empty ones).
 * An empty `amiFamily` counts as unset: the API server rejects "" (it is not in the enum), and what its author
 * meant, once it is removed, is the alias's family. Undefined when neither says, or the alias's family is unknown
 * (the API server rejects both; schema.* reports them). Not Karpenter's unreachable fallback, `Custom`.
 */
export function amiFamilyOf(spec: unknown): string | undefined {
  if (!isRecord(spec)) return undefined;
  if (typeof spec.amiFamily === "string" && spec.amiFamily !== "") return spec.amiFamily;
  const terms = Array.isArray(spec.amiSelectorTerms) ? spec.amiSelectorTerms : [];
  for (const term of terms) {
    if (isRecord(term) && typeof term.alias === "string" && term.alias !== "") return amiFamilyFromAlias(term.alias);
  }
  return undefined;
}
