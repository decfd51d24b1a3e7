// One suite for the InterruptionQueue port (api/ports/interruption-queue.ts), run against each implementation —
// in process over the world's queues (sim/world/cloud/queue-port.ts) and adapters/aws over HTTP to the simulated
// SQS — so both behave alike. The judge is the world's queue: the suite sends into it directly and moves its clock;
// what the port receives, deletes and hides must follow SQS's documented semantics for standard queues.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AwsApiError, NotFound, type InterruptionQueue, type QueueMessage } from "../../api/index.ts";
import type { Queue, Queues } from "../../sim/world/cloud/index.ts";
import type { FakeClock } from "./fake-clock.ts";
import { guardAgainstHang } from "./hang-guard.ts";

export interface InterruptionQueueHarness {
  queues: Queues;
  clock: FakeClock;
  /** A port over the queue named `name` (which may not exist). */
  connect(name: string): InterruptionQueue;
  stop(): Promise<void>;
}

let queueCount = 0;

/** A fresh queue in the world, and the port over it. */
function freshQueue(harness: InterruptionQueueHarness): { queue: Queue; port: InterruptionQueue } {
  const name = `interruptions-${++queueCount}`;
  return { queue: harness.queues.create(name, {}), port: harness.connect(name) };
}

/**
 * Starts a long poll and resolves once it has armed its timer on the clock (one more than were pending before:
 * counted first, since the in-process port arms it at once and the adapter only when its request arrives).
 */
async function longPoll(
  clock: FakeClock,
  poll: () => Promise<QueueMessage[]>,
): Promise<{ polling: Promise<QueueMessage[]> }> {
  const before = clock.pending.length;
  const polling = poll();
  await clock.untilPending(before + 1);
  return { polling }; // wrapped: an async function returning the promise itself would wait for the answer
}

async function rejectsWithCode(call: Promise<unknown>, type: typeof AwsApiError, code: RegExp): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof type, `${String(error)} is a ${type.name}`);
    assert.match(error.code, code);
    return true;
  });
}

