// The windows in which the demo's clock could run ahead of an answer to a request that waits on purpose: a message
// sent to a queue while the interruption consumer's long poll is open (step 8's spot interruption, through the
// real SQS SDK over HTTP to the simulated SQS), and an object written while a watch is open (the informers', over
// HTTPS to the simulated API server). The server answers at once; the bytes then sit between the two sockets until
// the client reads them, which on a loaded machine can take longer than the turns a quiescence waits. The test
// makes that window as long as it likes by pausing the client's socket — the reader not yet scheduled — and
// requires the clock to stay put until the client has the answer: the message received, the event read, at the
// instant they were written.
import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import { after, before, test } from "node:test";
import { SqsInterruptionQueue } from "../../../adapters/aws/index.ts";
import { QuiescentClock } from "../../../cli/demo/quiescent-clock.ts";
import { silentLogger } from "../../../runtime/log.ts";
import { startAwsServer } from "../../../sim/aws/index.ts";
import { startKubeApiServer } from "../../../sim/index.ts";
import { Cloud, defaultScenario, loadInstanceTypes } from "../../../sim/world/cloud/index.ts";

const START = new Date("2026-03-04T10:00:00Z");
const CREDENTIALS = { accessKeyId: "AKIDSIMULATED", secretAccessKey: "simulated-secret" };
/** EC2's two-minute warning: the timer the clock would jump to. */
const DEADLINE_MS = 120_000;

let clock: QuiescentClock;
before(() => {
  clock = new QuiescentClock(START);
});
after(() => clock.close());

/** The socket of the next client request `matches` accepts. */
function nextClientSocket(matches: (request: ClientRequest) => boolean): Promise<Socket> {
  return new Promise((resolve) => {
    const onStart = (message: unknown) => {
      const { request } = message as { request: ClientRequest };
      if (!matches(request)) return;
      unsubscribe("http.client.request.start", onStart);
      if (request.socket) resolve(request.socket);
      else request.once("socket", resolve);
    };
    subscribe("http.client.request.start", onStart);
  });
}

/** Many turns of the event loop with the answer held between the sockets: the clock must not move meanwhile. */
async function assertClockHeld(at: number, what: string): Promise<void> {
  for (let turn = 0; turn < 200; turn++) await nextTurn();
  assert.equal(clock.now().getTime(), at, `the clock moved while ${what} was on its way to the client`);
}

test("a message sent while the consumer's long poll is open holds the clock until the consumer has it", async () => {
  const cloud = new Cloud({ scenario: defaultScenario(), instanceTypes: loadInstanceTypes(), clock });
  const aws = await startAwsServer({ cloud, clock, logger: silentLogger() });
  const sqs = new SqsInterruptionQueue("interruptions", {
    endpoint: aws.endpoint,
    region: "us-west-2",
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    const queue = aws.queues.create("interruptions", {});
    const sent = clock.now().getTime();
    let deadlineAt: number | undefined;
    clock.afterFunc(DEADLINE_MS, () => (deadlineAt = clock.now().getTime()));

    const pollSocket = nextClientSocket((request) => request.getHeader("x-amz-target") === "AmazonSQS.ReceiveMessage");
    let receivedAt: number | undefined;
    const received = sqs.receive({ waitSeconds: 20 }).then((messages) => {
      receivedAt = clock.now().getTime();
      return messages;
    });
    // The poll is open and waiting at the server: nothing else is under way.
    const socket = await pollSocket;
    await clock.quiescence.quiet();
    assert.equal(receivedAt, undefined, "the queue is empty: the long poll waits");

    socket.pause();
    queue.send('{"detail-type":"EC2 Spot Instance Interruption Warning"}');
    const ticked = clock.tick(60_000);
    await assertClockHeld(sent, "the long poll's message");
    socket.resume();

    const messages = await received;
    assert.deepEqual(
      messages.map((message) => message.body),
      ['{"detail-type":"EC2 Spot Instance Interruption Warning"}'],
    );
    assert.equal(receivedAt, sent, "received at the instant it was sent");
    assert.equal(await ticked, 60_000, "then the clock moves, by the step allowed (the deadline is later)");
    assert.equal(deadlineAt, undefined);
  } finally {
    sqs.destroy();
    await aws.close();
  }
});

test("an object written while a watch is open holds the clock until the watcher has read the event", async () => {
  const kube = await startKubeApiServer({ clock, logger: silentLogger() });
  const watchSocket = nextClientSocket((request) => request.path.includes("watch=true"));
  const lines: { type: string; object: { metadata: { name: string } } }[] = [];
  let readAt: number | undefined;
  let eventRead: () => void = () => {};
  const read = new Promise<void>((resolve) => (eventRead = resolve));
  const watch = httpsRequest(
    `${kube.url}/api/v1/namespaces/default/configmaps?watch=true`,
    { ca: kube.ca, headers: { authorization: `Bearer ${kube.token}` } },
    (res) => {
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n")) {
          lines.push(JSON.parse(buffer.slice(0, newline)) as (typeof lines)[number]);
          buffer = buffer.slice(newline + 1);
          readAt = clock.now().getTime();
          eventRead();
        }
      });
    },
  );
  watch.on("error", () => {});
  watch.end();
  try {
    const socket = await watchSocket;
    await clock.quiescence.quiet();
    assert.equal(lines.length, 0, "nothing written yet: the watch waits");

    const written = clock.now().getTime();
    socket.pause();
    kube.store.create(kube.registry.get("", "v1", "configmaps"), "default", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "written-by-the-world", namespace: "default" },
      data: {},
    });
    const ticked = clock.tick(60_000);
    await assertClockHeld(written, "the watch event");
    socket.resume();

    await read;
    assert.deepEqual(
      lines.map((line) => [line.type, line.object.metadata.name]),
      [["ADDED", "written-by-the-world"]],
    );
    assert.equal(readAt, written, "read at the instant it was written");
    assert.equal(await ticked, 60_000);
  } finally {
    watch.destroy();
    await kube.close();
  }
});
