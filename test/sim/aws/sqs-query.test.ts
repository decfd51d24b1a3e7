// SQS's Query protocol as Debian's awscli 2.9 speaks it (form posts, XML answers), judged by awscli itself: queues,
// send (awscli checks the MD5 of the body itself), receive with attributes, batches, visibility, delete, and SQS's
// error code; and one queue shared with the SDK's JSON protocol, so both protocols see the same messages.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { type AwsWorld, awsCli, awsCliText, startAwsWorld } from "./aws-world.ts";

let world: AwsWorld;
let queueUrl = "";
before(async () => {
  world = await startAwsWorld();
});
after(() => world.close());

const sqs = (args: string[]) => awsCli(world.server.endpoint, ["sqs", ...args]);
/** A command that prints nothing on success. */
const sqsQuiet = (args: string[]) => awsCliText(world.server.endpoint, ["sqs", ...args]);

test("create-queue and get-queue-url", async () => {
  const created = (await sqs(["create-queue", "--queue-name", "cli", "--attributes", "VisibilityTimeout=30"])) as {
    QueueUrl: string;
  };
  queueUrl = created.QueueUrl;
  assert.equal(queueUrl, `${world.server.endpoint}/111122223333/cli`);
  assert.deepEqual(await sqs(["get-queue-url", "--queue-name", "cli"]), { QueueUrl: queueUrl });
});

test("send-message, receive-message with attributes, delete-message", async () => {
  const body = '{"detail-type":"EC2 Spot Instance Interruption Warning"}';
  const sent = (await sqs(["send-message", "--queue-url", queueUrl, "--message-body", body])) as {
    MessageId: string;
    MD5OfMessageBody: string;
  };
  assert.equal(sent.MD5OfMessageBody, createHash("md5").update(body).digest("hex"));
  const received = (await sqs(["receive-message", "--queue-url", queueUrl, "--attribute-names", "All"])) as {
    Messages: { MessageId: string; Body: string; ReceiptHandle: string; Attributes: Record<string, string> }[];
  };
  const [message] = received.Messages;
  assert.equal(message?.MessageId, sent.MessageId);
  assert.equal(message?.Body, body);
  assert.equal(message?.Attributes.ApproximateReceiveCount, "1");
  assert.equal(message?.Attributes.SenderId, "111122223333");
  await sqsQuiet(["delete-message", "--queue-url", queueUrl, "--receipt-handle", message?.ReceiptHandle ?? ""]);
  world.clock.step(30_000);
  const { Messages } = await world.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
  assert.equal(Messages, undefined, "deleted for the SDK too");
});

test("batches, visibility and queue attributes, across both protocols", async () => {
  await world.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "from the SDK" }));
  const batch = (await sqs([
    "send-message-batch",
    "--queue-url",
    queueUrl,
    "--entries",
    "Id=a,MessageBody=one",
    "Id=b,MessageBody=two,DelaySeconds=60",
  ])) as { Successful: { Id: string }[] };
  assert.deepEqual(batch.Successful.map((e) => e.Id).sort(), ["a", "b"]);
  const attributes = (await sqs(["get-queue-attributes", "--queue-url", queueUrl, "--attribute-names", "All"])) as {
    Attributes: Record<string, string>;
  };
  assert.equal(attributes.Attributes.ApproximateNumberOfMessages, "2");
  assert.equal(attributes.Attributes.ApproximateNumberOfMessagesDelayed, "1");
  assert.equal(attributes.Attributes.VisibilityTimeout, "30");
  const received = (await sqs(["receive-message", "--queue-url", queueUrl, "--max-number-of-messages", "10"])) as {
    Messages: { Body: string; ReceiptHandle: string }[];
  };
  assert.deepEqual(received.Messages.map((m) => m.Body).sort(), ["from the SDK", "one"]);
  const [first] = received.Messages;
  await sqsQuiet([
    "change-message-visibility",
    "--queue-url",
    queueUrl,
    "--receipt-handle",
    first?.ReceiptHandle ?? "",
    "--visibility-timeout",
    "0",
  ]);
  const again = await world.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
  assert.equal(again.Messages?.[0]?.Body, first?.Body, "visible again at once for the SDK");
  const deleted = (await sqs([
    "delete-message-batch",
    "--queue-url",
    queueUrl,
    "--entries",
    `Id=x,ReceiptHandle=${again.Messages?.[0]?.ReceiptHandle ?? ""}`,
    "Id=y,ReceiptHandle=bm90LWEtaGFuZGxl",
  ])) as { Successful: { Id: string }[]; Failed: { Id: string; Code: string }[] };
  assert.deepEqual(deleted.Successful, [{ Id: "x" }]);
  assert.deepEqual(
    deleted.Failed.map((f) => [f.Id, f.Code]),
    [["y", "ReceiptHandleIsInvalid"]],
  );
});

test("a missing queue is SQS's NonExistentQueue error", async () => {
  await assert.rejects(sqs(["get-queue-url", "--queue-name", "missing"]), (error: Error & { stderr?: string }) => {
    assert.match(error.stderr ?? "", /AWS\.SimpleQueueService\.NonExistentQueue.*The specified queue does not exist/);
    return true;
  });
});
