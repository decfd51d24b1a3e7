/**
 * What an EC2NodeClass's AMI family changes about a node's capacity and labels, as karpenter-provider-aws's
 * `pkg/providers/amifamily` has it: the feature flags (`FeatureFlags()`), the device pods write to
 * (`EphemeralBlockDevice()`) and its default size (`DefaultBlockDeviceMappings()`), and the Windows build label.
 */
import type { EC2NodeClassSpec } from "../api/index.ts";
import { ValueError } from "../api/index.ts";
import { AMI_ALIAS_FAMILIES, amiFamilyFromAlias, type AMIFamily } from "../api/index.ts";

export type { AMIFamily };

export interface AMIFamilyTraits {
  /** kube-reserved memory counts the ENI-limited pods even when `kubelet.maxPods` is set (AL2, AL2023, Custom). */
  readonly usesENILimitedMemoryOverhead: boolean;
  /** `kubelet.podsPerCore` is passed to the kubelet (not on Bottlerocket, whose settings lack it). */
  readonly podsPerCoreEnabled: boolean;
  /** Pods default to the ENI-limited count; otherwise (Windows) to 110. */
  readonly supportsENILimitedPodDensity: boolean;
  /** The block device pods' ephemeral storage lives on; undefined for Custom (Karpenter cannot know it). */
  readonly ephemeralBlockDevice: string | undefined;
  /** Its size when no blockDeviceMappings are set (`DefaultEBS` is 20Gi; Windows' root volume is 50Gi). */
  readonly defaultEphemeralVolumeSize: string;
  /** `node.kubernetes.io/windows-build` of the family's nodes; undefined for Linux families. */
  readonly windowsBuild: string | undefined;
  /**
   * The volumes a launch template gets when the EC2NodeClass sets no blockDeviceMappings (`DefaultBlockDeviceMappings`,
   * each Karpenter's `DefaultEBS`: encrypted gp3, 20Gi unless the family says otherwise); none for Custom, which
   * leaves the image's own.
   */
  readonly defaultBlockDeviceMappings: readonly DefaultBlockDevice[];
}

export interface DefaultBlockDevice {
  readonly deviceName: string;
  readonly ebs: { readonly encrypted: true; readonly volumeType: "gp3"; readonly volumeSize: string };
}

const defaultEbs = (deviceName: string, volumeSize = "20Gi"): DefaultBlockDevice =>
  Object.freeze({
    deviceName,
    ebs: Object.freeze({ encrypted: true, volumeType: "gp3", volumeSize }) as DefaultBlockDevice["ebs"],
  });

// DefaultFamily's flags (amifamily/resolver.go), which AL2, AL2023 and Custom keep.
const LINUX = {
  usesENILimitedMemoryOverhead: true,
  podsPerCoreEnabled: true,
  supportsENILimitedPodDensity: true,
  defaultEphemeralVolumeSize: "20Gi",
  windowsBuild: undefined,
} as const;

function windows(build: string): AMIFamilyTraits {
  return Object.freeze({
    usesENILimitedMemoryOverhead: false,
    podsPerCoreEnabled: true,
    supportsENILimitedPodDensity: false,
    ephemeralBlockDevice: "/dev/sda1",
    defaultEphemeralVolumeSize: "50Gi",
    windowsBuild: build,
    defaultBlockDeviceMappings: Object.freeze([defaultEbs("/dev/sda1", "50Gi")]),
  });
}

const TRAITS: Readonly<Record<AMIFamily, AMIFamilyTraits>> = Object.freeze({
  AL2: Object.freeze({
    ...LINUX,
    ephemeralBlockDevice: "/dev/xvda",
    defaultBlockDeviceMappings: Object.freeze([defaultEbs("/dev/xvda")]),
  }),
  AL2023: Object.freeze({
    ...LINUX,
    ephemeralBlockDevice: "/dev/xvda",
    defaultBlockDeviceMappings: Object.freeze([defaultEbs("/dev/xvda")]),
  }),
  Custom: Object.freeze({ ...LINUX, ephemeralBlockDevice: undefined, defaultBlockDeviceMappings: Object.freeze([]) }),
  // Bottlerocket boots from a 4Gi /dev/xvda and keeps pods' data on /dev/xvdb.
  Bottlerocket: Object.freeze({
    ...LINUX,
    usesENILimitedMemoryOverhead: false,
    podsPerCoreEnabled: false,
    ephemeralBlockDevice: "/dev/xvdb",
    defaultBlockDeviceMappings: Object.freeze([defaultEbs("/dev/xvda", "4Gi"), defaultEbs("/dev/xvdb")]),
  }),
  // Builds from aws:pkg/apis/v1/labels.go.
  Windows2019: windows("10.0.17763"),
  Windows2022: windows("10.0.20348"),
  Windows2025: windows("10.0.26100"),
});

/** Throws ValueError for a family the EC2NodeClass CRD does not have. */
export function amiFamilyTraits(family: AMIFamily): AMIFamilyTraits {
  const traits = Object.hasOwn(TRAITS, family) ? TRAITS[family] : undefined;
  if (traits === undefined) {
    throw new ValueError(
      `unknown AMI family "${String(family)}" (expected one of ${Object.keys(TRAITS).join(", ")})`,
      family,
    );
  }
  return traits;
}

export function isWindows(family: AMIFamily): boolean {
  return amiFamilyTraits(family).windowsBuild !== undefined;
}

/**
 * The family of a valid EC2NodeClass (`EC2NodeClass.AMIFamily()`): `amiFamily` when set, else the family of the
 * alias term (api/'s `amiFamilyFromAlias`), else Karpenter's fallback Custom. Throws ValueError naming the field for an alias with an unknown family, which the CRD rejects.
 */
export function amiFamilyOf(spec: Pick<EC2NodeClassSpec, "amiFamily" | "amiSelectorTerms">): AMIFamily {
  if (spec.amiFamily !== undefined) return spec.amiFamily;
  const index = spec.amiSelectorTerms.findIndex((term) => term.alias !== undefined && term.alias !== "");
  const alias = spec.amiSelectorTerms[index]?.alias;
  if (alias === undefined) return "Custom";
  const family = amiFamilyFromAlias(alias);
  if (family === undefined) {
    const path = `spec.amiSelectorTerms[${index}].alias`;
    throw new ValueError(
      `${path}: unknown AMI family in "${alias}" (expected one of ${[...AMI_ALIAS_FAMILIES.keys()].join(", ")} before "@")`,
      alias,
      { path },
    );
  }
  return family;
}
