// A launch template's volumes and metadata options from an EC2NodeClass. The cases and their expected values are
// karpenter-provider-aws v1.14.1's own (pkg/providers/launchtemplate/suite_test.go: "should default AL2023 block
// device mappings", "should use custom block device mapping", "should round up for custom block device mappings
// when specified in gigabytes", "should default bottlerocket second volume with root volume size", "should not
// default block device mappings for custom AMIFamilies"); the metadata defaults are the EC2NodeClass CRD's.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EC2NodeClass } from "../../../api/index.ts";
import {
  blockDeviceMappingRequests,
  metadataOptionsRequest,
} from "../../../cloudprovider/aws/launch-template-options.ts";

type Spec = NonNullable<EC2NodeClass["spec"]>;
const spec = (extra: Partial<Spec>): Spec => ({
  amiSelectorTerms: [{ alias: "al2023@latest" }],
  subnetSelectorTerms: [],
  securityGroupSelectorTerms: [],
  ...extra,
});
const KMS = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

test("AL2 and AL2023 default to one encrypted 20 GiB gp3 root volume, no iops", () => {
  for (const family of ["AL2", "AL2023"] as const) {
    assert.deepEqual(blockDeviceMappingRequests(spec({}), family), [
      { deviceName: "/dev/xvda", ebs: { encrypted: true, volumeType: "gp3", volumeSizeGiB: 20 } },
    ]);
  }
});

test("Bottlerocket defaults to a 4 GiB control volume and a 20 GiB data volume; Windows to 50 GiB on /dev/sda1", () => {
  assert.deepEqual(
    blockDeviceMappingRequests(spec({}), "Bottlerocket").map((m) => [m.deviceName, m.ebs.volumeSizeGiB, m.ebs.iops]),
    [
      ["/dev/xvda", 4, undefined],
      ["/dev/xvdb", 20, undefined],
    ],
  );
  assert.deepEqual(
    blockDeviceMappingRequests(spec({}), "Windows2022").map((m) => [m.deviceName, m.ebs.volumeSizeGiB]),
    [["/dev/sda1", 50]],
  );
});

test("Custom gets no default volumes: EC2 uses the image's own", () => {
  assert.deepEqual(blockDeviceMappingRequests(spec({}), "Custom"), []);
});

test("custom mappings are sent as written, sizes in whole GiB rounded up (200G is 187 GiB, 4G is 4, 2G is 2)", () => {
  const device = (deviceName: string, volumeSize: string) => ({
    deviceName,
    ebs: {
      deleteOnTermination: true,
      encrypted: true,
      volumeType: "io2" as const,
      volumeSize,
      iops: 10_000,
      kmsKeyID: KMS,
    },
  });
  const expected = (deviceName: string, volumeSizeGiB: number) => ({
    deviceName,
    ebs: {
      deleteOnTermination: true,
      encrypted: true,
      volumeType: "io2",
      iops: 10_000,
      kmsKeyId: KMS,
      volumeSizeGiB,
    },
  });
  assert.deepEqual(
    blockDeviceMappingRequests(
      spec({ blockDeviceMappings: [device("/dev/xvda", "200G"), device("/dev/xvdb", "200Gi")] }),
      "AL2023",
    ),
    [expected("/dev/xvda", 187), expected("/dev/xvdb", 200)],
  );
  assert.deepEqual(
    blockDeviceMappingRequests(
      spec({ blockDeviceMappings: [device("/dev/xvda", "4G"), device("/dev/xvdb", "2G")] }),
      "Bottlerocket",
    ).map((m) => m.ebs.volumeSizeGiB),
    [4, 2],
  );
});

test("metadata options: the CRD's defaults (IMDSv2 required, hop limit 1) per field, the class's own where set", () => {
  assert.deepEqual(metadataOptionsRequest(spec({})), {
    httpEndpoint: "enabled",
    httpProtocolIpv6: "disabled",
    httpPutResponseHopLimit: 1,
    httpTokens: "required",
  });
  assert.deepEqual(metadataOptionsRequest(spec({ metadataOptions: { httpPutResponseHopLimit: 2 } })), {
    httpEndpoint: "enabled",
    httpProtocolIpv6: "disabled",
    httpPutResponseHopLimit: 2,
    httpTokens: "required",
  });
});
