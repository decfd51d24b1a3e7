// Pods that wait for a NodePool: applied before their pool exists (a GitOps sync that applies workloads and pools in
// any order), or held by a pool's limits. The pool's creation, or a change of its spec, opens a batch: Karpenter
// gets there by requeueing every provisionable pod every 10 s (provisioning/controller.go); here the change is the
// trigger. No other event happens meanwhile — no pod, node or NodeClaim changes — so only the pool can start it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { NodePool } from "../../../api/index.ts";
import {
  deployment,
  NODE_CLASS,
  nodePool,
  ON_DEMAND_M5_LARGE,
  type ProvisioningWorld,
  startProvisioningWorld,
} from "../../support/provisioning-world.ts";

let w: ProvisioningWorld;
before(async () => {
  w = await startProvisioningWorld();
  w.create(NODE_CLASS);
});
after(() => w.stop());

const claims = () => w.list("karpenter.sh/v1", "NodeClaim");

test("pods pending before their NodePool exists get a node once it is created", async () => {
  w.create(deployment("early", 2, { cpu: "500m", memory: "256Mi" }));
  // Minutes of simulated time with nowhere to go: the batch ran and found no pool.
  await w.runFor(3 * 60_000, 10_000);
  assert.equal(claims().length, 0, "no pool, no NodeClaim");
  assert.equal(w.pods("early").length, 2);
  w.create(nodePool("default", ON_DEMAND_M5_LARGE));
  await w.runUntil(() => claims().length === 1, "a NodeClaim for the early pods", 60_000);
  assert.equal(
    (claims()[0]?.metadata?.labels as Record<string, string> | undefined)?.["karpenter.sh/nodepool"],
    "default",
  );
});

test("pods held by a pool's limits get a node once the limits are raised", async () => {
  const pool: NodePool = nodePool("capped", ON_DEMAND_M5_LARGE, { limits: { cpu: "0" } });
  pool.spec.template.metadata = { labels: { tier: "capped" } };
  w.create(pool);
  w.create(deployment("held", 1, { cpu: "500m", memory: "256Mi" }, { nodeSelector: { tier: "capped" } }));
  await w.runFor(3 * 60_000, 10_000);
  const inCapped = () =>
    claims().filter(
      (c) => (c.metadata?.labels as Record<string, string> | undefined)?.["karpenter.sh/nodepool"] === "capped",
    );
  assert.equal(inCapped().length, 0, "limits.cpu 0 leaves no room");
  const stored = w
    .list("karpenter.sh/v1", "NodePool")
    .find((p) => p.metadata?.name === "capped") as unknown as NodePool;
  stored.spec.limits = { cpu: "100" };
  w.world.store.update(
    w.world.kind("karpenter.sh", "v1", "nodepools"),
    undefined,
    "capped",
    structuredClone(stored) as never,
  );
  await w.runUntil(() => inCapped().length === 1, "a NodeClaim in the raised pool", 60_000);
});
