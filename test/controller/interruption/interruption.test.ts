// Interruption end to end in the simulated world on a virtual clock, with the in-process ports (the world's SQS
// queue behind the InterruptionQueue port, the Cluster port over the store): the world's EventBridge emits the
// notices EC2 and AWS Health send, the world's spot service terminates the instance two minutes after its warning,
// and launched instances need the world's 60 s boot delay to become Ready Nodes. Replacement capacity comes from a
// stand-in for provisioning's launch loop (a colleague's, being wired now): when the interrupted NodeClaim is being
// deleted, one NodeClaim is launched in the same pool — the merge switches this to the real provisioner.
//
// Expected values come from the world (its boot delay, the 2-minute notice, the PDB's status as its disruption
// controller computes it) and from Karpenter's interruption semantics (FACTS §c: which kinds act, the events).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import type { KubeEvent, NodePool, Pod } from "../../../api/index.ts";
import { worldAwsPorts } from "../../../sim/aws/ports.ts";
import { WorldInterruptionQueue } from "../../../sim/world/cloud/index.ts";
import { InterruptionController, reportInterruptionEnd, TerminationController } from "../../../controller/index.ts";
import { captureLog } from "../../support/log-capture.ts";
import { startInterruptionControllers, type InterruptionControllers } from "../../support/interruption-controllers.ts";
import { QUEUE, startInterruptionWorld, type InterruptionWorld } from "../../support/interruption-world.ts";
import { deploymentBody } from "../../support/sim-world.ts";

let w: InterruptionWorld;
let c: InterruptionControllers;
let log: ReturnType<typeof captureLog>;

beforeEach(async () => {
  w = await startInterruptionWorld();
  log = captureLog();
  c = startInterruptionControllers(w, {
    queue: new WorldInterruptionQueue(w.queues, QUEUE),
    instanceStatus: worldAwsPorts(w.world.cloud).ec2,
    logger: log.logger,
  });
});

afterEach(async () => {
  await c.stop();
  await w.stop();
});

const kind = (group: string, version: string, plural: string) => w.world.kind(group, version, plural);
const instanceOf = (claim: string) =>
  w.cluster.get("nodeclaims", { name: claim })?.status?.providerID?.split("/").at(-1) ?? "";
const deleting = (claim: string) =>
  w.cluster.get("nodeclaims", { name: claim })?.metadata.deletionTimestamp !== undefined;
const instanceOfReason = (reason: string | undefined) => /instance (i-[0-9a-f]+)/.exec(reason ?? "")?.[1];
const events = (reason: string) =>
  (w.world.store.list(kind("", "v1", "events")).items as unknown as KubeEvent[]).filter((e) => e.reason === reason);
const queueEmpty = () => {
  const counts = w.queues.byName(QUEUE).counts();
  return counts.visible + counts.inFlight + counts.delayed === 0;
};

async function registered(claim: string): Promise<string> {
  await w.until(
    () =>
      (w.nodeOf(claim)?.spec?.taints ?? []).length === 0 &&
      w.cluster.get("nodeclaims", { name: claim })?.status?.nodeName !== undefined,
    `${claim} registered`,
  );
  return w.nodeOf(claim)?.metadata.name ?? "";
}

function webPods(): Pod[] {
  return (w.world.store.list(kind("", "v1", "pods"), { namespace: "default" }).items as unknown as Pod[]).filter(
    (p) => p.metadata.labels?.["app"] === "web",
  );
}

const ready = (p: Pod) =>
  p.metadata.deletionTimestamp === undefined &&
  p.status?.phase === "Running" &&
  p.status.conditions?.some((cond) => cond.type === "Ready" && cond.status === "True") === true;

/** Provisioning's stand-in: one replacement NodeClaim in the pool when `claim` starts terminating. */
function replaceWhenDeleted(claim: string, replacement: string): void {
  let launched = false;
  w.cluster.onChange("nodeclaims", (change) => {
    if (launched || change.type === "deleted" || change.object.metadata.name !== claim) return;
    if (change.object.metadata.deletionTimestamp === undefined) return;
    launched = true;
    void w.launch(replacement, { capacityType: "on-demand" });
  });
}

