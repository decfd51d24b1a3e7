// Faults on demand, as the SDK v3 (and awscli) see them: RequestLimitExceeded throttling that the SDK's own retry
// rides out, an SQS outage and SQS throttling, answers held back on the world's clock, SQS delivering a message
// twice, offerings out of capacity (InsufficientInstanceCapacity / UnfulfillableCapacity per override in the fleet
// response, the other overrides launched), the account's vCPU limit, and EC2's eventual consistency — a new
// instance missing from DescribeInstances for the Describe lag.
import assert from "node:assert/strict";
import { setImmediate } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { type AwsWorld, awsCli, CREDENTIALS, startAwsWorld } from "./aws-world.ts";

const AL2023_AMD64 = "ami-0a00000000000a023";
const SUBNET_A = "subnet-00000000000000001";
const SUBNET_B = "subnet-00000000000000002";
const LAG_MS = 3_000;

let world: AwsWorld;
let retrying: { ec2: EC2Client; sqs: SQSClient };
before(async () => {
  world = await startAwsWorld({
    describeLagMs: LAG_MS,
    vcpuLimits: { "on-demand": 64, spot: 100_000 },
    shortages: [{ instanceType: "c5.xlarge", zone: "us-west-2a", capacityType: "spot" }],
  });
  // The SDK's default retry strategy (standard mode), three attempts.
  const config = { endpoint: world.server.endpoint, region: "us-west-2", credentials: CREDENTIALS, maxAttempts: 3 };
  retrying = { ec2: new EC2Client(config), sqs: new SQSClient(config) };
});
after(async () => {
  retrying.ec2.destroy();
  retrying.sqs.destroy();
  await world.close();
});

const faults = () => world.server.cloud.faults;

describe("throttling and outages", () => {
  test("RequestLimitExceeded twice: the SDK's retry succeeds on the third attempt", async () => {
    faults().throttle("ec2", 2, "DescribeAvailabilityZones");
    const answer = await retrying.ec2.send(new DescribeAvailabilityZonesCommand({}));
    assert.equal(answer.AvailabilityZones?.length, 3);
    assert.equal(answer.$metadata.attempts, 3);
  });

  test("without retries the throttling is EC2's RequestLimitExceeded, HTTP 503", async () => {
    faults().throttle("ec2", 1);
    await assert.rejects(
      world.ec2.send(new DescribeSubnetsCommand({})),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.name, "RequestLimitExceeded");
        assert.equal(error.$metadata?.httpStatusCode, 503);
        return true;
      },
    );
    const after = await world.ec2.send(new DescribeSubnetsCommand({}));
    assert.equal(after.Subnets?.length, 3, "one request used the fault up");
  });

  test("awscli's own retry rides out a throttled answer too", async () => {
    faults().throttle("ec2", 1, "DescribeAvailabilityZones");
    const answer = (await awsCli(world.server.endpoint, ["ec2", "describe-availability-zones"])) as {
      AvailabilityZones: unknown[];
    };
    assert.equal(answer.AvailabilityZones.length, 3);
    assert.equal(faults().take("ec2", "DescribeAvailabilityZones").error, undefined, "the throttle was used up");
  });

  test("an SQS outage is ServiceUnavailable (503), then SQS answers again; SQS throttling is retried", async () => {
    const { QueueUrl } = await world.sqs.send(new CreateQueueCommand({ QueueName: "outage" }));
    faults().outage("sqs", 1);
    await assert.rejects(world.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })), (error: Error) => {
      assert.equal(error.name, "ServiceUnavailable");
      return true;
    });
    faults().throttle("sqs", 1, "SendMessage");
    const sent = await retrying.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "after" }));
    assert.equal(sent.$metadata.attempts, 2);
  });

  test("a slow answer waits on the world's clock", async () => {
    faults().slow("ec2", 5_000, 1, "DescribeSubnets");
    let settled = false;
    const answer = world.ec2.send(new DescribeSubnetsCommand({})).finally(() => {
      settled = true;
    });
    await world.clock.untilPending();
    world.clock.step(4_999);
    await setImmediate();
    assert.equal(settled, false, "no answer before the delay has passed on the clock");
    world.clock.step(1);
    assert.equal((await answer).Subnets?.length, 3);
  });
});

describe("SQS duplicate delivery", () => {
  test("a duplicated message is received again at once; either receipt handle deletes it", async () => {
    const { QueueUrl } = await world.sqs.send(new CreateQueueCommand({ QueueName: "duplicates" }));
    const sent = await world.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "interruption" }));
    faults().duplicateDeliveries(1);
    const receive = () =>
      world.sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    const first = (await receive()).Messages?.[0];
    const second = (await receive()).Messages?.[0];
    assert.equal(first?.MessageId, sent.MessageId);
    assert.equal(second?.MessageId, sent.MessageId);
    assert.equal(second?.Attributes?.ApproximateReceiveCount, "2");
    assert.equal((await receive()).Messages, undefined, "the second delivery hides it as usual");
    await world.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first?.ReceiptHandle }));
    world.clock.step(30_000);
    assert.equal((await receive()).Messages, undefined, "deleted by the first delivery's handle");
  });
});

