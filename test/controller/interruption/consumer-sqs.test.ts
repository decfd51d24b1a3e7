// The consumer's own guarantees through the real SQS SDK (adapters/aws's SqsInterruptionQueue) over HTTP to the
// simulated SQS, on the world's virtual clock: a message is deleted once the taint and the NodeClaim's deletion
// are persisted, before the drain; SQS delivering a message twice changes nothing; SQS down for a minute is
// backed off through (1 s doubling, to 30 s) and recovered from with nothing lost; a restart in the middle of a
// drain resumes from the NodeClaim alone; DescribeInstanceStatus over the EC2 SDK finds an impaired instance.
// Waits are for events (a message done, a receive failed), and the clock moves only between them.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { SdkEc2, SqsInterruptionQueue } from "../../../adapters/aws/index.ts";
import { resolveInterruptionQueue } from "../../../controller/index.ts";
import { startInterruptionControllers, type InterruptionControllers } from "../../support/interruption-controllers.ts";
import { QUEUE, startInterruptionWorld, type InterruptionWorld } from "../../support/interruption-world.ts";
import { deploymentBody } from "../../support/sim-world.ts";

const CREDENTIALS = { accessKeyId: "AKIDPOOLKEEPERSIM", secretAccessKey: "poolkeeper-sim" };

let w: InterruptionWorld;
let endpoint: string;
const clients: { destroy(): void }[] = [];
const running: InterruptionControllers[] = [];

beforeEach(async () => {
  w = await startInterruptionWorld({ serve: true });
  endpoint = (await w.world.serve()).aws.endpoint;
});

afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
  // A long poll still held by the server ends with the world; then the clients go.
  await w.stop();
  for (const client of clients.splice(0)) client.destroy();
});