function nodePool(name: string, annotations: Record<string, string>, budgets: { nodes: string }[]): NodePool {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name, annotations },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
          requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] }],
        },
      },
      disruption: { consolidateAfter: "0s", budgets },
    },
  } as NodePool;
}

describe("a spot interruption warning", () => {
  test("the replacement is Ready and every pod of the Deployment runs on it before the world reclaims the instance at 2 minutes, no budget violated", async () => {
    await w.launch("default-spot", { capacityType: "spot" });
    const oldNode = await registered("default-spot");
    w.world.store.create(kind("apps", "v1", "deployments"), "default", deploymentBody("web", 3, { app: "web" }));
    w.world.store.create(kind("policy", "v1", "poddisruptionbudgets"), "default", {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "web" },
      spec: { maxUnavailable: 1, selector: { matchLabels: { app: "web" } } },
    });
    await w.until(() => webPods().filter(ready).length === 3, "three web pods Ready");
    let fewestReady = 3;
    w.world.store.watch(kind("", "v1", "pods"), { resourceVersion: String(w.world.store.resourceVersion) }, () => {
      fewestReady = Math.min(fewestReady, webPods().filter(ready).length);
    });
    replaceWhenDeleted("default-spot", "default-replacement");
    const spotId = instanceOf("default-spot");

    const notice = w.clock.now().getTime();
    w.events.spotInterruption(spotId);
    await w.until(() => deleting("default-spot"), "the NodeClaim deleted", { stepMs: 10 });
    const cordonedIn = w.clock.now().getTime() - notice;
    assert.ok(
      w.nodeOf("default-spot")?.spec?.taints?.some((t) => t.key === "karpenter.sh/disrupted"),
      "tainted",
    );
    assert.ok(cordonedIn <= 10, `cordoned ${cordonedIn} ms after the notice`);
    await w.until(() => queueEmpty(), "the message deleted", { stepMs: 10 });
    assert.ok(w.cluster.get("nodeclaims", { name: "default-spot" }), "the message went before the drain finished");

    const newNode = await registered("default-replacement");
    const replacementReadyAt = w.clock.now().getTime() - notice;
    await w.until(
      () => webPods().filter((p) => ready(p) && p.spec?.nodeName === newNode).length === 3,
      "every web pod Ready on the replacement",
    );
    const movedAt = w.clock.now().getTime() - notice;
    assert.ok(replacementReadyAt >= 60_000, `the replacement took the boot delay: ${replacementReadyAt} ms`);
    assert.ok(movedAt < 120_000, `all pods moved ${movedAt} ms after the notice, before the 2 minutes`);
    assert.ok(fewestReady >= 2, `the budget (maxUnavailable 1 of 3) held: at least ${fewestReady} Ready throughout`);

    await w.until(() => c.reports.length === 1, "the termination finished");
    assert.ok(!webPods().some((p) => p.spec?.nodeName === oldNode));
    assert.deepEqual(
      w.provider.unavailable.map((u) => [u.instanceType, u.capacityType]),
      [["m5.large", "spot"]],
    );
    assert.equal(events("SpotInterrupted").length, 2, "on the NodeClaim and on the Node");
    assert.equal(events("TerminatingOnInterruption").length, 2);
    const drained = c.statusEvents.find((e) => e.kind === "drained");
    assert.match(drained?.reason ?? "", new RegExp(`spot_interrupted for instance ${spotId}: 3 pod\\(s\\) moved`));
    assert.match(drained?.reason ?? "", new RegExp(`replacement ${instanceOf("default-replacement")}`));
    assert.equal(drained?.node, oldNode);
    assert.equal(drained?.pool, "default");
    assert.equal(
      await c.metric("poolkeeper_interruption_received_messages_total", { message_type: "spot_interrupted" }),
      1,
    );
    assert.equal(
      await c.metric("poolkeeper_interruption_deleted_messages_total", { message_type: "spot_interrupted" }),
      1,
    );
    assert.equal(
      await c.metric("poolkeeper_interruption_notice_to_drained_seconds", { message_type: "spot_interrupted" }),
      1,
    );
  });

  test("a budget allowing 0: eviction retried until the notice's deadline less the grace period, and the outcome reported", async () => {
    await w.launch("default-blocked", { capacityType: "spot" });
    await registered("default-blocked");
    w.world.store.create(kind("apps", "v1", "deployments"), "default", deploymentBody("web", 2, { app: "web" }));
    w.world.store.create(kind("policy", "v1", "poddisruptionbudgets"), "default", {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "web" },
      spec: { minAvailable: 2, selector: { matchLabels: { app: "web" } } },
    });
    await w.until(() => webPods().filter(ready).length === 2, "two web pods Ready");
    const notice = w.clock.now().getTime();
    w.events.spotInterruption(instanceOf("default-blocked"));
    await w.until(() => c.reports.length === 1, "the termination finished");
    const [report] = c.reports;
    assert.equal(report?.evicted, 0);
    assert.equal(report?.deletedAtDeadline, 2);
    assert.ok((report?.blockedEvictions ?? 0) > 2);
    const drainedAt = (report?.drainedAt ?? 0) - notice;
    // The notice's 120 s less the pods' 30 s grace period (events carry whole seconds, hence the second of slack).
    assert.ok(drainedAt >= 89_000 && drainedAt < 92_000, `drained ${drainedAt} ms after the notice`);
    const drained = c.statusEvents.find((e) => e.kind === "drained");
    assert.match(
      drained?.reason ?? "",
      /2 pod\(s\) moved \(2 deleted at the deadline, a budget blocking their eviction\)/,
    );
    assert.match(events("FailedDraining")[0]?.message ?? "", /disruption budget/);
  });
});

