// Launching and terminating in the simulated EC2 through the real SDK v3 client: RunInstances → DescribeInstances
// → TerminateInstances with the state machine on the fake clock, CreateFleet (instant) with a launch template,
// per-override errors and ClientToken idempotency, CreateTags, and the network Describe calls with tag filters.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type Instance,
  paginateDescribeInstances,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { type AwsWorld, awsCli, START, startAwsWorld } from "./aws-world.ts";

const AL2023_AMD64 = "ami-0a00000000000a023";
const AL2023_ARM64 = "ami-0a00000000000b023";
const SUBNET_A = "subnet-00000000000000001";
const SUBNET_B = "subnet-00000000000000002";
const NODE_SG = "sg-0000000000000a001";
const PENDING_MS = 10_000;
const SHUTTING_DOWN_MS = 30_000;

let world: AwsWorld;
before(async () => {
  world = await startAwsWorld({
    pendingMs: PENDING_MS,
    shuttingDownMs: SHUTTING_DOWN_MS,
    unoffered: [{ instanceType: "c5.large", zone: "us-west-2b" }],
    // These tests read instances right after launching them; the Describe lag has its own tests (faults.test.ts).
    describeLagMs: 0,
  });
});
after(() => world.close());

async function describeOne(ec2: EC2Client, id: string): Promise<Instance> {
  const { Reservations = [] } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const instance = Reservations[0]?.Instances?.[0];
  assert.ok(instance, `${id} is described`);
  return instance;
}

describe("RunInstances, DescribeInstances, TerminateInstances", () => {
  test("an instance runs after its pending time and is terminated after shutting down", async () => {
    const run = await world.ec2.send(
      new RunInstancesCommand({
        ImageId: AL2023_AMD64,
        InstanceType: "m5.large",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: SUBNET_A,
        SecurityGroupIds: [NODE_SG],
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "karpenter.sh/nodepool", Value: "default" }] }],
      }),
    );
    const launched = run.Instances?.[0];
    assert.ok(launched);
    const id = launched.InstanceId ?? "";
    assert.match(id, /^i-[0-9a-f]{17}$/);
    assert.deepEqual(launched.State, { Code: 0, Name: "pending" });
    assert.equal(launched.InstanceType, "m5.large");
    assert.equal(launched.Placement?.AvailabilityZone, "us-west-2a");
    assert.equal(launched.LaunchTime?.getTime(), START.getTime());
    assert.deepEqual(
      launched.SecurityGroups?.map((g) => g.GroupId),
      [NODE_SG],
    );

    world.clock.step(PENDING_MS);
    const running = await describeOne(world.ec2, id);
    assert.deepEqual(running.State, { Code: 16, Name: "running" });
    assert.deepEqual(running.Tags, [{ Key: "karpenter.sh/nodepool", Value: "default" }]);
    assert.equal(running.Architecture, "x86_64");

    const terminated = await world.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(terminated.TerminatingInstances, [
      {
        InstanceId: id,
        PreviousState: { Code: 16, Name: "running" },
        CurrentState: { Code: 32, Name: "shutting-down" },
      },
    ]);
    world.clock.step(SHUTTING_DOWN_MS);
    assert.deepEqual((await describeOne(world.ec2, id)).State, { Code: 48, Name: "terminated" });
  });

  test("DescribeInstances filters by tag and state and pages with the SDK's paginator", async () => {
    const run = await world.ec2.send(
      new RunInstancesCommand({
        ImageId: AL2023_ARM64,
        InstanceType: "m6g.large",
        MinCount: 7,
        MaxCount: 7,
        SubnetId: SUBNET_B,
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "batch", Value: "seven" }] }],
      }),
    );
    const ids = (run.Instances ?? []).map((i) => i.InstanceId);
    assert.equal(ids.length, 7);
    const seen: (string | undefined)[] = [];
    let pages = 0;
    const filters = [
      { Name: "tag:batch", Values: ["sev*"] },
      { Name: "instance-state-name", Values: ["pending", "running"] },
    ];
    for await (const page of paginateDescribeInstances({ client: world.ec2 }, { Filters: filters, MaxResults: 5 })) {
      pages++;
      seen.push(...(page.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId));
    }
    assert.equal(pages, 2);
    assert.deepEqual(seen, ids);
    const none = await world.ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "tag:batch", Values: ["seven"] },
          { Name: "instance-state-name", Values: ["terminated"] },
        ],
      }),
    );
    assert.deepEqual(none.Reservations, []);
  });

  test("EC2's errors: unknown and malformed instance ids, unknown image", async () => {
    await assert.rejects(world.ec2.send(new DescribeInstancesCommand({ InstanceIds: ["i-0123456789abcdef0"] })), {
      name: "InvalidInstanceID.NotFound",
      message: "The instance ID 'i-0123456789abcdef0' does not exist",
    });
    await assert.rejects(world.ec2.send(new TerminateInstancesCommand({ InstanceIds: ["not-an-id"] })), {
      name: "InvalidInstanceID.Malformed",
    });
    await assert.rejects(
      world.ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-0ffffffffffffffff",
          InstanceType: "m5.large",
          MinCount: 1,
          MaxCount: 1,
        }),
      ),
      { name: "InvalidAMIID.NotFound" },
    );
  });

  test("awscli reads EC2's error XML: the code and message of an unknown instance", async () => {
    await assert.rejects(
      awsCli(world.server.endpoint, ["ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0"]),
      (error: Error & { stderr?: string }) => {
        assert.match(
          error.stderr ?? "",
          /InvalidInstanceID\.NotFound.*The instance ID 'i-0123456789abcdef0' does not exist/,
        );
        return true;
      },
    );
  });
});