describe("capacity", () => {
  let template = "";
  before(async () => {
    const created = await world.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: "capacity",
        LaunchTemplateData: { ImageId: AL2023_AMD64 },
      }),
    );
    template = created.LaunchTemplate?.LaunchTemplateId ?? "";
  });

  const fleet = (capacityType: "spot" | "on-demand", overrides: { InstanceType: string; SubnetId: string }[]) =>
    world.ec2.send(
      new CreateFleetCommand({
        Type: "instant",
        TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: capacityType },
        SpotOptions: { AllocationStrategy: "lowest-price" },
        OnDemandOptions: { AllocationStrategy: "lowest-price" },
        LaunchTemplateConfigs: [
          {
            LaunchTemplateSpecification: { LaunchTemplateId: template, Version: "$Latest" },
            Overrides: overrides.map((o) => ({ ...o, InstanceType: o.InstanceType as "m5.large" })),
          },
        ],
      }),
    );

  test("an offering out of spot capacity is its override's error, and the next override launches", async () => {
    // c5.xlarge is cheaper than c5.2xlarge everywhere, so lowest-price tries the short offering first.
    const result = await fleet("spot", [
      { InstanceType: "c5.2xlarge", SubnetId: SUBNET_A },
      { InstanceType: "c5.xlarge", SubnetId: SUBNET_A },
    ]);
    assert.deepEqual(
      result.Errors?.map((e) => [e.LaunchTemplateAndOverrides?.Overrides?.InstanceType, e.Lifecycle, e.ErrorCode]),
      [["c5.xlarge", "spot", "InsufficientInstanceCapacity"]],
    );
    assert.match(result.Errors?.[0]?.ErrorMessage ?? "", /no Spot capacity/);
    assert.deepEqual(
      result.Instances?.map((i) => [i.InstanceType, i.Lifecycle, i.InstanceIds?.length]),
      [["c5.2xlarge", "spot", 1]],
    );
  });

  test("the shortage is for spot only: on-demand c5.xlarge launches there", async () => {
    const result = await fleet("on-demand", [{ InstanceType: "c5.xlarge", SubnetId: SUBNET_A }]);
    assert.equal(result.Errors, undefined);
    assert.equal(result.Instances?.[0]?.InstanceType, "c5.xlarge");
  });

  test("UnfulfillableCapacity, set on demand, and capacity given back", async () => {
    const { capacity } = world.server.cloud;
    capacity.outOfCapacity({ instanceType: "m5.large", zone: "us-west-2b", code: "UnfulfillableCapacity" });
    const refused = await fleet("on-demand", [{ InstanceType: "m5.large", SubnetId: SUBNET_B }]);
    assert.equal(refused.Instances, undefined);
    assert.equal(refused.Errors?.[0]?.ErrorCode, "UnfulfillableCapacity");
    capacity.restore({ instanceType: "m5.large", zone: "us-west-2b" });
    const launched = await fleet("on-demand", [{ InstanceType: "m5.large", SubnetId: SUBNET_B }]);
    assert.equal(launched.Errors, undefined);
    assert.equal(launched.Instances?.[0]?.InstanceIds?.length, 1);
  });

  test("RunInstances into a shortage is InsufficientInstanceCapacity", async () => {
    world.server.cloud.capacity.outOfCapacity({ instanceType: "r5.large", zone: "us-west-2a" });
    await assert.rejects(
      world.ec2.send(
        new RunInstancesCommand({
          ImageId: AL2023_AMD64,
          InstanceType: "r5.large",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: SUBNET_A,
        }),
      ),
      (error: Error) => {
        assert.equal(error.name, "InsufficientInstanceCapacity");
        assert.match(error.message, /We currently do not have sufficient r5\.large capacity .*\(us-west-2a\)/);
        return true;
      },
    );
  });

  test("past the on-demand vCPU limit: VcpuLimitExceeded", async () => {
    // 64 on-demand vCPUs: what runs already (a c5.xlarge and an m5.large, 6 vCPUs) plus 16 × 4 is too many.
    await assert.rejects(
      world.ec2.send(
        new RunInstancesCommand({
          ImageId: AL2023_AMD64,
          InstanceType: "m5.xlarge",
          MinCount: 16,
          MaxCount: 16,
          SubnetId: SUBNET_A,
        }),
      ),
      (error: Error) => {
        assert.equal(error.name, "VcpuLimitExceeded");
        assert.match(error.message, /current vCPU limit of 64/);
        return true;
      },
    );
    const fits = await world.ec2.send(
      new RunInstancesCommand({
        ImageId: AL2023_AMD64,
        InstanceType: "m5.xlarge",
        MinCount: 14,
        MaxCount: 14,
        SubnetId: SUBNET_A,
      }),
    );
    assert.equal(fits.Instances?.length, 14);
  });
});

describe("eventual consistency", () => {
  test("a new instance is missing from DescribeInstances for the lag, by id and by filter", async () => {
    const run = await world.ec2.send(
      new RunInstancesCommand({
        ImageId: AL2023_AMD64,
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        SubnetId: SUBNET_B,
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "lag", Value: "yes" }] }],
      }),
    );
    const id = run.Instances?.[0]?.InstanceId ?? "";
    assert.equal(run.Instances?.[0]?.InstanceId, id, "the launch itself answers with the instance");
    const byFilter = () =>
      world.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "tag:lag", Values: ["yes"] }] }));
    await assert.rejects(world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })), {
      name: "InvalidInstanceID.NotFound",
    });
    assert.deepEqual((await byFilter()).Reservations, []);
    world.clock.step(LAG_MS - 1);
    assert.deepEqual((await byFilter()).Reservations, [], "still missing 1 ms before the lag ends");
    world.clock.step(1);
    const seen = await world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    assert.equal(seen.Reservations?.[0]?.Instances?.[0]?.InstanceId, id);
    assert.equal((await byFilter()).Reservations?.length, 1);
  });
});