export function interruptionQueueContract(label: string, start: () => Promise<InterruptionQueueHarness>): void {
  describe(`InterruptionQueue contract: ${label}`, () => {
    let harness: InterruptionQueueHarness;
    test.before(async () => {
      harness = await start();
    });
    test.after(async () => {
      await harness.stop();
    });

    test("receive, change visibility to 0 and receive again with a higher count, then delete", async () => {
      const { queue, port } = freshQueue(harness);
      queue.send('{"detail-type":"x"}');
      const [first, ...none] = await port.receive({ waitSeconds: 0 });
      assert.deepEqual(none, []);
      assert.ok(first);
      assert.equal(first.body, '{"detail-type":"x"}');
      assert.equal(first.receiveCount, 1);
      assert.deepEqual(await port.receive({ waitSeconds: 0 }), [], "hidden for its visibility timeout");

      await port.changeVisibility(first.receiptHandle, 0);
      const [second] = await port.receive({ waitSeconds: 0 });
      assert.equal(second?.id, first.id);
      assert.equal(second?.receiveCount, 2);
      assert.notEqual(second?.receiptHandle, first.receiptHandle, "each receive issues a new handle");

      await port.delete(second?.receiptHandle ?? "");
      harness.clock.step(60_000);
      assert.deepEqual(await port.receive({ waitSeconds: 0 }), [], "deleted, not redelivered after the timeout");
      assert.deepEqual(queue.counts(), { visible: 0, inFlight: 0, delayed: 0 });
    });

    test("a message not deleted comes back after its visibility timeout with a higher receive count", async () => {
      const { queue, port } = freshQueue(harness);
      queue.send("again");
      const [message] = await port.receive({ waitSeconds: 0, visibilityTimeoutSeconds: 20 });
      assert.ok(message);
      harness.clock.step(19_999);
      assert.deepEqual(await port.receive({ waitSeconds: 0 }), []);
      harness.clock.step(1);
      const [redelivered] = await port.receive({ waitSeconds: 0 });
      assert.equal(redelivered?.id, message.id);
      assert.equal(redelivered?.receiveCount, 2);
      assert.equal(redelivered?.body, "again");
    });

    test("the port's default visibility is Karpenter's 20 s, not the queue's 30 s", async () => {
      const { queue, port } = freshQueue(harness);
      queue.send("default");
      assert.equal((await port.receive({ waitSeconds: 0 })).length, 1);
      harness.clock.step(19_999);
      assert.deepEqual(await port.receive({ waitSeconds: 0 }), []);
      harness.clock.step(1);
      assert.equal((await port.receive({ waitSeconds: 0 }))[0]?.receiveCount, 2);
    });

    test("a receive takes at most 10 messages (Karpenter's batch), oldest first; maxMessages takes fewer", async () => {
      const { queue, port } = freshQueue(harness);
      const bodies = Array.from({ length: 13 }, (_, i) => `event-${i}`);
      for (const body of bodies) queue.send(body);
      const batch = await port.receive({ waitSeconds: 0 });
      assert.deepEqual(
        batch.map((m) => m.body),
        bodies.slice(0, 10),
      );
      assert.equal(new Set(batch.map((m) => m.receiptHandle)).size, 10, "one handle per message");
      const few = await port.receive({ waitSeconds: 0, maxMessages: 2 });
      assert.deepEqual(
        few.map((m) => m.body),
        bodies.slice(10, 12),
      );
      assert.deepEqual(
        (await port.receive({ waitSeconds: 0 })).map((m) => m.body),
        bodies.slice(12),
      );
    });

    test("more than 10 messages is SQS's InvalidParameterValue", async () => {
      const { port } = freshQueue(harness);
      await rejectsWithCode(port.receive({ waitSeconds: 0, maxMessages: 11 }), AwsApiError, /^InvalidParameterValue$/);
      await rejectsWithCode(port.receive({ waitSeconds: 0, maxMessages: 0 }), AwsApiError, /^InvalidParameterValue$/);
    });

    test("a long poll waits on the clock and answers with the message sent meanwhile", async () => {
      const { queue, port } = freshQueue(harness);
      const { polling } = await longPoll(harness.clock, () => port.receive({ waitSeconds: 20 }));
      queue.send("while polling");
      const [message] = await guardAgainstHang(polling, "the long poll to answer with the sent message");
      assert.equal(message?.body, "while polling");
      assert.equal(message?.receiveCount, 1);
    });

    test("a long poll ends empty when its wait passes on the clock", async () => {
      const { port } = freshQueue(harness);
      const { polling } = await longPoll(harness.clock, () => port.receive({ waitSeconds: 20 }));
      harness.clock.step(19_999);
      assert.ok(harness.clock.pending.includes(1), "the poll still waits, 1 ms before its wait ends");
      harness.clock.step(1);
      assert.deepEqual(await guardAgainstHang(polling, "the long poll to end empty"), []);
    });

    test("a long poll answers when a hidden message reappears after its visibility timeout", async () => {
      const { queue, port } = freshQueue(harness);
      queue.send("reappears");
      const [first] = await port.receive({ waitSeconds: 0, visibilityTimeoutSeconds: 5 });
      assert.ok(first);
      const { polling } = await longPoll(harness.clock, () => port.receive({ waitSeconds: 20 }));
      harness.clock.step(5_000);
      const [again] = await guardAgainstHang(polling, "the long poll to answer with the reappearing message");
      assert.equal(again?.id, first.id);
      assert.equal(again?.receiveCount, 2);
    });

    test("changing the visibility of a deleted message is MessageNotInflight; a foreign handle is invalid", async () => {
      const { queue, port } = freshQueue(harness);
      queue.send("gone");
      const [message] = await port.receive({ waitSeconds: 0 });
      assert.ok(message);
      await port.delete(message.receiptHandle);
      await port.delete(message.receiptHandle); // deleting twice succeeds, as on SQS
      await rejectsWithCode(port.changeVisibility(message.receiptHandle, 0), AwsApiError, /MessageNotInflight$/);
      await rejectsWithCode(
        port.delete(Buffer.from("not-a-handle").toString("base64")),
        AwsApiError,
        /^ReceiptHandleIsInvalid$/,
      );
    });

    test("an unknown queue is NotFound", async () => {
      const missing = harness.connect("no-such-queue");
      await rejectsWithCode(missing.receive({ waitSeconds: 0 }), NotFound, /^(QueueDoesNotExist|.*NonExistentQueue)$/);
    });
  });
}
