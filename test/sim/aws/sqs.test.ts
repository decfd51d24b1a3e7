// The simulated SQS through the real @aws-sdk/client-sqs v3 (JSON protocol): queues, send and receive with the
// SDK's MD5 checks, visibility timeouts and redelivery with a growing receive count, long polling — all on the
// fake clock, which the tests move instead of waiting.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { type AwsWorld, startAwsWorld } from "./aws-world.ts";

let world: AwsWorld;
let queueUrl: string;
before(async () => {
  world = await startAwsWorld();
  const created = await world.sqs.send(
    new CreateQueueCommand({ QueueName: "karpenter-interruptions", Attributes: { VisibilityTimeout: "30" } }),
  );
  queueUrl = created.QueueUrl ?? "";
});
after(() => world.close());

const receive = (extra: { WaitTimeSeconds?: number; VisibilityTimeout?: number } = {}) =>
  world.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ["All"],
      ...extra,
    }),
  );

/** Receives and deletes whatever is visible, so each test starts from an empty queue. */
async function drain(): Promise<void> {
  for (let { Messages = [] } = await receive(); Messages.length > 0; { Messages = [] } = await receive()) {
    for (const m of Messages)
      await world.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
  }
}

describe("queues", () => {
  test("CreateQueue names the queue in its URL; GetQueueUrl finds it; an unknown name is QueueDoesNotExist", async () => {
    assert.equal(queueUrl, `${world.server.endpoint}/111122223333/karpenter-interruptions`);
    const found = await world.sqs.send(new GetQueueUrlCommand({ QueueName: "karpenter-interruptions" }));
    assert.equal(found.QueueUrl, queueUrl);
    await assert.rejects(world.sqs.send(new GetQueueUrlCommand({ QueueName: "no-such-queue" })), {
      name: "QueueDoesNotExist",
    });
  });

  test("GetQueueAttributes counts visible and in-flight messages", async () => {
    await drain();
    await world.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "one" }));
    await world.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "two" }));
    await world.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }));
    const { Attributes } = await world.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "VisibilityTimeout"],
      }),
    );
    assert.deepEqual(Attributes, {
      ApproximateNumberOfMessages: "1",
      ApproximateNumberOfMessagesNotVisible: "1",
      VisibilityTimeout: "30",
    });
    world.clock.step(30_000);
    await drain();
  });
});

describe("messages", () => {
  test("a message not deleted reappears after its visibility timeout with a higher receive count", async () => {
    await drain();
    const sent = await world.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{"detail-type":"EC2 Spot Instance Interruption Warning"}',
      }),
    );
    const first = await receive();
    assert.equal(first.Messages?.length, 1);
    assert.equal(first.Messages?.[0]?.MessageId, sent.MessageId);
    assert.equal(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount, "1");

    world.clock.step(29_999);
    assert.equal((await receive()).Messages, undefined, "still invisible 1 ms before the timeout");
    world.clock.step(1);
    const again = await receive();
    assert.equal(again.Messages?.[0]?.MessageId, sent.MessageId);
    assert.equal(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount, "2");
    assert.notEqual(again.Messages?.[0]?.ReceiptHandle, first.Messages?.[0]?.ReceiptHandle);

    await world.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: again.Messages?.[0]?.ReceiptHandle }),
    );
    world.clock.step(60_000);
    assert.equal((await receive()).Messages, undefined, "deleted for good");
  });

  test("ChangeMessageVisibility to 0 makes a message receivable at once; an unknown handle is ReceiptHandleIsInvalid", async () => {
    await drain();
    await world.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "retry me" }));
    const { Messages = [] } = await receive();
    await world.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: Messages[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await receive();
    assert.equal(again.Messages?.[0]?.Body, "retry me");
    await assert.rejects(
      world.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: "bm90LWEtaGFuZGxl" })),
      { name: "ReceiptHandleIsInvalid" },
    );
    await drain();
    world.clock.step(30_000);
    await drain();
  });

  test("SendMessageBatch sends each entry; a delayed entry is received only after its delay", async () => {
    await drain();
    const sent = await world.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: "now", MessageBody: "now" },
          { Id: "later", MessageBody: "later", DelaySeconds: 60 },
        ],
      }),
    );
    assert.deepEqual(
      sent.Successful?.map((s) => s.Id),
      ["now", "later"],
    );
    const first = await receive();
    assert.deepEqual(
      first.Messages?.map((m) => m.Body),
      ["now"],
    );
    await world.sqs.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }),
    );
    world.clock.step(60_000);
    assert.deepEqual(
      (await receive()).Messages?.map((m) => m.Body),
      ["later"],
    );
    await drain();
    world.clock.step(30_000);
    await drain();
  });

  test("DeleteMessageBatch reports each entry", async () => {
    await drain();
    await world.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "batch" }));
    const { Messages = [] } = await receive();
    const result = await world.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: "good", ReceiptHandle: Messages[0]?.ReceiptHandle },
          { Id: "bad", ReceiptHandle: "bm90LWEtaGFuZGxl" },
        ],
      }),
    );
    assert.deepEqual(result.Successful, [{ Id: "good" }]);
    assert.deepEqual(
      result.Failed?.map((f) => [f.Id, f.Code, f.SenderFault]),
      [["bad", "ReceiptHandleIsInvalid", true]],
    );
  });
});

describe("long polling on the simulated clock", () => {
  test("a waiting receive returns the message sent while it waits", async () => {
    await drain();
    const waiting = receive({ WaitTimeSeconds: 20 });
    await world.clock.untilPending(1);
    await world.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "arrived" }));
    const { Messages = [] } = await waiting;
    assert.deepEqual(
      Messages.map((m) => m.Body),
      ["arrived"],
    );
    await drain();
    world.clock.step(30_000);
    await drain();
  });

  test("a waiting receive returns nothing once its wait time has passed on the clock", async () => {
    await drain();
    const waiting = receive({ WaitTimeSeconds: 5 });
    await world.clock.untilPending(1);
    assert.deepEqual(world.clock.pending, [5_000]);
    world.clock.step(5_000);
    assert.equal((await waiting).Messages, undefined);
  });

  test("a waiting receive wakes when an in-flight message's visibility timeout ends", async () => {
    await drain();
    await world.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "comes back" }));
    await receive({ VisibilityTimeout: 10 });
    const waiting = receive({ WaitTimeSeconds: 20 });
    await world.clock.untilPending(1);
    assert.deepEqual(world.clock.pending, [10_000]);
    world.clock.step(10_000);
    const { Messages = [] } = await waiting;
    assert.deepEqual(
      Messages.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount]),
      [["comes back", "2"]],
    );
  });
});
