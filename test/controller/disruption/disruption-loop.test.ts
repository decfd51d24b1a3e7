// The disruption loop in the simulated world, on the virtual clock, started as `poolkeeper run` starts it, beside
// provisioning, the NodeClaim lifecycle and the termination controller (the AWS provider over the SDK and HTTP to
// the simulated EC2): an empty node is removed, its instance terminated. Expected values come from the world (its
// NodeClaims, Nodes, instances and bindings) and Karpenter's rules as FACTS.md §b states them.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { NodePool } from "../../../api/index.ts";
import { disruptionLoop } from "../../../controller/disruption/index.ts";
import { deployment, NODE_CLASS, nodeNameOf, nodePool } from "../../support/provisioning-world.ts";
import { conditionTrue, type DisruptionWorld, startDisruptionWorld } from "../../support/disruption-world.ts";

function pool(types: string[], disruption: Record<string, unknown>): NodePool {
  const p = nodePool("default", [
    { key: "node.kubernetes.io/instance-type", operator: "In", values: types },
    { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
  ]);
  return { ...p, spec: { ...p.spec, disruption: disruption as NodePool["spec"]["disruption"] } };
}

async function provisioned(d: DisruptionWorld, replicas: number): Promise<void> {
  await d.runUntil(
    () =>
      d.w.pods("app").length === replicas &&
      d.w.pods("app").every((p) => nodeNameOf(p) !== undefined) &&
      d.nodeClaims().length > 0 &&
      d.nodeClaims().every((c) => conditionTrue(c, "Initialized")),
    "the app's pods bound and every NodeClaim initialized",
    10 * 60_000,
  );
}

function scale(d: DisruptionWorld, replicas: number): void {
  const kind = d.w.world.kind("apps", "v1", "deployments");
  const current = d.w.world.store.get(kind, "default", "app");
  d.w.world.store.update(kind, "default", "app", { ...current, spec: { ...(current.spec as object), replicas } });
}

const running = (d: DisruptionWorld) =>
  d.w.world.cloud.instances().filter((i) => d.w.world.cloud.stateOf(i) === "running");

test("an empty node is removed: its NodeClaim deleted through termination, its instance terminated", async () => {
  const d = await startDisruptionWorld();
  try {
    d.w.create(NODE_CLASS, pool(["m5.xlarge"], { consolidationPolicy: "WhenEmpty", consolidateAfter: "30s" }));
    d.w.create(deployment("app", 2, { cpu: "1", memory: "1Gi" }));
    await provisioned(d, 2);
    const [claim] = d.nodeClaims();
    const claimName = claim?.metadata?.name ?? "";
    const nodeName = (claim?.status as { nodeName?: string }).nodeName ?? "";
    assert.equal(d.nodeClaims().length, 1, "two 1-CPU pods fit one m5.xlarge");
    // The run program's entry is the same loop over the same controller.
    assert.equal(
      disruptionLoop({ cluster: d.w.cluster, cloudProvider: d.w.provider, clock: d.w.clock }).name,
      "disruption",
    );
    d.startDisruption();
    // Not empty: nothing to do, and why is reported.
    await d.runFor(60_000);
    assert.equal(d.nodeClaims().length, 1);
    assert.deepEqual(
      d.status.filter((e) => e.kind === "disruption-blocked").map((e) => [e.node, e.reason]),
      [[nodeName, "NodePool default consolidates only empty nodes (WhenEmpty)"]],
    );
    scale(d, 0);
    await d.runUntil(
      () => d.nodeClaims().length === 0 && d.nodes().length === 0 && running(d).length === 0,
      "the empty node gone",
      10 * 60_000,
    );
    const actions = d.status.filter((e) => e.kind === "consolidated");
    assert.deepEqual(
      actions.map((e) => [e.pool, e.node]),
      [["default", nodeName]],
    );
    assert.match(actions[0]?.reason ?? "", /empty/i);
    assert.ok(
      d.w.world.cloud.instances().every((i) => d.w.world.cloud.stateOf(i) !== "running"),
      `instance of ${claimName} terminated`,
    );
  } finally {
    await d.stop();
  }
});
