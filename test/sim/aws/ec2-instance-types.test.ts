// DescribeInstanceTypes and DescribeInstanceTypeOfferings of the simulated EC2, read by the real SDK v3 client and
// by Debian's awscli. Expected values come from verbatim AWS responses (test/fixtures/aws/, see SOURCE.md) and the
// catalog file read directly, never from the simulator.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  type InstanceTypeInfo,
  type _InstanceType,
  paginateDescribeInstanceTypes,
} from "@aws-sdk/client-ec2";
import { type AwsWorld, awsCli, startAwsWorld } from "./aws-world.ts";

interface FixtureType {
  InstanceType: string;
  [field: string]: unknown;
}
const fixture = (name: string): FixtureType[] =>
  (
    JSON.parse(readFileSync(new URL(`../../fixtures/aws/${name}`, import.meta.url), "utf8")) as {
      InstanceTypes: FixtureType[];
    }
  ).InstanceTypes;
const VERBATIM = [
  ...fixture("DescribeInstanceTypes.25_instances.json"),
  ...fixture("DescribeInstanceTypes.t3_micro_and_p3_16xl.json"),
];

/** The fields of a verbatim response that the catalog holds, read the same way from both sides. */
function comparable(info: Record<string, unknown>) {
  const nested = (path: string): unknown =>
    path.split(".").reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], info);
  const gpus =
    (nested("GpuInfo.Gpus") as
      { Name: string; Manufacturer: string; Count: number; MemoryInfo: { SizeInMiB: number } }[] | undefined) ?? [];
  return {
    InstanceType: nested("InstanceType"),
    "VCpuInfo.DefaultVCpus": nested("VCpuInfo.DefaultVCpus"),
    "MemoryInfo.SizeInMiB": nested("MemoryInfo.SizeInMiB"),
    // The catalog knows a type's Kubernetes architecture, not whether it also runs 32-bit code (i386: c1, c3, m1…).
    "ProcessorInfo.SupportedArchitectures": (
      nested("ProcessorInfo.SupportedArchitectures") as string[] | undefined
    )?.filter((arch) => arch !== "i386"),
    BareMetal: nested("BareMetal"),
    BurstablePerformanceSupported: nested("BurstablePerformanceSupported"),
    "NetworkInfo.MaximumNetworkInterfaces": nested("NetworkInfo.MaximumNetworkInterfaces"),
    "NetworkInfo.Ipv4AddressesPerInterface": nested("NetworkInfo.Ipv4AddressesPerInterface"),
    // The catalog keeps GPU names and makers as Karpenter's labels spell them (lower case): compared ignoring case.
    "GpuInfo.Gpus": gpus.map((g) => ({
      name: g.Name.toLowerCase(),
      manufacturer: g.Manufacturer.toLowerCase(),
      count: g.Count,
      memoryMiB: g.MemoryInfo.SizeInMiB,
    })),
    "GpuInfo.TotalGpuMemoryInMiB": nested("GpuInfo.TotalGpuMemoryInMiB"),
  };
}

/** Top-level fields of the verbatim responses that the catalog does not hold (docs/sim.md lists them too). */
const NOT_IN_CATALOG = [
  "AutoRecoverySupported",
  "CurrentGeneration",
  "DedicatedHostsSupported",
  "EbsInfo",
  "FpgaInfo",
  "FreeTierEligible",
  "HibernationSupported",
  "Hypervisor",
  "InferenceAcceleratorInfo",
  "InstanceStorageInfo",
  "InstanceStorageSupported",
  "PlacementGroupInfo",
  "SupportedRootDeviceTypes",
  "SupportedUsageClasses",
];

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld();
});
after(() => world.close());

