// The EC2 adapter over HTTP against the simulated EC2: the SDK's paginators, the answers in the port's shapes and
// EC2's error codes as the port's typed errors. Expected values come from the simulator's scenario and the bundled
// catalog, which the adapter does not read.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { IdempotentParameterMismatch, NotFound, type FleetRequest } from "../../../api/index.ts";
import { SdkEc2 } from "../../../adapters/aws/index.ts";
import { defaultScenario } from "../../../sim/world/cloud/index.ts";
import { type AwsWorld, CREDENTIALS, startAwsWorld } from "../../sim/aws/aws-world.ts";

const scenario = defaultScenario({ unoffered: [{ instanceType: "c5.large", zone: "us-west-2b" }] });
const catalogNames = (
  JSON.parse(readFileSync(new URL("../../../data/ec2-instance-types.json", import.meta.url), "utf8")) as {
    name: string;
  }[]
).map((t) => t.name);

let world: AwsWorld;
let ec2: SdkEc2;
before(async () => {
  world = await startAwsWorld({ unoffered: scenario.unoffered });
  ec2 = new SdkEc2({ endpoint: world.server.endpoint, region: scenario.region, credentials: CREDENTIALS });
});
after(async () => {
  ec2.destroy();
  await world.close();
});

describe("describe calls follow every page", () => {
  test("DescribeInstanceTypes lists every catalog type, m5.large with its vCPUs, memory and ENIs", async () => {
    const types = await ec2.describeInstanceTypes();
    assert.deepEqual(types.map((t) => t.instanceType).sort(), [...catalogNames].sort());
    const m5 = types.find((t) => t.instanceType === "m5.large");
    assert.deepEqual(m5, {
      instanceType: "m5.large",
      vcpus: 2,
      memoryMiB: 8192,
      architectures: ["x86_64"],
      supportedUsageClasses: ["on-demand", "spot"],
      maxNetworkInterfaces: 3,
      ipv4AddressesPerInterface: 10,
      bareMetal: false,
      burstable: false,
      gpus: 0,
    });
  });

  test("DescribeInstanceTypeOfferings: every type in every zone but the unoffered one", async () => {
    const offerings = await ec2.describeInstanceTypeOfferings();
    assert.equal(offerings.length, catalogNames.length * scenario.zones.length - 1);
    assert.ok(!offerings.some((o) => o.instanceType === "c5.large" && o.zone === "us-west-2b"));
    assert.ok(offerings.some((o) => o.instanceType === "c5.large" && o.zone === "us-west-2a"));
  });

  test("subnets, security groups and images by tag filter", async () => {
    const discovery = [{ name: "tag:karpenter.sh/discovery", values: [scenario.clusterName] }];
    const subnets = await ec2.describeSubnets({ filters: discovery });
    assert.deepEqual(
      subnets.map((s) => [s.id, s.zone, s.zoneId]),
      scenario.subnets.map((s) => [s.id, s.zone, scenario.zones.find((z) => z.name === s.zone)?.id]),
    );
    const groups = await ec2.describeSecurityGroups({ filters: discovery });
    assert.deepEqual(
      groups.map((g) => g.id),
      ["sg-0000000000000a001"],
    );
    // One Kubernetes version's standard images: the world publishes AL2023 images for every version it serves.
    const images = await ec2.describeImages({
      filters: [{ name: "name", values: ["amazon-eks-node-al2023-*-standard-1.34-*"] }],
    });
    assert.deepEqual(images.map((i) => [i.id, i.architecture]).sort(), [
      ["ami-0a00000000000a023", "x86_64"],
      ["ami-0a00000000000b023", "arm64"],
    ]);
  });
});

describe("launching through a launch template and CreateFleet", () => {
  const fleet = (clientToken: string, types: string[], subnetId: string): FleetRequest => ({
    capacityType: "on-demand",
    allocationStrategy: "lowest-price",
    launchTemplates: [
      { launchTemplateName: "adapter-test", overrides: types.map((instanceType) => ({ instanceType, subnetId })) },
    ],
    tags: [{ key: "karpenter.sh/nodeclaim", value: "default-abcde" }],
    clientToken,
  });

  before(async () => {
    const template = await ec2.createLaunchTemplate(
      "adapter-test",
      {
        imageId: "ami-0a00000000000a023",
        securityGroupIds: ["sg-0000000000000a001"],
        userData: Buffer.from("#!/bin/bash\n").toString("base64"),
        instanceProfileName: "sim_profile",
        instanceTags: [{ key: "karpenter.sh/nodepool", value: "default" }],
      },
      [{ key: "karpenter.k8s.aws/ec2nodeclass", value: "default" }],
    );
    assert.match(template.id, /^lt-/);
    assert.deepEqual(template.tags, [{ key: "karpenter.k8s.aws/ec2nodeclass", value: "default" }]);
  });

  test("a fleet launches one instance, tagged, found by its tag; per-override errors keep EC2's code", async () => {
    const subnetB = scenario.subnets[1]?.id ?? "";
    const result = await ec2.createFleet(fleet("token-1", ["c5.large", "m5.large"], subnetB));
    assert.deepEqual(
      result.instances.map((i) => [i.instanceType, i.subnetId]),
      [["m5.large", subnetB]],
    );
    assert.deepEqual(
      result.errors.map((e) => [e.code, e.instanceType, e.subnetId]),
      [["Unsupported", "c5.large", subnetB]],
    );
    const found = await ec2.describeInstances({
      filters: [{ name: "tag:karpenter.sh/nodeclaim", values: ["default-abcde"] }],
    });
    assert.deepEqual(
      found.map((i) => [i.id, i.instanceType, i.zone, i.capacityType, i.state]),
      [[result.instances[0]?.id, "m5.large", "us-west-2b", "on-demand", "pending"]],
    );
    assert.deepEqual(found[0]?.tags.map((t) => t.key).sort(), ["karpenter.sh/nodeclaim", "karpenter.sh/nodepool"]);
  });

  test("the same client token replays; with other parameters it is IdempotentParameterMismatch", async () => {
    const subnetA = scenario.subnets[0]?.id ?? "";
    const first = await ec2.createFleet(fleet("token-2", ["m5.large"], subnetA));
    const again = await ec2.createFleet(fleet("token-2", ["m5.large"], subnetA));
    assert.deepEqual(again.instances, first.instances);
    await assert.rejects(ec2.createFleet(fleet("token-2", ["m5.xlarge"], subnetA)), IdempotentParameterMismatch);
  });

  test("terminate and tag; an unknown instance is NotFound", async () => {
    const [instance] = await ec2.describeInstances({
      filters: [{ name: "tag:karpenter.sh/nodeclaim", values: ["default-abcde"] }],
    });
    assert.ok(instance);
    await ec2.createTags([instance.id], [{ key: "karpenter.sh/managed-by", value: "sim" }]);
    const [tagged] = await ec2.describeInstances({ ids: [instance.id] });
    assert.ok(tagged?.tags.some((t) => t.key === "karpenter.sh/managed-by" && t.value === "sim"));
    const terminated = await ec2.terminateInstances([instance.id]);
    assert.deepEqual(terminated, [{ id: instance.id, previousState: "pending", currentState: "shutting-down" }]);
    await assert.rejects(ec2.describeInstances({ ids: ["i-0000000000000dead"] }), (error: unknown) => {
      assert.ok(error instanceof NotFound);
      assert.equal(error.code, "InvalidInstanceID.NotFound");
      return true;
    });
  });
});