describe("CreateFleet (instant)", () => {
  let templateName: string;
  before(async () => {
    const created = await world.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "karpenter.k8s.aws/default",
        LaunchTemplateData: {
          ImageId: AL2023_AMD64,
          SecurityGroupIds: [NODE_SG],
          IamInstanceProfile: { Name: "KarpenterNodeInstanceProfile" },
          UserData: Buffer.from("#!/bin/bash\n").toString("base64"),
        },
      }),
    );
    templateName = created.LaunchTemplate?.LaunchTemplateName ?? "";
    assert.equal(templateName, "karpenter.k8s.aws/default");
    assert.match(created.LaunchTemplate?.LaunchTemplateId ?? "", /^lt-[0-9a-f]{17}$/);
  });

  const fleet = (clientToken: string, instanceTypes: string[], subnetId = SUBNET_A) =>
    new CreateFleetCommand({
      Type: "instant",
      ClientToken: clientToken,
      TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "on-demand" },
      OnDemandOptions: { AllocationStrategy: "lowest-price" },
      LaunchTemplateConfigs: [
        {
          LaunchTemplateSpecification: { LaunchTemplateName: templateName, Version: "$Latest" },
          Overrides: instanceTypes.map((type) => ({ InstanceType: type as "m5.large", SubnetId: subnetId })),
        },
      ],
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "karpenter.sh/nodeclaim", Value: clientToken }] }],
    });

  test("launches the cheapest valid override with the template's image, groups and instance profile", async () => {
    // m5.xlarge costs more than m5.large (catalog prices), so lowest-price takes m5.large.
    const result = await world.ec2.send(fleet("fleet-cheapest", ["m5.xlarge", "m5.large"]));
    assert.equal(result.Errors, undefined);
    assert.equal(result.Instances?.length, 1);
    const [group] = result.Instances ?? [];
    assert.equal(group?.InstanceType, "m5.large");
    assert.equal(group?.Lifecycle, "on-demand");
    assert.equal(group?.LaunchTemplateAndOverrides?.Overrides?.InstanceType, "m5.large");
    const instance = await describeOne(world.ec2, group?.InstanceIds?.[0] ?? "");
    assert.equal(instance.ImageId, AL2023_AMD64);
    assert.deepEqual(
      instance.SecurityGroups?.map((g) => g.GroupId),
      [NODE_SG],
    );
    assert.equal(
      instance.IamInstanceProfile?.Arn,
      "arn:aws:iam::111122223333:instance-profile/KarpenterNodeInstanceProfile",
    );
    assert.deepEqual(instance.Tags, [{ Key: "karpenter.sh/nodeclaim", Value: "fleet-cheapest" }]);
  });

  test("reports each override that cannot launch beside the instances of the others", async () => {
    // c5.large is not offered in us-west-2b in this scenario; m6g.large is arm64 and the template's image amd64.
    const result = await world.ec2.send(fleet("fleet-errors", ["c5.large", "m6g.large", "m5.large"], SUBNET_B));
    assert.deepEqual(
      result.Errors?.map((e) => [e.LaunchTemplateAndOverrides?.Overrides?.InstanceType, e.ErrorCode]),
      [
        ["c5.large", "Unsupported"],
        ["m6g.large", "InvalidParameterValue"],
      ],
    );
    assert.deepEqual(
      result.Instances?.map((i) => i.InstanceType),
      ["m5.large"],
    );
  });

  test("the same ClientToken twice launches one instance and answers the same", async () => {
    const first = await world.ec2.send(fleet("token-once", ["m5.large"]));
    const second = await world.ec2.send(fleet("token-once", ["m5.large"]));
    assert.equal(second.FleetId, first.FleetId);
    assert.deepEqual(second.Instances?.[0]?.InstanceIds, first.Instances?.[0]?.InstanceIds);
    const { Reservations = [] } = await world.ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: "tag:karpenter.sh/nodeclaim", Values: ["token-once"] }] }),
    );
    assert.equal(Reservations.flatMap((r) => r.Instances ?? []).length, 1);
  });

  test("the same ClientToken with other parameters is IdempotentParameterMismatch", async () => {
    await world.ec2.send(fleet("token-mismatch", ["m5.large"]));
    await assert.rejects(world.ec2.send(fleet("token-mismatch", ["m5.xlarge"])), {
      name: "IdempotentParameterMismatch",
    });
  });

  test("on-demand with the prioritized strategy follows Priority, not price", async () => {
    const result = await world.ec2.send(
      new CreateFleetCommand({
        Type: "instant",
        TargetCapacitySpecification: { TotalTargetCapacity: 2, DefaultTargetCapacityType: "on-demand" },
        OnDemandOptions: { AllocationStrategy: "prioritized" },
        LaunchTemplateConfigs: [
          {
            LaunchTemplateSpecification: { LaunchTemplateName: templateName, Version: "$Latest" },
            Overrides: [
              { InstanceType: "m5.large", SubnetId: SUBNET_A, Priority: 2 },
              { InstanceType: "m5.2xlarge", SubnetId: SUBNET_A, Priority: 1 },
            ],
          },
        ],
      }),
    );
    assert.deepEqual(
      result.Instances?.map((i) => [i.InstanceType, i.Lifecycle, i.InstanceIds?.length]),
      [["m5.2xlarge", "on-demand", 2]],
    );
    const instance = await describeOne(world.ec2, result.Instances?.[0]?.InstanceIds?.[0] ?? "");
    assert.equal(instance.InstanceLifecycle, undefined);
  });

  test("an unknown launch template is EC2's NotFoundException", async () => {
    await assert.rejects(
      world.ec2.send(
        new CreateFleetCommand({
          Type: "instant",
          TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "spot" },
          LaunchTemplateConfigs: [
            { LaunchTemplateSpecification: { LaunchTemplateName: "missing", Version: "$Latest" } },
          ],
        }),
      ),
      { name: "InvalidLaunchTemplateName.NotFoundException" },
    );
  });
});

