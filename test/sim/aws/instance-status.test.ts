// DescribeInstanceStatus through the SDK v3 and awscli: running instances with passed reachability checks; an
// impaired instance or system check, set on the world, as `impaired` / `failed`; a scheduled event with its code
// and window; pending instances only with IncludeAllInstances (`not-applicable` checks); filters.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DescribeInstanceStatusCommand, type InstanceStatus, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { type AwsWorld, awsCli, START, startAwsWorld } from "./aws-world.ts";

let world: AwsWorld;
let healthy = "";
let impaired = "";
let retiring = "";
before(async () => {
  world = await startAwsWorld({ describeLagMs: 1_000, pendingMs: 10_000 });
  const run = await world.ec2.send(
    new RunInstancesCommand({ ImageId: "ami-0a00000000000a023", InstanceType: "m5.large", MinCount: 3, MaxCount: 3 }),
  );
  [healthy = "", impaired = "", retiring = ""] = (run.Instances ?? []).map((i) => i.InstanceId ?? "");
  world.clock.step(10_000);
});
after(() => world.close());

const statuses = async (input: ConstructorParameters<typeof DescribeInstanceStatusCommand>[0] = {}) =>
  (await world.ec2.send(new DescribeInstanceStatusCommand(input))).InstanceStatuses ?? [];
const byId = (list: InstanceStatus[], id: string) => list.find((s) => s.InstanceId === id);

test("running instances report ok, with passed reachability checks", async () => {
  const list = await statuses();
  assert.deepEqual(
    list.map((s) => s.InstanceId),
    [healthy, impaired, retiring],
  );
  const status = byId(list, healthy);
  assert.deepEqual(status?.InstanceState, { Code: 16, Name: "running" });
  assert.equal(status?.AvailabilityZone, "us-west-2a");
  assert.deepEqual(status?.InstanceStatus, { Status: "ok", Details: [{ Name: "reachability", Status: "passed" }] });
  assert.deepEqual(status?.SystemStatus, { Status: "ok", Details: [{ Name: "reachability", Status: "passed" }] });
  assert.equal(status?.Events, undefined);
});

test("an impaired check and a scheduled event, as Karpenter's instance-status controller reads them", async () => {
  const { health } = world.server.cloud;
  health.impair(impaired, "system");
  const notBefore = new Date(START.getTime() + 24 * 3_600_000);
  const event = health.schedule(retiring, {
    code: "instance-retirement",
    description: "The instance is running on degraded hardware",
    notBefore: notBefore.getTime(),
  });
  const list = await statuses({ InstanceIds: [impaired, retiring] });
  assert.deepEqual(byId(list, impaired)?.SystemStatus, {
    Status: "impaired",
    Details: [{ Name: "reachability", Status: "failed" }],
  });
  assert.equal(byId(list, impaired)?.InstanceStatus?.Status, "ok");
  assert.deepEqual(byId(list, retiring)?.Events, [
    {
      InstanceEventId: event.id,
      Code: "instance-retirement",
      Description: "The instance is running on degraded hardware",
      NotBefore: notBefore,
    },
  ]);
  assert.match(event.id, /^instance-event-[0-9a-f]{17}$/);
  const filtered = await statuses({ Filters: [{ Name: "system-status.status", Values: ["impaired"] }] });
  assert.deepEqual(
    filtered.map((s) => s.InstanceId),
    [impaired],
  );
  const cli = (await awsCli(world.server.endpoint, [
    "ec2",
    "describe-instance-status",
    "--filters",
    "Name=event.code,Values=instance-retirement",
  ])) as { InstanceStatuses: { InstanceId: string; Events: { Code: string; NotBefore: string }[] }[] };
  assert.deepEqual(
    cli.InstanceStatuses.map((s) => [s.InstanceId, s.Events[0]?.Code, Date.parse(s.Events[0]?.NotBefore ?? "")]),
    [[retiring, "instance-retirement", notBefore.getTime()]],
  );
});

test("a pending instance shows only with IncludeAllInstances, its checks not applicable", async () => {
  const run = await world.ec2.send(
    new RunInstancesCommand({ ImageId: "ami-0a00000000000a023", InstanceType: "m5.large", MinCount: 1, MaxCount: 1 }),
  );
  const id = run.Instances?.[0]?.InstanceId ?? "";
  world.clock.step(1_000);
  assert.equal(byId(await statuses(), id), undefined);
  const all = await statuses({ IncludeAllInstances: true });
  assert.deepEqual(byId(all, id)?.InstanceState, { Code: 0, Name: "pending" });
  assert.deepEqual(byId(all, id)?.InstanceStatus, { Status: "not-applicable" });
});
