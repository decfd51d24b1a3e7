// A NodePool's limits reached, with provisioning over the real adapters: the Cluster port is adapters/kube's
// client-node informers and writes over HTTPS to the simulated API server (the AWS provider goes over HTTP as in
// every scenario). The pool may have 4 CPUs; six 1-CPU pods fill one m5.xlarge (3,920m allocatable: three pods)
// and the other three stay pending, each with a FailedScheduling event in the explanation's words. Expected
// values: the limit as written, m5.xlarge's 4 vCPUs (the catalog), the bindings the world's scheduler made. The
// status report gets the still-pending pods with the same explanation, once per batch that changed what it says.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Registry } from "prom-client";
import { KubeCluster, loadKubeConfig } from "../../../adapters/kube/index.ts";
import {
  deployment,
  NODE_CLASS,
  nodeNameOf,
  nodePool,
  type ProvisioningWorld,
  startProvisioningWorld,
} from "../../support/provisioning-world.ts";

let w: ProvisioningWorld;
before(async () => {
  w = await startProvisioningWorld({
    cluster: async (world) => {
      const served = await world.serve();
      const dir = mkdtempSync(join(tmpdir(), "poolkeeper-limits-"));
      const kubeconfig = join(dir, "kubeconfig");
      writeFileSync(kubeconfig, served.kube.kubeconfig());
      const cluster = new KubeCluster({
        kubeConfig: loadKubeConfig({ kubeconfig }),
        clock: world.clock,
        registry: new Registry(),
        resyncPeriodMs: 0,
        // Waits of the client's rate limit are on the fake clock, which moves only between settles.
        rateLimit: { qps: 100_000, burst: 100_000 },
      });
      await cluster.start();
      return {
        cluster,
        close: async () => {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  });
  w.create(
    NODE_CLASS,
    nodePool(
      "capped",
      [
        { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.xlarge"] },
        { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
      ],
      { limits: { cpu: "4" } },
    ),
  );
  w.create(deployment("app", 6, { cpu: "1", memory: "1Gi" }));
  await w.runUntil(() => w.pods("app").filter((p) => nodeNameOf(p)).length === 3, "three pods bound", 5 * 60_000);
  await w.runFor(2 * 60_000, 5_000);
});
after(() => w.stop());

test("one node within the limit; three pods bound to it and three left pending", () => {
  const claims = w.list("karpenter.sh/v1", "NodeClaim");
  assert.equal(claims.length, 1);
  const bound = w.pods("app").filter((p) => nodeNameOf(p));
  assert.equal(bound.length, 3);
  assert.equal(new Set(bound.map(nodeNameOf)).size, 1);
});

test("each pending pod has a FailedScheduling event naming the limit, what is used and what is needed", () => {
  const pending = w.pods("app").filter((p) => !nodeNameOf(p));
  assert.equal(pending.length, 3);
  for (const pod of pending) {
    const events = w
      .events("FailedScheduling", String(pod.metadata?.name))
      .filter((e) => e.message.startsWith("Failed to"));
    assert.equal(events.length, 1, `one poolkeeper FailedScheduling event for ${pod.metadata?.name}`);
    assert.equal(
      events[0]?.message,
      "Failed to schedule pod, pool capped: limits.cpu would be exceeded (4 of 4 used, the smallest fitting type needs 4)",
    );
  }
});

test("the status report has the still-pending pods with the same explanation, in the pool's section", () => {
  const pending = w.pods("app").filter((p) => !nodeNameOf(p));
  const last = w.pending.at(-1) ?? assert.fail("no pending status event");
  assert.equal(last.pool, "capped");
  assert.match(last.reason, /^3 pods still pending — /);
  for (const pod of pending) assert.ok(last.reason.includes(`default/${pod.metadata?.name}`), "each pending pod named");
  assert.ok(
    last.reason.endsWith(
      ": pool capped: limits.cpu would be exceeded (4 of 4 used, the smallest fitting type needs 4)",
    ),
    last.reason,
  );
  // One event per batch and none that repeats the one before it.
  assert.ok(w.pending.every((e, i) => i === 0 || e.reason !== w.pending[i - 1]?.reason));
});

test("metrics: each scheduling run timed, the three pods counted unschedulable", async () => {
  const duration = await w.metrics.schedulingDuration.get();
  const count = duration.values.find(
    (v) => v.metricName === "poolkeeper_provisioning_scheduling_duration_seconds_count",
  );
  assert.ok((count?.value ?? 0) > 0, "at least one run observed");
  assert.equal((await w.metrics.podsUnschedulable.get()).values[0]?.value, 3);
});
