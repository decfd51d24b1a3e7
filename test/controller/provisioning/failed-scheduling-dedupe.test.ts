// FailedScheduling as Karpenter publishes it (core pkg/controllers/provisioning/scheduling/events.go,
// PodFailedToScheduleEvent: DedupeValues the pod's uid, DedupeTimeout 5 minutes; pkg/events/recorder.go drops a
// repeat within the timeout before any API call): a pod no pool can take, provisioned for again and again, gets one
// FailedScheduling write per 5 minutes of the controller's clock — its Event's count moves once per 5 minutes, not
// once per run — and a changed explanation is written at once.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  deployment,
  NODE_CLASS,
  nodePool,
  type ProvisioningWorld,
  startProvisioningWorld,
} from "../../support/provisioning-world.ts";

let w: ProvisioningWorld;
before(async () => {
  w = await startProvisioningWorld();
  w.create(NODE_CLASS, nodePool("amd", [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }]));
});
after(async () => {
  await w.stop();
});

// The provisioner's own Event (the world's scheduler writes FailedScheduling too).
const ours = () =>
  w.events("FailedScheduling").filter((e) => e.involved.startsWith("arm") && e.component !== "default-scheduler");

test("one FailedScheduling write per pod and explanation per 5 minutes, however often the provisioner runs", async () => {
  w.create(deployment("arm", 1, { cpu: "1", memory: "1Gi" }, { nodeSelector: { "kubernetes.io/arch": "arm64" } }));
  await w.runUntil(() => ours().length > 0, "the first FailedScheduling");
  assert.equal(ours()[0]?.count, 1);
  // Twenty more runs within the 5 minutes: no write.
  for (let run = 0; run < 20; run++) {
    await w.provisioner.provision();
    await w.runFor(10_000);
  }
  assert.deepEqual(
    ours().map((e) => e.count),
    [1],
  );
  // Past the 5 minutes, the next run writes it again (the correlator's de-duplication bumps the count).
  await w.runFor(5 * 60_000 - 200_000);
  await w.provisioner.provision();
  await w.settle();
  assert.deepEqual(
    ours().map((e) => e.count),
    [2],
  );
});

test("a changed explanation is written at once", async () => {
  w.create(
    nodePool("capped", [{ key: "kubernetes.io/arch", operator: "In", values: ["arm64"] }], { limits: { cpu: "0" } }),
  );
  await w.settle();
  await w.provisioner.provision();
  await w.settle();
  const messages = ours().map((e) => e.message);
  assert.equal(messages.length, 2, messages.join("\n"));
  assert.ok(
    messages.some((m) => /pool capped: limits\.cpu would be exceeded/.test(m)),
    messages.join("\n"),
  );
});