describe("CreateTags and the network Describe calls", () => {
  test("CreateTags adds and overwrites tags that DescribeSubnets then filters on", async () => {
    await world.ec2.send(new CreateTagsCommand({ Resources: [SUBNET_B], Tags: [{ Key: "tier", Value: "spare" }] }));
    const { Subnets = [] } = await world.ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "tag:karpenter.sh/discovery", Values: ["sim"] },
          { Name: "tag-key", Values: ["tier"] },
        ],
      }),
    );
    assert.deepEqual(
      Subnets.map((s) => [s.SubnetId, s.AvailabilityZone]),
      [[SUBNET_B, "us-west-2b"]],
    );
    await assert.rejects(
      world.ec2.send(
        new CreateTagsCommand({ Resources: ["subnet-0fffffffffffffff0"], Tags: [{ Key: "a", Value: "b" }] }),
      ),
      {
        name: "InvalidSubnetID.NotFound",
      },
    );
  });

  test("security groups, images and zones by tag, name and owner", async () => {
    const groups = await world.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag:karpenter.sh/discovery", Values: ["sim"] }] }),
    );
    assert.deepEqual(
      groups.SecurityGroups?.map((g) => g.GroupId),
      [NODE_SG],
    );
    const images = await world.ec2.send(
      new DescribeImagesCommand({
        Owners: ["amazon"],
        Filters: [{ Name: "name", Values: ["amazon-eks-node-al2023-*-standard-1.34-*"] }],
      }),
    );
    assert.deepEqual(
      images.Images?.map((i) => [i.ImageId, i.Architecture]),
      [
        [AL2023_AMD64, "x86_64"],
        [AL2023_ARM64, "arm64"],
      ],
    );
    await world.ec2.send(new CreateTagsCommand({ Resources: [AL2023_ARM64], Tags: [{ Key: "team", Value: "a" }] }));
    const tagged = await world.ec2.send(new DescribeImagesCommand({ Filters: [{ Name: "tag:team", Values: ["a"] }] }));
    assert.deepEqual(
      tagged.Images?.map((i) => i.ImageId),
      [AL2023_ARM64],
    );
    const zones = await world.ec2.send(new DescribeAvailabilityZonesCommand({}));
    assert.deepEqual(
      zones.AvailabilityZones?.map((z) => [z.ZoneName, z.ZoneId, z.State]),
      [
        ["us-west-2a", "usw2-az1", "available"],
        ["us-west-2b", "usw2-az2", "available"],
        ["us-west-2c", "usw2-az3", "available"],
      ],
    );
  });

  test("an unknown filter name is InvalidParameterValue", async () => {
    await assert.rejects(
      world.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "no-such-filter", Values: ["x"] }] })),
      {
        name: "InvalidParameterValue",
      },
    );
  });
});
