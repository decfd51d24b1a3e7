// The disruption loop in the simulated world, on the virtual clock, started as `poolkeeper run` starts it, beside
// provisioning, the NodeClaim lifecycle and the termination controller (the AWS provider over the SDK and HTTP to
// the simulated EC2): an empty node is removed, its instance terminated; an under-used m5.2xlarge is replaced by one
// m5.xlarge the NodeClaim lifecycle launches; a `nodes: "0"` business-hours window holds an empty node (the reason in
// status) until it closes; an EC2NodeClass change drifts every node and each is replaced, with rollout progress
// commit by commit; an expired node whose pod a PDB protects is drained until terminationGracePeriod ends the wait.
// Expected values come from the world (its NodeClaims, Nodes, instances and bindings), the catalog's prices
// (m5.2xlarge $0.384/h, m5.xlarge $0.192/h), the times written in the NodePools, and Karpenter's rules as FACTS.md
// §b states them.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EC2NodeClass, NodePool } from "../../../api/index.ts";
import { disruptionLoop } from "../../../controller/disruption/index.ts";
import { deployment, NODE_CLASS, nodeNameOf, nodePool } from "../../support/provisioning-world.ts";
import type { KubeObject } from "../../../sim/index.ts";
import { conditionTrue, type DisruptionWorld, startDisruptionWorld } from "../../support/disruption-world.ts";