describe("messages that must not act twice, or at all", () => {
  test("a duplicate delivery is a no-op: one act, both deleted", async () => {
    await w.launch("default-dup", { capacityType: "spot" });
    await registered("default-dup");
    const envelope = w.events.rebalanceRecommendation(instanceOf("default-dup"));
    const warning = JSON.stringify({
      ...envelope,
      "detail-type": "EC2 Spot Instance Interruption Warning",
      detail: { "instance-id": instanceOf("default-dup"), "instance-action": "terminate" },
    });
    const queue = w.queues.byName(QUEUE);
    await w.until(() => queueEmpty(), "the rebalance handled");
    queue.send(warning, 0);
    await w.until(() => queueEmpty() && deleting("default-dup"), "the first copy handled", { stepMs: 10 });
    queue.send(warning, 0);
    await w.until(() => queueEmpty(), "the second copy handled", { stepMs: 10 });
    const spot = c.done.filter((d) => d.deleted && d.handled.messageType === "spot_interrupted");
    assert.deepEqual(
      spot.map((d) => (d.deleted ? d.handled.outcomes : [])),
      [["terminating"], ["already-terminating"]],
    );
    assert.equal(c.statusEvents.filter((e) => e.kind === "interrupted").length, 1);
  });

  test("malformed JSON is logged once without the body, counted and deleted; an unknown kind is counted and deleted", async () => {
    const queue = w.queues.byName(QUEUE);
    queue.send('{"version":"0","detail": {"instance-id": "i-secret-body-text"', 0);
    queue.send(
      JSON.stringify({
        version: "0",
        id: "x",
        source: "aws.s3",
        "detail-type": "Object Created",
        time: "2026-04-06T09:00:00Z",
        detail: {},
      }),
      0,
    );
    await w.until(() => queueEmpty() && c.done.length === 2, "both handled", { stepMs: 10 });
    assert.ok(c.done.every((d) => d.deleted));
    const warnings = log.lines.filter((l) => l["msg"] === "interruption message is malformed; deleting it");
    assert.equal(warnings.length, 1);
    assert.ok(!JSON.stringify(log.lines).includes("secret-body-text"), "the body is never logged");
    assert.equal(await c.metric("poolkeeper_interruption_received_messages_total", { message_type: "malformed" }), 1);
    assert.equal(await c.metric("poolkeeper_interruption_deleted_messages_total", { message_type: "no_op" }), 1);
  });

  test("an instance no NodeClaim knows is deleted with nothing done", async () => {
    const [stranger] = w.world.cloud.launch(
      {
        instanceType: "m5.large",
        subnetId: w.world.cloud.scenario.subnets[0]?.id ?? "",
        imageId: "ami-0a00000000000a023",
        capacityType: "spot",
        securityGroupIds: [],
        tags: [],
      },
      1,
    );
    w.events.spotInterruption(stranger?.id ?? "");
    await w.until(() => c.done.some((d) => d.deleted && d.handled.messageType === "spot_interrupted"), "handled", {
      stepMs: 10,
    });
    const handled = c.done.find((d) => d.deleted && d.handled.messageType === "spot_interrupted");
    assert.deepEqual(handled?.deleted ? handled.handled.outcomes : [], ["unknown-instance"]);
    assert.equal(c.statusEvents.length, 0);
  });

  test("a state change to terminated with the Node already gone: the NodeClaim is deleted and its termination finishes", async () => {
    await w.launch("default-gone", { capacityType: "on-demand" });
    const nodeName = await registered("default-gone");
    await w.cluster.delete("nodes", { name: nodeName });
    w.world.cloud.terminate([instanceOf("default-gone")]);
    await w.until(() => c.reports.length === 1, "the termination finished");
    // Still named after the NodeClaim's status.nodeName, as its `interrupted` event names it.
    assert.equal(c.reports[0]?.node, nodeName);
    const kinds = c.done.flatMap((d) => (d.deleted ? [d.handled.messageType] : []));
    assert.ok(kinds.includes("instance_terminated"), `handled: ${kinds.join(", ")}`);
    assert.ok(queueEmpty());
  });
  test("a state change for an instance whose NodeClaim is already being deleted is no interruption: nothing recorded, no notice written", async () => {
    await w.launch("default-consolidated", { capacityType: "on-demand" });
    await registered("default-consolidated");
    await w.until(() => queueEmpty(), "the launch's notices handled");
    // Consolidation deleted the NodeClaim and its process died before the termination controller tainted the Node.
    await c.stop();
    await w.cluster.delete("nodeclaims", { name: "default-consolidated" });
    const recorded: { kind: string }[] = [];
    const interruption = new InterruptionController({
      cluster: w.cluster,
      cloudProvider: w.provider,
      clock: w.clock,
      status: { record: (e) => recorded.push(e) },
    });
    const terminated = JSON.stringify({
      ...w.events.rebalanceRecommendation(instanceOf("default-consolidated")),
      "detail-type": "EC2 Instance State-change Notification",
      detail: { "instance-id": instanceOf("default-consolidated"), state: "terminated" },
    });
    try {
      const handled = await interruption.handleMessage({
        id: "state-change",
        body: terminated,
        receiptHandle: "r",
        receiveCount: 1,
      });
      assert.equal(handled.messageType, "instance_terminated");
      assert.deepEqual(handled.outcomes, ["already-terminating"]);
    } finally {
      interruption.close();
    }
    assert.deepEqual(recorded, [], "no interruption reported for a deletion poolkeeper made itself");
    const annotations = w.cluster.get("nodeclaims", { name: "default-consolidated" })?.metadata.annotations ?? {};
    assert.equal(Object.keys(annotations).filter((k) => k.startsWith("poolkeeper.dev/interruption")).length, 0);
    c = startInterruptionControllers(w, { queue: new WorldInterruptionQueue(w.queues, QUEUE), logger: log.logger });
  });
});

