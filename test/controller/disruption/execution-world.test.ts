// Carrying a consolidation out in the simulated world, on the virtual clock, with the disruption loop beside
// provisioning, the NodeClaim lifecycle and termination (the AWS provider over the SDK and HTTP to the simulated
// EC2). An under-used m5.2xlarge is to be replaced by one m5.xlarge: (1) when EC2 has no m5.xlarge capacity, the
// replacement's launch fails and the command rolls back cleanly — the replacement gone, the old node untainted, its
// NodeClaim without DisruptionReason or command annotations, its pods where they were, the rollback in the status
// report; (2) when the controller stops while the replacement is initializing, a new controller's first pass
// finishes the command — nothing is left half-done across a restart; (3) when a node being deleted still holds pods
// that need room, the under-used node is kept. Expected values come from the world (its
// NodeClaims, Nodes, instances, bindings) and the catalog (m5.xlarge $0.192/h against m5.2xlarge $0.384/h).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { NodePool } from "../../../api/index.ts";
import type { KubeObject } from "../../../sim/index.ts";
import { deployment, NODE_CLASS, nodeNameOf, nodePool } from "../../support/provisioning-world.ts";
import { conditionTrue, type DisruptionWorld, startDisruptionWorld } from "../../support/disruption-world.ts";

function pool(types: string[]): NodePool {
  const p = nodePool("default", [
    { key: "node.kubernetes.io/instance-type", operator: "In", values: types },
    { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
  ]);
  return {
    ...p,
    spec: { ...p.spec, disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "0s" } },
  };
}

const instanceTypeOf = (o: KubeObject | undefined) =>
  (o?.metadata?.labels as Record<string, string> | undefined)?.["node.kubernetes.io/instance-type"];
const nodeNameOfClaim = (c: KubeObject | undefined) => (c?.status as { nodeName?: string } | undefined)?.nodeName;
const taintKeys = (n: KubeObject | undefined) =>
  ((n?.spec as { taints?: { key: string }[] } | undefined)?.taints ?? []).map((t) => t.key);

/** Three 1-CPU pods on one m5.2xlarge; then Git allows m5.xlarge, which holds them at half the price. */
async function oversized(d: DisruptionWorld): Promise<{ claim: string; node: string }> {
  d.w.create(NODE_CLASS, pool(["m5.2xlarge"]));
  d.w.create(deployment("app", 3, { cpu: "1", memory: "1Gi" }));
  await d.runUntil(
    () =>
      d.w.pods("app").length === 3 &&
      d.w.pods("app").every((p) => nodeNameOf(p) !== undefined) &&
      d.nodeClaims().length === 1 &&
      conditionTrue(d.nodeClaims()[0] ?? {}, "Initialized"),
    "the pods bound to one initialized m5.2xlarge",
    10 * 60_000,
  );
  assert.equal(instanceTypeOf(d.nodeClaims()[0]), "m5.2xlarge");
  const kind = d.w.world.kind("karpenter.sh", "v1", "nodepools");
  const current = d.w.world.store.get(kind, undefined, "default");
  d.w.world.store.update(kind, undefined, "default", {
    ...current,
    spec: structuredClone(pool(["m5.xlarge", "m5.2xlarge"]).spec),
  });
  return { claim: String(d.nodeClaims()[0]?.metadata?.name ?? ""), node: nodeNameOfClaim(d.nodeClaims()[0]) ?? "" };
}

test("a replacement whose launch fails rolls the command back cleanly", async () => {
  const d = await startDisruptionWorld();
  try {
    const { claim, node } = await oversized(d);
    for (const zone of d.w.world.cloud.scenario.zones) {
      d.w.world.cloud.capacity.outOfCapacity({ instanceType: "m5.xlarge", zone: zone.name });
    }
    d.startDisruption();
    await d.runUntil(
      () => d.status.some((e) => e.kind === "disruption-blocked" && /^rolled back: /.test(e.reason)),
      "the command rolled back",
      15 * 60_000,
    );
    const rolledBack = d.status.find((e) => /^rolled back: /.test(e.reason));
    assert.equal(rolledBack?.node, node);
    assert.match(
      rolledBack?.reason ?? "",
      /^rolled back: replacement \S+ (failed to launch|was deleted before it initialized)/,
    );
    await d.runFor(30_000, 5_000);
    assert.deepEqual(
      d.nodeClaims().map((c) => [c.metadata?.name, c.metadata?.deletionTimestamp]),
      [[claim, undefined]],
      "only the old NodeClaim, not deleted",
    );
    const old = d.nodeClaims()[0];
    assert.ok(!conditionTrue(old ?? {}, "DisruptionReason"), "DisruptionReason removed");
    const annotations = (old?.metadata?.annotations ?? {}) as Record<string, string>;
    assert.equal(annotations["poolkeeper.dev/disruption-command"], undefined);
    assert.ok(!taintKeys(d.nodes().find((n) => n.metadata?.name === node)).includes("karpenter.sh/disrupted"));
    assert.ok(
      d.w.pods("app").every((p) => nodeNameOf(p) === node),
      "the pods stay where they were",
    );
    const running = d.w.world.cloud.instances().filter((i) => d.w.world.cloud.stateOf(i) === "running");
    assert.deepEqual(
      running.map((i) => i.instanceType),
      ["m5.2xlarge"],
    );
  } finally {
    await d.stop();
  }
});