function pool(types: string[], disruption: Record<string, unknown>, template: Record<string, unknown> = {}): NodePool {
  const p = nodePool("default", [
    { key: "node.kubernetes.io/instance-type", operator: "In", values: types },
    { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
  ]);
  return {
    ...p,
    spec: {
      ...p.spec,
      template: { ...p.spec.template, spec: { ...p.spec.template.spec, ...template } },
      disruption: disruption as NodePool["spec"]["disruption"],
    },
  };
}

/** A change from Git, as `sync --apply` makes it: the object's spec replaced. */
function update(d: DisruptionWorld, group: string, plural: string, object: NodePool | EC2NodeClass): void {
  const kind = d.w.world.kind(group, "v1", plural);
  const name = object.metadata?.name ?? "";
  const current = d.w.world.store.get(kind, undefined, name);
  d.w.world.store.update(kind, undefined, name, { ...current, spec: structuredClone(object.spec) });
}

const labelOf = (o: KubeObject, key: string) => (o.metadata?.labels as Record<string, string> | undefined)?.[key];
const annotationOf = (o: KubeObject, key: string) =>
  (o.metadata?.annotations as Record<string, string> | undefined)?.[key];
const nodeNameOfClaim = (c: KubeObject | undefined) => (c?.status as { nodeName?: string } | undefined)?.nodeName;

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
    await d.runFor(60_000, 5_000);
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

test("consolidation replaces an under-used node with one cheaper node that the NodeClaim lifecycle launches", async () => {
  const d = await startDisruptionWorld();
  try {
    d.w.create(
      NODE_CLASS,
      pool(["m5.2xlarge"], { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "0s" }),
    );
    d.w.create(deployment("app", 3, { cpu: "1", memory: "1Gi" }));
    await provisioned(d, 3);
    assert.deepEqual(
      d.nodeClaims().map((c) => labelOf(c, "node.kubernetes.io/instance-type")),
      ["m5.2xlarge"],
    );
    const old = d.nodeClaims()[0]?.metadata?.name;
    // Git now allows the smaller type: three 1-CPU pods fit one m5.xlarge (3,920m allocatable) at half the price.
    update(
      d,
      "karpenter.sh",
      "nodepools",
      pool(["m5.xlarge", "m5.2xlarge"], { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "0s" }),
    );
    d.startDisruption();
    await d.runUntil(
      () =>
        d.nodeClaims().length === 1 &&
        d.nodeClaims()[0]?.metadata?.name !== old &&
        d.w.pods("app").length === 3 &&
        d.w.pods("app").every((p) => nodeNameOf(p) === nodeNameOfClaim(d.nodeClaims()[0])),
      "the m5.2xlarge replaced and the pods on its replacement",
      15 * 60_000,
    );
    const [replacement] = d.nodeClaims();
    assert.ok(replacement);
    assert.equal(labelOf(replacement, "node.kubernetes.io/instance-type"), "m5.xlarge");
    assert.ok(conditionTrue(replacement, "Launched") && conditionTrue(replacement, "Initialized"));
    assert.ok((replacement.status as { providerID?: string }).providerID?.startsWith("aws:///"));
    assert.equal(running(d).length, 1);
    assert.equal(running(d)[0]?.instanceType, "m5.xlarge");
    const actions = d.status.filter((e) => e.kind === "consolidated");
    assert.equal(actions.length, 1);
    assert.match(
      actions[0]?.reason ?? "",
      /^replace .*m5\.2xlarge.* with one m5\.xlarge .*moves 3 pods, saves \$0\.192\/h/,
    );
  } finally {
    await d.stop();
  }
});

test("a nodes: 0 business-hours window holds an empty node, with the reason in status, until it closes", async () => {
  const d = await startDisruptionWorld();
  try {
    // The world starts on Monday 2026-03-02 at 09:00 UTC: inside the window 0 9 * * 1-5 for 15m, until 09:15 (a
    // short duration, so the test sees it close without simulating a business day).
    const budgets = [{ nodes: "0", schedule: "0 9 * * 1-5", duration: "15m" }];
    d.w.create(NODE_CLASS, pool(["m5.xlarge"], { consolidationPolicy: "WhenEmpty", consolidateAfter: "0s", budgets }));
    d.w.create(deployment("app", 1, { cpu: "1", memory: "1Gi" }));
    await provisioned(d, 1);
    const nodeName = nodeNameOfClaim(d.nodeClaims()[0]);
    scale(d, 0);
    d.startDisruption();
    await d.runUntil(() => d.status.some((e) => e.kind === "disruption-blocked"), "the node reported blocked", 60_000);
    const blocked = d.status.filter((e) => e.kind === "disruption-blocked");
    assert.equal(blocked.length, 1);
    assert.equal(blocked[0]?.node, nodeName);
    assert.match(blocked[0]?.reason ?? "", /nodes: 0.*0 9 \* \* 1-5 for 15m.*active until 09:15 UTC/);
    await d.runUntil(
      () => d.w.clock.now().getTime() >= Date.parse("2026-03-02T09:14:55Z"),
      "09:14:55",
      20 * 60_000,
      5_000,
    );
    assert.equal(d.nodeClaims().length, 1, "held by the budget until the window closes");
    await d.runUntil(() => d.nodeClaims().length === 0, "the node removed after 09:15", 10 * 60_000);
    assert.deepEqual(
      d.status.filter((e) => e.kind === "consolidated").map((e) => e.node),
      [nodeName],
    );
  } finally {
    await d.stop();
  }
});

test("an EC2NodeClass change drifts every node; each is replaced, with rollout progress commit by commit", async () => {
  const d = await startDisruptionWorld();
  try {
    d.w.create(
      NODE_CLASS,
      pool(["m5.xlarge"], { consolidationPolicy: "WhenEmpty", consolidateAfter: "0s", budgets: [{ nodes: "100%" }] }),
    );
    // 3-CPU pods: one per m5.xlarge.
    d.w.create(deployment("app", 2, { cpu: "3", memory: "1Gi" }));
    await provisioned(d, 2);
    const before = d.nodeClaims().map((c) => c.metadata?.name);
    assert.equal(before.length, 2);
    let commit = "c1000000";
    // What each pass hands the status files' drift column: drifted nodes of the pool's total, pass by pass.
    const drift: string[] = [];
    const onRollout = (rollout: readonly { nodePool: string; current: number; total: number }[]) => {
      const seen = rollout.map((p) => `${p.nodePool}: ${p.total - p.current} of ${p.total} drifted`).join(", ");
      if (drift.at(-1) !== seen) drift.push(seen);
    };
    d.startDisruption({ commit: () => commit, onRollout });
    await d.runFor(30_000, 5_000);
    assert.deepEqual(
      d.nodeClaims().map((c) => c.metadata?.name),
      before,
      "nothing drifted yet",
    );
    // A Git commit changes the EC2NodeClass (its tags: the static hash Karpenter's provider compares).
    commit = "c2000000";
    update(d, "karpenter.k8s.aws", "ec2nodeclasses", {
      ...NODE_CLASS,
      spec: { ...NODE_CLASS.spec, tags: { team: "payments" } },
    } as EC2NodeClass);
    await d.runUntil(
      () =>
        d.nodeClaims().length === 2 &&
        d.nodeClaims().every((c) => !before.includes(c.metadata?.name) && conditionTrue(c, "Initialized")) &&
        d.w.pods("app").every((p) => nodeNameOf(p) !== undefined),
      "both nodes replaced",
      30 * 60_000,
    );
    for (const claim of d.nodeClaims()) assert.equal(annotationOf(claim, "poolkeeper.dev/source-commit"), commit);
    const drifted = d.status.filter((e) => e.kind === "drifted");
    assert.equal(drifted.length, 2, "one command per drifted node");
    const rollout = d.status.filter((e) => e.kind === "rollout" && e.sourceSha === "c2000000").map((e) => e.reason);
    assert.deepEqual(rollout.slice(0, 1), ["0 of 2 nodes on the current template at c200000 (by commit unknown: 2)"]);
    assert.ok(rollout.includes("1 of 2 nodes on the current template at c200000 (by commit c200000: 1, unknown: 1)"));
    assert.equal(rollout.at(-1), "2 of 2 nodes on the current template at c200000 (by commit c200000: 2)");
    const nodePool = d.w.list("karpenter.sh/v1", "NodePool")[0];
    assert.ok(nodePool && conditionTrue(nodePool, "RolledOut"));
    // None drifted, both once the EC2NodeClass changed, then one fewer with each replacement (a replacement's node
    // counts from its launch; the drifted one it replaces stops counting once it is being deleted).
    assert.equal(drift[0], "default: 0 of 2 drifted");
    assert.ok(drift.includes("default: 2 of 2 drifted"), drift.join("; "));
    assert.equal(drift.at(-1), "default: 0 of 2 drifted");
  } finally {
    await d.stop();
  }
});

test("an expired node whose pod a PDB protects is drained until terminationGracePeriod ends the wait", async () => {
  const d = await startDisruptionWorld();
  try {
    d.w.create(
      NODE_CLASS,
      pool(
        ["m5.xlarge"],
        { consolidationPolicy: "WhenEmpty", consolidateAfter: "Never" },
        {
          expireAfter: "5m",
          terminationGracePeriod: "3m",
        },
      ),
    );
    d.w.create(deployment("app", 1, { cpu: "1", memory: "1Gi" }));
    d.createPdb("app", { app: "app" }, 1);
    await provisioned(d, 1);
    const [claim] = d.nodeClaims();
    const name = claim?.metadata?.name ?? "";
    const node = nodeNameOfClaim(claim);
    const pod = d.w.pods("app")[0]?.metadata?.name;
    d.startDisruption();
    await d.runUntil(
      () => d.nodeClaims().some((c) => c.metadata?.name === name && c.metadata.deletionTimestamp),
      "expired",
      15 * 60_000,
      5_000,
    );
    const deletedAt = Date.parse(
      String(d.nodeClaims().find((c) => c.metadata?.name === name)?.metadata?.deletionTimestamp),
    );
    assert.deepEqual(
      d.status.filter((e) => e.kind === "expired").map((e) => e.node),
      [node],
    );
    // The PDB allows no eviction: the pod stays until the deadline (deletion + 3m) less its own 30 s grace period,
    // when Karpenter's drain deletes it so it still gets that grace before the deadline.
    const podOn = () => nodeNameOf(d.w.pods("app").find((p) => p.metadata?.name === pod) ?? {});
    await d.runUntil(() => d.w.clock.now().getTime() >= deletedAt + 140_000, "2m20s into the drain", 5 * 60_000, 5_000);
    assert.equal(podOn(), node, "the pod is still there");
    assert.ok(
      d.nodeClaims().some((c) => c.metadata?.name === name),
      "the NodeClaim is still draining",
    );
    await d.runUntil(() => podOn() !== node, "the protected pod gone", 5 * 60_000, 5_000);
    assert.ok(d.w.clock.now().getTime() >= deletedAt + 150_000, "not before the deadline less its grace period");
    await d.runUntil(() => !d.nodeClaims().some((c) => c.metadata?.name === name), "the NodeClaim gone", 5 * 60_000);
    assert.ok(d.w.clock.now().getTime() <= deletedAt + 240_000, "terminationGracePeriod ended the wait");
  } finally {
    await d.stop();
  }
});