describe("notices that name several instances, or come from the status poll", () => {
  test("a Health scheduled change naming three instances cordons and drains all three", async () => {
    for (const name of ["default-h1", "default-h2", "default-h3"]) await w.launch(name, { capacityType: "on-demand" });
    for (const name of ["default-h1", "default-h2", "default-h3"]) await registered(name);
    w.events.scheduledChange(["default-h1", "default-h2", "default-h3"].map(instanceOf));
    await w.until(() => c.reports.length === 3, "three terminations finished");
    const handled = c.done.find((d) => d.deleted && d.handled.messageType === "scheduled_change");
    assert.deepEqual(handled?.deleted ? handled.handled.outcomes : [], ["terminating", "terminating", "terminating"]);
    assert.equal(events("InstanceUnhealthy").length, 6, "on each NodeClaim and Node");
  });

  test("an impaired instance is terminated forcefully by the DescribeInstanceStatus poll: no drain", async () => {
    await w.launch("default-sick", { capacityType: "on-demand" });
    await registered("default-sick");
    w.world.store.create(kind("apps", "v1", "deployments"), "default", deploymentBody("web", 1, { app: "web" }));
    await w.until(() => webPods().filter(ready).length === 1, "the web pod Ready");
    const stopPoll = c.interruption.startInstanceStatusPoll();
    try {
      w.world.cloud.health.impair(instanceOf("default-sick"), "system");
      await w.until(() => c.reports.length === 1, "the forceful termination finished");
    } finally {
      stopPoll();
    }
    assert.equal(c.reports[0]?.forced, true);
    assert.equal(c.reports[0]?.evicted, 0);
    assert.equal(events("Evicted").length, 0);
    assert.equal(await c.metric("poolkeeper_interruption_instance_status_unhealthy_total", { check: "system" }), 1);
  });
});