describe("DescribeInstanceTypes", () => {
  test("m5.large is 2 vCPU / 8192 MiB, x86_64", async () => {
    const { InstanceTypes } = await world.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["m5.large"] }));
    assert.equal(InstanceTypes?.length, 1);
    assert.equal(InstanceTypes[0]?.VCpuInfo?.DefaultVCpus, 2);
    assert.equal(InstanceTypes[0]?.MemoryInfo?.SizeInMiB, 8192);
    assert.deepEqual(InstanceTypes[0]?.ProcessorInfo?.SupportedArchitectures, ["x86_64"]);
  });

  test("equals the verbatim AWS responses field by field for the 27 types they cover, as far as the catalog holds the fields", async () => {
    assert.equal(VERBATIM.length, 27);
    const names = VERBATIM.map((t) => t.InstanceType);
    const served = new Map<string, InstanceTypeInfo>();
    for (let at = 0; at < names.length; at += 10) {
      const { InstanceTypes = [] } = await world.ec2.send(
        new DescribeInstanceTypesCommand({ InstanceTypes: names.slice(at, at + 10) as _InstanceType[] }),
      );
      for (const info of InstanceTypes) served.set(info.InstanceType ?? "", info);
    }
    for (const expected of VERBATIM) {
      const actual = served.get(expected.InstanceType);
      assert.ok(actual, `${expected.InstanceType} is served`);
      assert.deepEqual(comparable(actual as Record<string, unknown>), comparable(expected), expected.InstanceType);
    }
  });

  test("the fields left uncompared are exactly the ones the catalog lacks", () => {
    const compared = new Set(Object.keys(comparable({})).map((path) => path.split(".")[0]));
    const fields = new Set(VERBATIM.flatMap((t) => Object.keys(t)));
    assert.deepEqual([...fields].filter((f) => !compared.has(f)).sort(), NOT_IN_CATALOG);
  });

  test("pages through every catalog type once with the SDK's paginator", async () => {
    const catalog = JSON.parse(
      readFileSync(new URL("../../../data/ec2-instance-types.json", import.meta.url), "utf8"),
    ) as { name: string }[];
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeInstanceTypes({ client: world.ec2 }, { MaxResults: 100 })) {
      pages++;
      assert.ok((page.InstanceTypes?.length ?? 0) <= 100);
      seen.push(...(page.InstanceTypes ?? []).map((t) => t.InstanceType ?? ""));
    }
    assert.equal(pages, Math.ceil(catalog.length / 100));
    assert.deepEqual(seen.sort(), catalog.map((t) => t.name).sort());
  });

  test("filters by architecture and vCPUs", async () => {
    const { InstanceTypes = [] } = await world.ec2.send(
      new DescribeInstanceTypesCommand({
        Filters: [
          { Name: "processor-info.supported-architecture", Values: ["arm64"] },
          { Name: "vcpu-info.default-vcpus", Values: ["1"] },
          { Name: "instance-type", Values: ["a1.*", "c6g.*"] },
        ],
      }),
    );
    assert.deepEqual(InstanceTypes.map((t) => t.InstanceType).sort(), ["a1.medium", "c6g.medium"]);
  });

  test("an unknown type is InvalidInstanceType; a MaxResults out of range is InvalidParameterValue", async () => {
    await assert.rejects(
      world.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ["m5.large", "q9.huge"] as _InstanceType[] })),
      {
        name: "InvalidInstanceType",
        message: "The following supplied instance types do not exist: [q9.huge]",
      },
    );
    await assert.rejects(world.ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 500 })), {
      name: "InvalidParameterValue",
    });
  });

  test("awscli describe-instance-types reads m5.large as 2 vCPU / 8192 MiB", async () => {
    const out = (await awsCli(world.server.endpoint, [
      "ec2",
      "describe-instance-types",
      "--instance-types",
      "m5.large",
    ])) as {
      InstanceTypes: { InstanceType: string; VCpuInfo: { DefaultVCpus: number }; MemoryInfo: { SizeInMiB: number } }[];
    };
    assert.deepEqual(
      out.InstanceTypes.map((t) => [t.InstanceType, t.VCpuInfo.DefaultVCpus, t.MemoryInfo.SizeInMiB]),
      [["m5.large", 2, 8192]],
    );
  });
});

describe("DescribeInstanceTypeOfferings", () => {
  test("lists m5.large in each of the scenario's zones, and once for the region", async () => {
    const zones = await world.ec2.send(
      new DescribeInstanceTypeOfferingsCommand({
        LocationType: "availability-zone",
        Filters: [{ Name: "instance-type", Values: ["m5.large"] }],
      }),
    );
    assert.deepEqual(
      zones.InstanceTypeOfferings?.map((o) => [o.InstanceType, o.LocationType, o.Location]),
      ["us-west-2a", "us-west-2b", "us-west-2c"].map((zone) => ["m5.large", "availability-zone", zone]),
    );
    const region = await world.ec2.send(
      new DescribeInstanceTypeOfferingsCommand({ Filters: [{ Name: "instance-type", Values: ["m5.large"] }] }),
    );
    assert.deepEqual(
      region.InstanceTypeOfferings?.map((o) => o.Location),
      ["us-west-2"],
    );
  });

  test("pages with NextToken and refuses a token it did not issue", async () => {
    const first = await world.ec2.send(
      new DescribeInstanceTypeOfferingsCommand({ LocationType: "availability-zone", MaxResults: 5 }),
    );
    assert.equal(first.InstanceTypeOfferings?.length, 5);
    assert.ok(first.NextToken);
    const second = await world.ec2.send(
      new DescribeInstanceTypeOfferingsCommand({
        LocationType: "availability-zone",
        MaxResults: 5,
        NextToken: first.NextToken,
      }),
    );
    assert.notDeepEqual(second.InstanceTypeOfferings, first.InstanceTypeOfferings);
    await assert.rejects(
      world.ec2.send(new DescribeInstanceTypeOfferingsCommand({ MaxResults: 5, NextToken: "bm90LWEtdG9rZW4" })),
      { name: "InvalidParameterValue" },
    );
  });
});
