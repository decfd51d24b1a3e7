// The servers the sim-aws benchmark loads, in a process of their own so the load generator does not share their
// event loop: the simulated AWS over HTTPS (on the system clock, no Describe lag), and the floor — a bare
// node:https server with the same certificate that answers each operation with bytes the simulator produced for
// the same operation at start (a CreateFleet answer, a DescribeInstances answer, a ten-message ReceiveMessage and
// a ten-entry DeleteMessageBatch). Reports its ports and CA to the parent; fills the benchmark queue when asked.
import https from "node:https";
import type { AddressInfo } from "node:net";
import { systemClock } from "../api/index.ts";
import { silentLogger } from "../runtime/log.ts";
import { startAwsServer } from "../sim/aws/index.ts";
import { handleEc2 } from "../sim/aws/ec2/handler.ts";
import { SqsHandler } from "../sim/aws/sqs/handler.ts";
import { createServingCertificate } from "../sim/index.ts";
import { Cloud, defaultScenario, loadInstanceTypes, Queues } from "../sim/world/cloud/index.ts";

const certificate = createServingCertificate();
const world = () =>
  new Cloud({
    scenario: defaultScenario({ describeLagMs: 0 }),
    instanceTypes: loadInstanceTypes(),
    clock: systemClock,
  });
const cloud = world();
const server = await startAwsServer({ cloud, clock: systemClock, logger: silentLogger(), tls: certificate });
const queue = server.queues.create("bench", {});

// The floor's answers, made by the simulator's own handlers in a world of their own.
const sample = world();
const template =
  "Action=CreateLaunchTemplate&Version=2016-11-15&LaunchTemplateName=bench&LaunchTemplateData.ImageId=ami-0a00000000000a023";
handleEc2(sample, template);
const fleetBody = handleEc2(
  sample,
  "Action=CreateFleet&Version=2016-11-15&Type=instant&TargetCapacitySpecification.TotalTargetCapacity=1&" +
    "TargetCapacitySpecification.DefaultTargetCapacityType=on-demand&OnDemandOptions.AllocationStrategy=lowest-price&" +
    "LaunchTemplateConfigs.1.LaunchTemplateSpecification.LaunchTemplateName=bench&" +
    "LaunchTemplateConfigs.1.LaunchTemplateSpecification.Version=%24Latest&" +
    "LaunchTemplateConfigs.1.Overrides.1.InstanceType=m5.large&LaunchTemplateConfigs.1.Overrides.1.SubnetId=subnet-00000000000000001&" +
    "LaunchTemplateConfigs.1.Overrides.2.InstanceType=m5.xlarge&LaunchTemplateConfigs.1.Overrides.2.SubnetId=subnet-00000000000000002",
).body;
const launched = /<item>(i-[0-9a-f]{17})<\/item>/.exec(fleetBody)?.[1] ?? "";
const describeBody = handleEc2(sample, `Action=DescribeInstances&Version=2016-11-15&InstanceId.1=${launched}`).body;
const sampleQueues = new Queues({
  clock: systemClock,
  ids: sample.ids,
  accountId: "111122223333",
  region: "us-west-2",
});
const sampleQueue = sampleQueues.create("bench", {});
for (let i = 0; i < 10; i++)
  sampleQueue.send(JSON.stringify({ "detail-type": "EC2 Instance State-change Notification", n: i }));
const sqs = new SqsHandler(sampleQueues, "111122223333");
const receiveBody = (
  await sqs.handle("AmazonSQS.ReceiveMessage", JSON.stringify({ QueueUrl: sampleQueue.url, MaxNumberOfMessages: 10 }))
).body;
const deleteBody = JSON.stringify({
  Successful: Array.from({ length: 10 }, (_, i) => ({ Id: String(i) })),
  Failed: [],
});

const bare = https.createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (body += chunk));
  req.on("end", () => {
    const target = req.headers["x-amz-target"];
    if (target === "AmazonSQS.ReceiveMessage" || target === "AmazonSQS.DeleteMessageBatch") {
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      res.end(target === "AmazonSQS.ReceiveMessage" ? receiveBody : deleteBody);
      return;
    }
    res.writeHead(200, { "content-type": "text/xml;charset=UTF-8" });
    res.end(body.includes("Action=CreateFleet") ? fleetBody : describeBody);
  });
});
await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));

process.on("message", (message: { fill?: number; stop?: boolean }) => {
  if (message.fill !== undefined) {
    for (let i = 0; i < message.fill; i++)
      queue.send(JSON.stringify({ "detail-type": "EC2 Instance State-change Notification", n: i }));
    process.send?.({ filled: message.fill });
  } else if (message.stop) {
    void server.close().then(() => bare.close(() => process.exit(0)));
  }
});
process.send?.({
  simEndpoint: server.endpoint,
  bareEndpoint: `https://127.0.0.1:${(bare.address() as AddressInfo).port}`,
  ca: certificate.ca,
  queueUrl: queue.url,
  bareQueueUrl: sampleQueue.url,
});
