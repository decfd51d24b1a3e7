// The world's EventBridge rules deliver to the interruption queue the envelopes Karpenter's interruption
// controller parses, read here through the SDK's SQS client. The expected members are the JSON tags of
// aws/karpenter-provider-aws v1.14.1 pkg/controllers/interruption/messages (types.go Metadata; spotinterruption,
// rebalancerecommendation, scheduledchange, statechange and capacityreservationinterruption model.go Detail):
// a spot interruption warning and the instance terminated two simulated minutes later, state-change
// notifications for every transition, a rebalance recommendation, an AWS Health scheduled change naming several
// instances, and a capacity-reservation interruption.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DescribeInstancesCommand, DescribeInstanceStatusCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { type AwsWorld, START, startAwsWorld } from "./aws-world.ts";

const QUEUE = "karpenter-interruption";
const PENDING_MS = 10_000;
const SHUTTING_DOWN_MS = 30_000;
const METADATA = ["account", "detail", "detail-type", "id", "region", "resources", "source", "time", "version"];

interface Envelope {
  version: string;
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

let world: AwsWorld;
let queueUrl = "";
before(async () => {
  world = await startAwsWorld({
    interruptionQueue: QUEUE,
    pendingMs: PENDING_MS,
    shuttingDownMs: SHUTTING_DOWN_MS,
    describeLagMs: 0,
  });
  // As the getting-started guide's CloudFormation creates it.
  const created = await world.sqs.send(
    new CreateQueueCommand({ QueueName: QUEUE, Attributes: { MessageRetentionPeriod: "300" } }),
  );
  queueUrl = created.QueueUrl ?? "";
});
after(() => world.close());

/** Every envelope waiting in the queue, oldest first, deleted once read (as Karpenter deletes handled ones). */
async function drain(): Promise<Envelope[]> {
  const envelopes: Envelope[] = [];
  for (;;) {
    const { Messages = [] } = await world.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 20 }),
    );
    if (Messages.length === 0) return envelopes;
    envelopes.push(...Messages.map((m) => JSON.parse(m.Body ?? "") as Envelope));
    await world.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

async function launch(count: number, spot: boolean): Promise<string[]> {
  const run = await world.ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-0a00000000000a023",
      InstanceType: "m5.large",
      MinCount: count,
      MaxCount: count,
      ...(spot ? { InstanceMarketOptions: { MarketType: "spot" } } : {}),
    }),
  );
  return (run.Instances ?? []).map((i) => i.InstanceId ?? "");
}

const stateOf = async (id: string) =>
  (await world.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0];

const states = (envelopes: Envelope[], id: string) =>
  envelopes
    .filter((e) => e["detail-type"] === "EC2 Instance State-change Notification" && e.detail["instance-id"] === id)
    .map((e) => e.detail.state);

describe("EventBridge to the interruption queue", () => {
  test("state-change notifications for launch and running, shaped as Karpenter's statechange.Message", async () => {
    const [id = ""] = await launch(1, false);
    world.clock.step(PENDING_MS);
    const envelopes = await drain();
    assert.deepEqual(states(envelopes, id), ["pending", "running"]);
    const [first] = envelopes;
    assert.deepEqual(Object.keys(first ?? {}).sort(), METADATA);
    assert.deepEqual(first, {
      version: "0",
      id: first?.id,
      "detail-type": "EC2 Instance State-change Notification",
      source: "aws.ec2",
      account: "111122223333",
      time: "2026-01-05T10:00:00Z",
      region: "us-west-2",
      resources: [`arn:aws:ec2:us-west-2:111122223333:instance/${id}`],
      detail: { "instance-id": id, state: "pending" },
    });
    assert.match(first?.id ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test("a spot interruption warning, then the instance terminated two simulated minutes later", async () => {
    const [id = ""] = await launch(1, true);
    world.clock.step(PENDING_MS);
    await drain();
    world.server.events.spotInterruption(id);
    const [warning, ...rest] = await drain();
    assert.deepEqual(rest, []);
    assert.equal(warning?.["detail-type"], "EC2 Spot Instance Interruption Warning");
    assert.equal(warning?.source, "aws.ec2");
    assert.deepEqual(warning?.detail, { "instance-id": id, "instance-action": "terminate" });
    assert.deepEqual(warning?.resources, [`arn:aws:ec2:us-west-2a:instance/${id}`]);

    world.clock.step(119_999);
    assert.equal((await stateOf(id))?.State?.Name, "running", "still running 1 ms before the two minutes");
    world.clock.step(1);
    const interrupted = await stateOf(id);
    assert.equal(interrupted?.State?.Name, "shutting-down");
    assert.equal(interrupted?.StateReason?.Code, "Server.SpotInstanceTermination");
    world.clock.step(SHUTTING_DOWN_MS);
    assert.equal((await stateOf(id))?.State?.Name, "terminated");
    assert.deepEqual(states(await drain(), id), ["shutting-down", "terminated"]);
  });

  test("a rebalance recommendation names the instance", async () => {
    const [id = ""] = await launch(1, true);
    await drain();
    world.server.events.rebalanceRecommendation(id);
    const [envelope] = await drain();
    assert.equal(envelope?.["detail-type"], "EC2 Instance Rebalance Recommendation");
    assert.deepEqual(envelope?.detail, { "instance-id": id });
  });

  test("an AWS Health scheduled change names several instances, which DescribeInstanceStatus shows too", async () => {
    const ids = await launch(3, false);
    world.clock.step(PENDING_MS);
    await drain();
    world.server.events.scheduledChange(ids, { startInMs: 3_600_000 });
    const [envelope] = await drain();
    assert.equal(envelope?.source, "aws.health");
    assert.equal(envelope?.["detail-type"], "AWS Health Event");
    assert.deepEqual(Object.keys(envelope?.detail ?? {}).sort(), [
      "affectedEntities",
      "endTime",
      "eventArn",
      "eventDescription",
      "eventTypeCategory",
      "eventTypeCode",
      "service",
      "startTime",
    ]);
    assert.equal(envelope?.detail.service, "EC2");
    assert.equal(envelope?.detail.eventTypeCategory, "scheduledChange");
    assert.deepEqual(
      envelope?.detail.affectedEntities,
      ids.map((id) => ({ entityValue: id })),
    );
    const { InstanceStatuses = [] } = await world.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids }));
    assert.deepEqual(
      InstanceStatuses.map((s) => s.Events?.[0]?.Code),
      ["instance-retirement", "instance-retirement", "instance-retirement"],
    );
    const startsAt = InstanceStatuses[0]?.Events?.[0]?.NotBefore?.getTime();
    assert.ok(startsAt !== undefined && startsAt > START.getTime());
  });

  test("a capacity-reservation interruption warning, then the instance terminated", async () => {
    const [id = ""] = await launch(1, false);
    world.clock.step(PENDING_MS);
    await drain();
    world.server.events.capacityReservationInterruption(id);
    const [envelope] = await drain();
    assert.equal(envelope?.["detail-type"], "EC2 Capacity Reservation Instance Interruption Warning");
    assert.deepEqual(envelope?.detail, { "instance-id": id, "instance-action": "terminate" });
    world.clock.step(120_000);
    assert.equal((await stateOf(id))?.State?.Name, "shutting-down");
  });

  test("an on-demand instance cannot get a spot interruption", async () => {
    const [id = ""] = await launch(1, false);
    assert.throws(() => world.server.events.spotInterruption(id), /is not a spot instance/);
  });
});
