/**
 * A launch template's volumes, instance metadata options and monitoring from an EC2NodeClass, as Karpenter resolves
 * them: the class's `blockDeviceMappings`, or the AMI family's defaults when it sets none
 * (aws:pkg/providers/amifamily/resolver.go `resolveLaunchTemplates`, `DefaultBlockDeviceMappings`); sizes rounded
 * up to whole GiB (aws:pkg/providers/launchtemplate `volumeSize`); `metadataOptions` with the CRD's per-field
 * defaults (IMDSv2 required, hop limit 1), since an object read without the API server's defaulting may lack them.
 */
import {
  parseQuantity,
  type BlockDeviceMapping,
  type EbsBlockDevice,
  type EC2NodeClass,
  type MetadataOptions,
} from "../../api/index.ts";
import { amiFamilyTraits, type AMIFamily } from "../ami-family.ts";

type EC2NodeClassSpec = NonNullable<EC2NodeClass["spec"]>;

const GiB = 2n ** 30n;

/** Whole GiB, rounded up, of a Kubernetes quantity (`20Gi`, `100G`, `1Ti`). */
export function volumeSizeGiB(size: string): number {
  const bytes = parseQuantity(size).value();
  return Number((bytes + GiB - 1n) / GiB);
}

export function blockDeviceMappingRequests(
  spec: EC2NodeClassSpec | undefined,
  family: AMIFamily,
): BlockDeviceMapping[] {
  const mappings = spec?.blockDeviceMappings ?? [];
  const chosen = mappings.length > 0 ? mappings : amiFamilyTraits(family).defaultBlockDeviceMappings;
  return chosen.map((mapping) => {
    const ebs: NonNullable<NonNullable<EC2NodeClassSpec["blockDeviceMappings"]>[number]["ebs"]> = mapping.ebs ?? {};
    const request = Object.fromEntries(
      Object.entries({
        deleteOnTermination: ebs.deleteOnTermination,
        encrypted: ebs.encrypted,
        volumeType: ebs.volumeType,
        // Karpenter sends iops and throughput only when non-zero (lo.EmptyableToPtr).
        iops: ebs.iops || undefined,
        throughput: ebs.throughput || undefined,
        kmsKeyId: ebs.kmsKeyID,
        snapshotId: ebs.snapshotID,
        volumeInitializationRate: ebs.volumeInitializationRate,
        volumeSizeGiB: ebs.volumeSize === undefined ? undefined : volumeSizeGiB(ebs.volumeSize),
      }).filter(([, value]) => value !== undefined),
    ) as EbsBlockDevice;
    return { deviceName: mapping.deviceName ?? "", ebs: request };
  });
}

export function metadataOptionsRequest(spec: EC2NodeClassSpec | undefined): MetadataOptions {
  const options = spec?.metadataOptions ?? {};
  return {
    httpEndpoint: options.httpEndpoint ?? "enabled",
    httpProtocolIpv6: options.httpProtocolIPv6 ?? "disabled",
    httpPutResponseHopLimit: options.httpPutResponseHopLimit ?? 1,
    httpTokens: options.httpTokens ?? "required",
  };
}
