// The simulated AWS over HTTPS, with its certificate issued by the same CA as the simulated Kubernetes API's, so
// that one CA bundle trusts both: the SDK v3 with that CA in its request handler's agent, awscli with
// --ca-bundle; a client that does not trust the CA is refused at the handshake.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DescribeAvailabilityZonesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { silentLogger } from "../../../runtime/log.ts";
import { type AwsServer, startAwsServer } from "../../../sim/aws/index.ts";
import {
  createCertificateAuthority,
  createServingCertificate,
  type KubeApiServer,
  startKubeApiServer,
} from "../../../sim/index.ts";
import { Cloud, defaultScenario, loadInstanceTypes } from "../../../sim/world/cloud/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { awsCli, CREDENTIALS, START } from "./aws-world.ts";

let kube: KubeApiServer;
let aws: AwsServer;
let ca = "";
let dir = "";
before(async () => {
  const authority = createCertificateAuthority();
  ca = authority.cert;
  kube = await startKubeApiServer({ authority });
  const clock = new FakeClock(START);
  const cloud = new Cloud({ scenario: defaultScenario(), instanceTypes: loadInstanceTypes(), clock });
  aws = await startAwsServer({
    cloud,
    clock,
    logger: silentLogger(),
    tls: createServingCertificate(undefined, undefined, authority),
  });
  dir = await mkdtemp(join(tmpdir(), "sim-aws-ca-"));
  await writeFile(join(dir, "ca.crt"), ca);
});
after(async () => {
  await aws.close();
  await kube.close();
  await rm(dir, { recursive: true, force: true });
});

const client = <T>(make: new (config: object) => T, trusted: boolean): T =>
  new make({
    endpoint: aws.endpoint,
    region: "us-west-2",
    credentials: CREDENTIALS,
    maxAttempts: 1,
    ...(trusted ? { requestHandler: { httpsAgent: new Agent({ ca }) } } : {}),
  });

test("one CA issued both servers' certificates", () => {
  assert.equal(kube.ca, ca);
  assert.match(aws.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
});

test("the SDK trusting the CA talks EC2 and SQS over HTTPS", async () => {
  const ec2 = client(EC2Client, true);
  const sqs = client(SQSClient, true);
  try {
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    assert.equal(zones.AvailabilityZones?.length, 3);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "tls" }));
    assert.match(QueueUrl ?? "", /^https:\/\/127\.0\.0\.1:\d+\/111122223333\/tls$/);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "over TLS" }));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.equal(Messages[0]?.Body, "over TLS");
  } finally {
    ec2.destroy();
    sqs.destroy();
  }
});

test("a client that does not trust the CA is refused", async () => {
  const ec2 = client(EC2Client, false);
  try {
    await assert.rejects(ec2.send(new DescribeAvailabilityZonesCommand({})), (error: Error & { code?: string }) => {
      assert.match(`${error.code ?? ""} ${error.message}`, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/);
      return true;
    });
  } finally {
    ec2.destroy();
  }
});

test("awscli with --ca-bundle", async () => {
  const answer = (await awsCli(aws.endpoint, [
    "--ca-bundle",
    join(dir, "ca.crt"),
    "ec2",
    "describe-availability-zones",
  ])) as { AvailabilityZones: { ZoneName: string }[] };
  assert.deepEqual(
    answer.AvailabilityZones.map((z) => z.ZoneName),
    ["us-west-2a", "us-west-2b", "us-west-2c"],
  );
});
