// A NodePool annotated `poolkeeper.dev/disruption: dry-run` in the simulated world, on the virtual clock, with the
// disruption loop running beside provisioning, the NodeClaim lifecycle and termination (the AWS provider over the
// SDK and HTTP to the simulated EC2): its empty node is reported as what would be done — a `consolidated` status
// event saying "dry run: would delete …" once, and a DisruptionDryRun Event on the Node and the NodePool — and left
// alone: no taint, no DisruptionReason, its NodeClaim, Node and instance still there two minutes later. When Git
// takes the annotation away the same node is removed, and the metrics count that decision (and not the dry run).
// Expected values come from the world's objects and Karpenter's metric names and label values (karpenter.sh's
// metrics reference: decision `delete`, reason `empty`, allowed disruptions ceil(10 % × 1) = 1 under the default
// budget).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { NodePool } from "../../../api/index.ts";
import { createDisruptionMetrics } from "../../../controller/disruption/index.ts";
import { deployment, NODE_CLASS, nodePool } from "../../support/provisioning-world.ts";
import type { KubeObject } from "../../../sim/index.ts";
import { conditionTrue, type DisruptionWorld, startDisruptionWorld } from "../../support/disruption-world.ts";

function pool(annotations: Record<string, string>): NodePool {
  const p = nodePool("default", [
    { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.xlarge"] },
    { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
  ]);
  return {
    ...p,
    metadata: { ...p.metadata, annotations },
    spec: { ...p.spec, disruption: { consolidationPolicy: "WhenEmpty", consolidateAfter: "0s" } },
  };
}

function scale(d: DisruptionWorld, replicas: number): void {
  const kind = d.w.world.kind("apps", "v1", "deployments");
  const current = d.w.world.store.get(kind, "default", "app");
  d.w.world.store.update(kind, "default", "app", { ...current, spec: { ...(current.spec as object), replicas } });
}

const taints = (node: KubeObject | undefined) =>
  ((node?.spec as { taints?: { key: string }[] })?.taints ?? []).map((t) => t.key);

async function metric(d: DisruptionWorld, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const found = (await d.w.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value;
}

test("a pool annotated poolkeeper.dev/disruption: dry-run reports what would be done and does nothing", async () => {
  const d = await startDisruptionWorld();
  try {
    d.w.create(NODE_CLASS, pool({ "poolkeeper.dev/disruption": "dry-run" }));
    d.w.create(deployment("app", 1, { cpu: "1", memory: "1Gi" }));
    await d.runUntil(
      () => d.nodeClaims().length === 1 && conditionTrue(d.nodeClaims()[0] ?? {}, "Initialized"),
      "one NodeClaim initialized",
      10 * 60_000,
    );
    const claim = d.nodeClaims()[0]?.metadata?.name ?? "";
    const node = (d.nodeClaims()[0]?.status as { nodeName?: string }).nodeName ?? "";
    scale(d, 0);
    d.startDisruption({ metrics: createDisruptionMetrics(d.w.registry) });
    await d.runUntil(() => d.status.some((e) => e.kind === "consolidated"), "the would-be command reported", 60_000);
    // Two minutes of passes: the command is planned every 10 s, reported once, never carried out.
    await d.runFor(2 * 60_000, 5_000);
    assert.deepEqual(
      d.status.filter((e) => e.kind === "consolidated").map((e) => [e.pool, e.node, e.reason]),
      [["default", node, `dry run: would delete 1 empty node (${node}): saves $0.192/h`]],
    );
    const dryRunEvents = d.w.events("DisruptionDryRun");
    assert.deepEqual(dryRunEvents.map((e) => e.involved).sort(), ["default", node].sort());
    assert.equal(dryRunEvents[0]?.message, `would delete 1 empty node (${node}): saves $0.192/h`);
    assert.deepEqual(
      d.nodeClaims().map((c) => [c.metadata?.name, c.metadata?.deletionTimestamp]),
      [[claim, undefined]],
    );
    assert.ok(!conditionTrue(d.nodeClaims()[0] ?? {}, "DisruptionReason"), "no DisruptionReason set");
    assert.deepEqual(taints(d.nodes().find((n) => n.metadata?.name === node)), [], "the node is not tainted");
    assert.equal(d.w.world.cloud.instances().filter((i) => d.w.world.cloud.stateOf(i) === "running").length, 1);
    assert.equal(await metric(d, "poolkeeper_voluntary_disruption_eligible_nodes", { reason: "empty" }), 1);
    assert.equal(
      await metric(d, "poolkeeper_nodepools_allowed_disruptions", { nodepool: "default", reason: "empty" }),
      1,
    );
    assert.equal(await metric(d, "poolkeeper_voluntary_disruption_decisions_total", { reason: "empty" }), undefined);

    // Git takes the annotation away: the same node goes, and that decision is counted.
    const kind = d.w.world.kind("karpenter.sh", "v1", "nodepools");
    const current = d.w.world.store.get(kind, undefined, "default");
    d.w.world.store.update(kind, undefined, "default", {
      ...current,
      metadata: { ...(current.metadata as object), annotations: {} },
    });
    await d.runUntil(() => d.nodeClaims().length === 0, "the empty node removed", 10 * 60_000);
    assert.deepEqual(
      d.status.filter((e) => e.kind === "consolidated").map((e) => e.reason),
      [`dry run: would delete 1 empty node (${node}): saves $0.192/h`, `delete 1 empty node (${node}): saves $0.192/h`],
    );
    assert.equal(
      await metric(d, "poolkeeper_voluntary_disruption_decisions_total", {
        decision: "delete",
        reason: "empty",
        consolidation_type: "",
      }),
      1,
    );
    assert.equal(
      await metric(d, "poolkeeper_voluntary_disruption_decisions_by_nodepool_total", {
        nodepool: "default",
        decision: "delete",
        reason: "empty",
      }),
      1,
    );
  } finally {
    await d.stop();
  }
});
