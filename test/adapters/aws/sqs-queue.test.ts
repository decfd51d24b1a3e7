// The interruption queue adapter over HTTP against the simulated SQS: receive with the receive count, visibility
// changed and the message redelivered, delete; an unknown queue is NotFound. No long poll waits: the polls here
// ask for 0 s, and the simulated SQS's visibility runs on its fake clock.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CreateQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { NotFound } from "../../../api/index.ts";
import { SqsInterruptionQueue } from "../../../adapters/aws/index.ts";
import { type AwsWorld, CREDENTIALS, startAwsWorld } from "../../sim/aws/aws-world.ts";

let world: AwsWorld;
let queue: SqsInterruptionQueue;
let queueUrl: string;
before(async () => {
  world = await startAwsWorld();
  const created = await world.sqs.send(new CreateQueueCommand({ QueueName: "interruptions" }));
  queueUrl = created.QueueUrl ?? "";
  queue = new SqsInterruptionQueue("interruptions", {
    endpoint: world.server.endpoint,
    region: "us-west-2",
    credentials: CREDENTIALS,
  });
});
after(async () => {
  queue.destroy();
  await world.close();
});

test("receive, change visibility to 0 and receive again with a higher count, then delete", async () => {
  await world.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"detail-type":"x"}' }));
  const [first, ...none] = await queue.receive({ waitSeconds: 0 });
  assert.deepEqual(none, []);
  assert.ok(first);
  assert.equal(first.body, '{"detail-type":"x"}');
  assert.equal(first.receiveCount, 1);
  assert.deepEqual(await queue.receive({ waitSeconds: 0 }), [], "hidden for its visibility timeout");

  await queue.changeVisibility(first.receiptHandle, 0);
  const [second] = await queue.receive({ waitSeconds: 0 });
  assert.equal(second?.id, first.id);
  assert.equal(second?.receiveCount, 2);

  await queue.delete(second?.receiptHandle ?? "");
  world.clock.step(60_000);
  assert.deepEqual(await queue.receive({ waitSeconds: 0 }), [], "deleted, not redelivered after the timeout");
});

test("a hidden message comes back after its visibility timeout on the simulated clock", async () => {
  await world.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "again" }));
  const [message] = await queue.receive({ waitSeconds: 0, visibilityTimeoutSeconds: 20 });
  assert.ok(message);
  world.clock.step(19_000);
  assert.deepEqual(await queue.receive({ waitSeconds: 0 }), []);
  world.clock.step(1_000);
  const [redelivered] = await queue.receive({ waitSeconds: 0 });
  assert.equal(redelivered?.id, message.id);
  await queue.delete(redelivered?.receiptHandle ?? "");
});

test("an unknown queue is NotFound", async () => {
  const missing = new SqsInterruptionQueue("no-such-queue", {
    endpoint: world.server.endpoint,
    region: "us-west-2",
    credentials: CREDENTIALS,
  });
  try {
    await assert.rejects(missing.receive({ waitSeconds: 0 }), NotFound);
  } finally {
    missing.destroy();
  }
});