test("a controller stopped while the replacement initializes: the next one finishes the command", async () => {
  const d = await startDisruptionWorld();
  try {
    const { claim, node } = await oversized(d);
    const first = d.startDisruption();
    // Until the replacement exists and the old node is tainted: the command is under way.
    await d.runUntil(
      () => d.nodeClaims().some((c) => c.metadata?.name !== claim),
      "the replacement created",
      5 * 60_000,
    );
    const replacement = d.nodeClaims().find((c) => c.metadata?.name !== claim)?.metadata?.name ?? "";
    assert.ok(!conditionTrue(d.nodeClaims().find((c) => c.metadata?.name === replacement) ?? {}, "Initialized"));
    assert.ok(taintKeys(d.nodes().find((n) => n.metadata?.name === node)).includes("karpenter.sh/disrupted"));
    await d.stopDisruption();
    assert.deepEqual(
      first.last?.results.map((r) => r.outcome),
      ["stopped"],
      "the first controller stopped at once, leaving the command",
    );
    assert.ok(taintKeys(d.nodes().find((n) => n.metadata?.name === node)).includes("karpenter.sh/disrupted"));
    const second = d.startDisruption();
    await d.runUntil(
      () => d.nodeClaims().length === 1 && d.nodeClaims()[0]?.metadata?.name === replacement,
      "the old NodeClaim gone and the replacement kept",
      15 * 60_000,
    );
    assert.equal(instanceTypeOf(d.nodeClaims()[0]), "m5.xlarge");
    assert.ok(conditionTrue(d.nodeClaims()[0] ?? {}, "Initialized"));
    const newNode = nodeNameOfClaim(d.nodeClaims()[0]);
    await d.runUntil(
      () => d.w.pods("app").length === 3 && d.w.pods("app").every((p) => nodeNameOf(p) === newNode),
      "the pods on the replacement",
      5 * 60_000,
    );
    const consolidated = d.status.filter((e) => e.kind === "consolidated");
    assert.equal(consolidated.length, 1, "reported once, by the controller that finished it");
    assert.equal(consolidated[0]?.node, node);
    assert.ok(second.last !== undefined);
    const running = d.w.world.cloud.instances().filter((i) => d.w.world.cloud.stateOf(i) === "running");
    assert.deepEqual(
      running.map((i) => i.instanceType),
      ["m5.xlarge"],
    );
  } finally {
    await d.stop();
  }
});

// Karpenter's SimulateScheduling places the pods of nodes being deleted with the candidates' (helpers.go,
// `deletingNodes.CurrentlyReschedulablePods`). A second node (an m5.xlarge) runs three 1-CPU pods that keep off the
// app's node (required anti-affinity) and is being deleted, its drain held by a PDB that allows no eviction now; the
// under-used m5.2xlarge's three pods alone would move to one m5.xlarge, but with the deleting node's three (which
// need a node apart from them) two new nodes would be needed: the node stays, and says why.
test("the pods of a node being deleted need room too: the under-used node is kept", async () => {
  const d = await startDisruptionWorld();
  try {
    const { claim, node } = await oversized(d);
    d.w.create(
      deployment(
        "held",
        3,
        { cpu: "1", memory: "1Gi" },
        {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: { app: "app" } }, topologyKey: "kubernetes.io/hostname" },
              ],
            },
          },
        },
      ),
    );
    await d.runUntil(
      () =>
        d.w.pods("held").length === 3 &&
        d.w.pods("held").every((p) => nodeNameOf(p) !== undefined && nodeNameOf(p) !== node) &&
        d.nodeClaims().every((c) => conditionTrue(c, "Initialized")),
      "the held pods on a node of their own",
      10 * 60_000,
    );
    const other = d.nodeClaims().find((c) => c.metadata?.name !== claim);
    assert.equal(
      d.nodeClaims().length,
      2,
      JSON.stringify(d.nodeClaims().map((c) => [c.metadata?.name, instanceTypeOf(c)])),
    );
    // Every node may go at once: what holds the under-used one is its simulation, not the budget.
    const pools = d.w.world.kind("karpenter.sh", "v1", "nodepools");
    const current = d.w.world.store.get(pools, undefined, "default");
    const spec = structuredClone(pool(["m5.xlarge", "m5.2xlarge"]).spec);
    spec.disruption = { ...spec.disruption, budgets: [{ nodes: "100%" }] } as typeof spec.disruption;
    d.w.world.store.update(pools, undefined, "default", { ...current, spec });
    d.createPdb("held", { app: "held" }, 3);
    await d.runFor(10_000, 5_000);
    const kind = d.w.world.kind("karpenter.sh", "v1", "nodeclaims");
    d.w.world.store.delete(kind, undefined, String(other?.metadata?.name ?? ""));
    d.startDisruption();
    await d.runUntil(
      () => d.status.some((e) => e.kind === "disruption-blocked" && e.node === node),
      "the under-used node held",
      5 * 60_000,
    );
    await d.runFor(2 * 60_000, 10_000);
    assert.match(
      d.status.find((e) => e.kind === "disruption-blocked" && e.node === node)?.reason ?? "",
      /cannot consolidate: its pods would need 2 new nodes/,
    );
    assert.equal(d.status.filter((e) => e.kind === "consolidated").length, 0, "no consolidation");
    const kept = d.nodeClaims().find((c) => c.metadata?.name === claim);
    assert.equal(kept?.metadata?.deletionTimestamp, undefined, "the under-used node stays");
    assert.ok(
      d.w.pods("held").every((p) => nodeNameOf(p) === nodeNameOfClaim(other)),
      "still held on the deleting node",
    );
  } finally {
    await d.stop();
  }
});