describe("rebalance recommendations per NodePool", () => {
  test('`replace` inside a nodes: "0" budget is held and reported as held; `ignore` is an event only', async () => {
    await w.cluster.create(
      "nodepools",
      nodePool("default", { "poolkeeper.dev/rebalance": "replace" }, [{ nodes: "0" }]),
    );
    await w.cluster.create("nodepools", nodePool("batch", {}, [{ nodes: "100%" }]));
    await w.launch("default-r", { capacityType: "spot" });
    await w.launch("batch-r", { capacityType: "spot", pool: "batch" });
    await registered("default-r");
    await registered("batch-r");
    w.events.rebalanceRecommendation(instanceOf("default-r"));
    w.events.rebalanceRecommendation(instanceOf("batch-r"));
    await w.until(
      () => c.done.filter((d) => d.deleted && d.handled.messageType === "rebalance_recommendation").length === 2,
      "both handled",
      { stepMs: 10 },
    );
    assert.ok(!deleting("default-r") && !deleting("batch-r"), "neither replaced");
    const held = c.statusEvents.find((e) => e.pool === "default");
    assert.match(held?.reason ?? "", /replacement held, the pool's disruption budgets allow 0 node\(s\) now/);
    assert.equal(events("RebalanceHeld").length, 2);
    assert.equal(events("SpotRebalanceRecommendation").length, 4);
    assert.equal(c.statusEvents.filter((e) => e.pool === "batch").length, 0, "ignore: no status event");
  });

  test("`replace` with room in the budget deletes the NodeClaim gracefully (no deadline)", async () => {
    await w.cluster.create(
      "nodepools",
      nodePool("default", { "poolkeeper.dev/rebalance": "replace" }, [{ nodes: "1" }]),
    );
    await w.launch("default-rr", { capacityType: "spot" });
    await registered("default-rr");
    w.events.rebalanceRecommendation(instanceOf("default-rr"));
    await w.until(() => deleting("default-rr"), "replaced", { stepMs: 10 });
    const annotations = w.cluster.get("nodeclaims", { name: "default-rr" })?.metadata.annotations ?? {};
    assert.equal(annotations["karpenter.sh/nodeclaim-termination-timestamp"], undefined);
    assert.match(c.statusEvents[0]?.reason ?? "", /replaced proactively/);
  });
});

describe("crash safety: notices survive the process that acted on them", () => {
  const warning = (claim: string) =>
    JSON.stringify({
      ...w.events.rebalanceRecommendation(instanceOf(claim)),
      "detail-type": "EC2 Spot Instance Interruption Warning",
      detail: { "instance-id": instanceOf(claim), "instance-action": "terminate" },
    });

  test("two messages about one instance received in one batch are handled in turn: one act, one report", async () => {
    await w.launch("default-batch", { capacityType: "spot" });
    await registered("default-batch");
    const message = warning("default-batch");
    await w.until(() => queueEmpty(), "the rebalance handled");
    const queue = w.queues.byName(QUEUE);
    queue.send(message, 0);
    queue.send(message, 0);
    await w.until(() => queueEmpty() && deleting("default-batch"), "both handled", { stepMs: 10 });
    const outcomes = c.done
      .filter((d) => d.deleted && d.handled.messageType === "spot_interrupted")
      .flatMap((d) => (d.deleted ? d.handled.outcomes : []));
    assert.deepEqual(outcomes.sort(), ["already-terminating", "terminating"]);
    assert.equal(c.statusEvents.filter((e) => e.kind === "interrupted").length, 1);
  });

  test("a drain finished after a crash before any interruption controller started is reported from the NodeClaim's notice", async () => {
    await w.launch("default-early", { capacityType: "spot" });
    const node = await registered("default-early");
    await w.until(() => queueEmpty(), "the launch's notices handled");
    w.queues.byName(QUEUE).send(warning("default-early"), 0);
    await w.until(() => queueEmpty() && deleting("default-early"), "the warning acted on", { stepMs: 10 });
    // The process dies before its report is durable. The next one's termination loop starts first and finishes the
    // NodeClaim: `run` hands its report to reportInterruptionEnd while no interruption controller listens.
    await c.stop();
    const statusEvents: { kind: string; node?: string; reason: string }[] = [];
    const end = { cluster: w.cluster, status: { record: (e: (typeof statusEvents)[number]) => statusEvents.push(e) } };
    const termination = new TerminationController({
      cluster: w.cluster,
      cloudProvider: w.provider,
      clock: w.clock,
      onTerminated: (report) => reportInterruptionEnd(end, report),
    }).start();
    try {
      await w.until(() => w.cluster.get("nodeclaims", { name: "default-early" }) === undefined, "the NodeClaim gone", {
        limitMs: 5 * 60_000,
      });
    } finally {
      await termination.stop();
    }
    assert.deepEqual(
      statusEvents.map((e) => `${e.kind} ${e.node}`),
      [`interrupted ${node}`, `drained ${node}`],
      "the act and its drain, each once, naming the node",
    );
    const instance = /instance (i-[0-9a-f]+)/.exec(statusEvents[0]?.reason ?? "")?.[1];
    assert.ok(instance !== undefined && instance === instanceOfReason(statusEvents[1]?.reason));
    assert.match(statusEvents[1]?.reason ?? "", /^spot_interrupted for instance i-[0-9a-f]+: \d+ pod\(s\) moved/);
    // The interruption controller starting afterwards finds nothing left to report.
    c = startInterruptionControllers(w, { queue: new WorldInterruptionQueue(w.queues, QUEUE), logger: log.logger });
    c.interruption.recover();
    assert.deepEqual(c.statusEvents, []);
  });

  test("a controller started after a crash reports the notice written on the NodeClaim, and its drain at the end", async () => {
    await w.launch("default-crash", { capacityType: "spot" });
    const node = await registered("default-crash");
    await w.until(() => queueEmpty(), "the launch's notices handled");
    w.queues.byName(QUEUE).send(warning("default-crash"), 0);
    await w.until(() => queueEmpty() && deleting("default-crash"), "the warning acted on", { stepMs: 10 });
    const annotations = w.cluster.get("nodeclaims", { name: "default-crash" })?.metadata.annotations ?? {};
    assert.match(annotations["poolkeeper.dev/interruption"] ?? "", /^spot_interrupted i-[0-9a-f]+ \d{4}-/);
    // The process dies before its report is durable: a new one starts from the cluster's state alone.
    await c.stop();
    c = startInterruptionControllers(w, { queue: new WorldInterruptionQueue(w.queues, QUEUE), logger: log.logger });
    c.interruption.recover();
    c.interruption.recover();
    const interrupted = c.statusEvents.filter((e) => e.kind === "interrupted");
    assert.deepEqual(
      interrupted.map((e) => e.node),
      [node],
      "reported once, naming the node",
    );
    assert.match(interrupted[0]?.reason ?? "", /^spot_interrupted for instance i-/);
    await w.until(() => w.cluster.get("nodeclaims", { name: "default-crash" }) === undefined, "the NodeClaim gone", {
      limitMs: 5 * 60_000,
    });
    const drained = c.statusEvents.filter((e) => e.kind === "drained");
    assert.equal(drained.length, 1);
    assert.match(drained[0]?.reason ?? "", /^spot_interrupted for instance i-[0-9a-f]+: \d+ pod\(s\) moved/);
  });
});