/** The queue as `--interruption-queue` would name it by URL, through the SDK with one attempt per call. */
function sqsQueue(): SqsInterruptionQueue {
  const ref = resolveInterruptionQueue(w.queues.byName(QUEUE).url);
  const queue = new SqsInterruptionQueue(ref.name, {
    endpoint,
    region: "us-west-2",
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  clients.push(queue);
  return queue;
}

function start(options: { instanceStatus?: SdkEc2 } = {}): InterruptionControllers {
  const c = startInterruptionControllers(w, { queue: sqsQueue(), ...options });
  running.push(c);
  return c;
}

const instanceOf = (claim: string) =>
  w.cluster.get("nodeclaims", { name: claim })?.status?.providerID?.split("/").at(-1) ?? "";
const deleting = (claim: string) =>
  w.cluster.get("nodeclaims", { name: claim })?.metadata.deletionTimestamp !== undefined;
const queueCounts = () => w.queues.byName(QUEUE).counts();
const spotMessages = (c: InterruptionControllers) =>
  c.done.flatMap((d) => (d.deleted && d.handled.messageType === "spot_interrupted" ? [d.handled.outcomes] : []));

async function registeredSpot(name: string): Promise<string> {
  await w.launch(name, { capacityType: "spot" });
  await w.until(
    () =>
      (w.nodeOf(name)?.spec?.taints ?? []).length === 0 &&
      w.cluster.get("nodeclaims", { name })?.status?.nodeName !== undefined,
    `${name} registered`,
  );
  return w.nodeOf(name)?.metadata.name ?? "";
}

/** Lets the state-change messages of the launch be handled (no-ops) so a test counts only its own. */
async function settleLaunchMessages(c: InterruptionControllers): Promise<number> {
  const visible = queueCounts().visible + queueCounts().inFlight;
  await c.whenDone(visible);
  return c.done.length;
}

describe("through the SQS SDK", () => {
  test("the message is deleted once the taint and the NodeClaim's deletion are persisted, long before the drain ends", async () => {
    const nodeName = await registeredSpot("default-sqs");
    const c = start();
    const before = await settleLaunchMessages(c);
    w.events.spotInterruption(instanceOf("default-sqs"));
    await c.whenDone(before + 1);
    assert.deepEqual(spotMessages(c), [["terminating"]]);
    assert.ok(deleting("default-sqs"));
    assert.ok(
      w.cluster.get("nodes", { name: nodeName })?.spec?.taints?.some((t) => t.key === "karpenter.sh/disrupted"),
    );
    assert.deepEqual(queueCounts(), { visible: 0, inFlight: 0, delayed: 0 }, "deleted from SQS");
    await w.until(() => c.reports.length === 1, "the termination finished");
  });

  test("SQS delivering the message twice: the second copy is a no-op", async () => {
    await registeredSpot("default-twice");
    const c = start();
    const before = await settleLaunchMessages(c);
    w.world.cloud.faults.duplicateDeliveries(1);
    w.events.spotInterruption(instanceOf("default-twice"));
    await c.whenDone(before + 2);
    assert.deepEqual(spotMessages(c), [["terminating"], ["already-terminating"]]);
    assert.equal(c.statusEvents.filter((e) => e.kind === "interrupted").length, 1);
  });

  test("SQS down for a minute: receives back off 1 s doubling to 30 s, and the warning sent meanwhile is handled on recovery", async () => {
    await registeredSpot("default-outage");
    w.world.cloud.faults.outage("sqs", 1_000);
    const c = start();
    w.events.spotInterruption(instanceOf("default-outage"));
    let down = 0;
    for (let failures = 1; down < 60_000; failures++) {
      await c.whenReceiveErrors(failures);
      const backoff = c.receiveErrors.at(-1) ?? 0;
      down += backoff;
      if (down >= 60_000) break;
      w.clock.step(backoff);
    }
    assert.deepEqual(c.receiveErrors, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
    assert.equal(spotMessages(c).length, 0, "nothing handled while SQS is down");
    w.world.cloud.faults.clear();
    w.clock.step(30_000);
    await w.until(() => spotMessages(c).length === 1, "the warning handled after recovery", { stepMs: 10 });
    assert.deepEqual(spotMessages(c), [["terminating"]]);
    assert.ok(deleting("default-outage"));
  });

  test("a restart in the middle of a drain resumes from the NodeClaim's deletion and finalizer; the message is not redelivered", async () => {
    await registeredSpot("default-restart");
    w.world.store.create(
      w.world.kind("apps", "v1", "deployments"),
      "default",
      deploymentBody("web", 2, { app: "web" }),
    );
    w.world.store.create(w.world.kind("policy", "v1", "poddisruptionbudgets"), "default", {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "web" },
      spec: { minAvailable: 2, selector: { matchLabels: { app: "web" } } },
    });
    await w.until(
      () => w.cluster.get("poddisruptionbudgets", { namespace: "default", name: "web" })?.status?.currentHealthy === 2,
      "the budget counting both pods",
    );
    const first = start();
    const before = await settleLaunchMessages(first);
    w.events.spotInterruption(instanceOf("default-restart"));
    await first.whenDone(before + 1);
    await w.clock.runFor(20_000);
    assert.equal(first.reports.length, 0, "still draining: the budget blocks");
    await first.stop();
    running.splice(running.indexOf(first), 1);

    const second = start();
    await w.until(() => second.reports.length === 1, "the second controller finished the termination");
    assert.equal(second.reports[0]?.deletedAtDeadline, 2, "the deadline the first set, kept on the NodeClaim, applied");
    assert.equal(spotMessages(second).length, 0, "the message was deleted once, by the first");
    assert.equal(w.cluster.get("nodeclaims", { name: "default-restart" }), undefined);
  });

  test("DescribeInstanceStatus over the EC2 SDK: an impaired instance is terminated forcefully", async () => {
    await registeredSpot("default-impaired");
    const ec2 = new SdkEc2({ endpoint, region: "us-west-2", credentials: CREDENTIALS, maxAttempts: 1 });
    clients.push(ec2);
    const c = start({ instanceStatus: ec2 });
    w.world.cloud.health.impair(instanceOf("default-impaired"), "instance");
    await c.interruption.pollInstanceStatus();
    assert.ok(deleting("default-impaired"));
    const stamp = w.cluster.get("nodeclaims", { name: "default-impaired" })?.metadata.annotations?.[
      "karpenter.sh/nodeclaim-termination-timestamp"
    ];
    assert.equal(
      stamp,
      w.clock
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z"),
    );
    await w.until(() => c.reports.length === 1, "the forceful termination finished");
    assert.equal(c.reports[0]?.forced, true);
  });
});
