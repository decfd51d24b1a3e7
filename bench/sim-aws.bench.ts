// The simulated AWS under load through the SDK v3, against the floor for this machine: a bare node:https server
// that answers the same operations with the same bytes (bench/sim-aws-servers.ts, in a process of its own). Both
// over HTTPS keep-alive, 32 requests in flight. CreateFleet (instant, one on-demand instance of two overrides)
// and DescribeInstances by id (Karpenter's Get) in requests/s for 10 s each; SQS messages/s received (ten at a
// time) and deleted (DeleteMessageBatch) until 20,000 are through. Targets: ≥ 500 CreateFleet/s and ≥ 5,000 SQS
// messages/s, so the interruption and end-to-end benchmarks measure poolkeeper, not the simulator. Last, the
// simulator's own share: the EC2 handler called in process (parse, world, XML) without HTTP, TLS or the SDK.
import { fork } from "node:child_process";
import { Agent } from "node:https";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DescribeInstancesCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { systemClock } from "../api/index.ts";
import { handleEc2 } from "../sim/aws/ec2/handler.ts";
import { Cloud, defaultScenario, loadInstanceTypes } from "../sim/world/cloud/index.ts";
import { measure } from "./measure.ts";

const IN_FLIGHT = 32;
const SECONDS = 10;
const MESSAGES = 20_000;

const servers = fork(join(import.meta.dirname, "sim-aws-servers.ts"), []);
const next = <T>() => new Promise<T>((resolve) => servers.once("message", (m) => resolve(m as T)));
const ready = await next<{
  simEndpoint: string;
  bareEndpoint: string;
  ca: string;
  queueUrl: string;
  bareQueueUrl: string;
}>();

function clients(endpoint: string) {
  const config = {
    endpoint,
    region: "us-west-2",
    credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench" },
    maxAttempts: 1,
    requestHandler: { httpsAgent: new Agent({ ca: ready.ca, keepAlive: true, maxSockets: IN_FLIGHT }) },
  };
  return { ec2: new EC2Client(config), sqs: new SQSClient(config) };
}
const sim = clients(ready.simEndpoint);
const bare = clients(ready.bareEndpoint);

await sim.ec2.send(
  new CreateLaunchTemplateCommand({
    LaunchTemplateName: "bench",
    LaunchTemplateData: { ImageId: "ami-0a00000000000a023" },
  }),
);
const fleet = () =>
  new CreateFleetCommand({
    Type: "instant",
    TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "on-demand" },
    OnDemandOptions: { AllocationStrategy: "lowest-price" },
    LaunchTemplateConfigs: [
      {
        LaunchTemplateSpecification: { LaunchTemplateName: "bench", Version: "$Latest" },
        Overrides: [
          { InstanceType: "m5.large", SubnetId: "subnet-00000000000000001" },
          { InstanceType: "m5.xlarge", SubnetId: "subnet-00000000000000002" },
        ],
      },
    ],
  });

/** Runs `op` with IN_FLIGHT in flight for `seconds`; answers per second and errors. */
async function rate(seconds: number, op: () => Promise<unknown>): Promise<{ perSecond: number; errors: number }> {
  let done = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < end) {
        await op().then(
          () => done++,
          () => errors++,
        );
      }
    }),
  );
  return { perSecond: done / ((performance.now() - start) / 1000), errors };
}

/** Receives and deletes `total` messages ten at a time with IN_FLIGHT loops; messages per second. */
async function drain(client: SQSClient, queueUrl: string, total: number): Promise<number> {
  let through = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (through < total) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
        );
        if (Messages.length === 0) continue;
        through += Messages.length;
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

const row = (name: string, perSecond: number, unit: string, floor?: number, errors = 0) =>
  console.log(
    `${name.padEnd(34)} ${Math.round(perSecond).toString().padStart(7)} ${unit}` +
      (floor === undefined ? "" : `  ${((100 * perSecond) / floor).toFixed(0)}% of the floor`) +
      (errors > 0 ? `  errors ${errors}` : ""),
  );

await rate(2, () => sim.ec2.send(fleet())); // warm-up
await rate(2, () => bare.ec2.send(fleet()));
const fleetFloor = await rate(SECONDS, () => bare.ec2.send(fleet()));
const fleetSim = await rate(SECONDS, () => sim.ec2.send(fleet()));
const launched = await sim.ec2.send(fleet());
const id = launched.Instances?.[0]?.InstanceIds?.[0] ?? "";
const describe = () => new DescribeInstancesCommand({ InstanceIds: [id] });
const describeFloor = await rate(SECONDS, () => bare.ec2.send(describe()));
const describeSim = await rate(SECONDS, () => sim.ec2.send(describe()));
servers.send({ fill: MESSAGES });
await next();
const sqsFloor = await drain(bare.sqs, ready.bareQueueUrl, MESSAGES);
const sqsSim = await drain(sim.sqs, ready.queueUrl, MESSAGES);

row("floor: CreateFleet bytes", fleetFloor.perSecond, "req/s", undefined, fleetFloor.errors);
row("sim: CreateFleet", fleetSim.perSecond, "req/s", fleetFloor.perSecond, fleetSim.errors);
row("floor: DescribeInstances bytes", describeFloor.perSecond, "req/s", undefined, describeFloor.errors);
row(
  `sim: DescribeInstances (${Math.round(fleetSim.perSecond * SECONDS)} instances)`,
  describeSim.perSecond,
  "req/s",
  describeFloor.perSecond,
  describeSim.errors,
);
row("floor: SQS receive + delete", sqsFloor, "msg/s");
row("sim: SQS receive + delete", sqsSim, "msg/s", sqsFloor);
// The simulator's own work per CreateFleet, in process: the form body the SDK sends, answered as XML.
const alone = new Cloud({
  scenario: defaultScenario({ describeLagMs: 0 }),
  instanceTypes: loadInstanceTypes(),
  clock: systemClock,
});
handleEc2(
  alone,
  "Action=CreateLaunchTemplate&Version=2016-11-15&LaunchTemplateName=bench&LaunchTemplateData.ImageId=ami-0a00000000000a023",
);
const fleetForm =
  "Action=CreateFleet&Version=2016-11-15&Type=instant&TargetCapacitySpecification.TotalTargetCapacity=1&" +
  "TargetCapacitySpecification.DefaultTargetCapacityType=on-demand&OnDemandOptions.AllocationStrategy=lowest-price&" +
  "LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName=bench&" +
  "LaunchTemplateConfigs.1.LaunchTemplateSpecification.Version=%24Latest&" +
  "LaunchTemplateConfigs.1.Overrides.1.InstanceType=m5.large&LaunchTemplateConfigs.1.Overrides.1.SubnetId=subnet-00000000000000001&" +
  "LaunchTemplateConfigs.1.Overrides.2.InstanceType=m5.xlarge&LaunchTemplateConfigs.1.Overrides.2.SubnetId=subnet-00000000000000002";
const inProcess = measure("handler", 1000, () => {
  for (let i = 0; i < 1000; i++) handleEc2(alone, fleetForm);
});
row(`in process: CreateFleet handler (${alone.instances().length} instances)`, inProcess.perSecond, "req/s");
console.log(
  `targets: ≥ 500 CreateFleet/s (${Math.round(fleetSim.perSecond)}), ≥ 5,000 SQS messages/s (${Math.round(sqsSim)})`,
);

for (const c of [sim, bare]) {
  c.ec2.destroy();
  c.sqs.destroy();
}
servers.send({ stop: true });
await new Promise((resolve) => servers.once("exit", resolve));
