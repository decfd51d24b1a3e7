// adapters/kube as it runs in a pod: the in-cluster configuration (a ServiceAccount token file and CA, the
// KUBERNETES_SERVICE_HOST / PORT variables) against the simulated cluster, whose authorizer is RBAC's, with exactly
// the RBAC that docs/adapters.md gives (applied by the real kubectl, the token made by `kubectl create token`):
// every operation of the port succeeds with it, what it does not grant is refused, and an account without it
// cannot even start. Configuration mistakes are one sentence naming what is missing.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { KubeCluster, KubeConfigError, LeaderElector, loadKubeConfig } from "../../../adapters/kube/index.ts";
import type { KubeEvent } from "../../../api/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { kindOf, node, runPod } from "../../support/sim-world.ts";
import { startSimKube, type SimKube } from "../../support/sim-kube.ts";

const SERVICE_ACCOUNT_DIR = "var/run/secrets/kubernetes.io/serviceaccount";

function docsRbac(): string {
  const doc = readFileSync(new URL("../../../docs/adapters.md", import.meta.url), "utf8");
  const block = /<!-- rbac:begin -->\n```yaml\n([\s\S]*?)```\n<!-- rbac:end -->/.exec(doc);
  assert.ok(block?.[1], "docs/adapters.md has the RBAC block");
  return block[1];
}

describe("in-cluster configuration with the documented RBAC", () => {
  let sim: SimKube;
  let dir: string;
  const roots: Record<string, string> = {};

  before(async () => {
    sim = await startSimKube();
    dir = mkdtempSync(join(tmpdir(), "poolkeeper-in-cluster-"));
    const accounts =
      "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: poolkeeper, namespace: kube-system}\n---\n" +
      "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: nobody, namespace: kube-system}\n---\n";
    const applied = await sim.kubectl(["apply", "-f", "-"], { stdin: accounts + docsRbac() });
    assert.equal(applied.code, 0, applied.stderr);
    for (const account of ["poolkeeper", "nobody"]) {
      const token = await sim.kubectl(["create", "token", account, "-n", "kube-system"]);
      assert.equal(token.code, 0, token.stderr);
      const root = join(dir, account);
      mkdirSync(join(root, SERVICE_ACCOUNT_DIR), { recursive: true });
      writeFileSync(join(root, SERVICE_ACCOUNT_DIR, "token"), token.stdout.trim());
      writeFileSync(join(root, SERVICE_ACCOUNT_DIR, "ca.crt"), sim.server.ca);
      writeFileSync(join(root, SERVICE_ACCOUNT_DIR, "namespace"), "kube-system");
      roots[account] = root;
    }
  });

  after(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({ KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(sim.server.port) });

  test("the ServiceAccount with the documented roles can do everything the port does", async () => {
    const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
    const kubeConfig = loadKubeConfig({ inCluster: true, root: roots.poolkeeper as string, env: env() });
    // No resync: the only timer on the clock is then the elector's next try.
    const cluster = new KubeCluster({ kubeConfig, clock, resyncPeriodMs: 0 });
    const { store } = sim.server;
    try {
      await cluster.start();
      await cluster.create("nodes", node("ip-10-0-9-9.ec2.internal") as never);
      await cluster.cordon("ip-10-0-9-9.ec2.internal");
      await cluster.taint("ip-10-0-9-9.ec2.internal", { key: "karpenter.sh/disrupted", effect: "NoSchedule" });
      await cluster.addFinalizer("nodes", { name: "ip-10-0-9-9.ec2.internal" }, "karpenter.sh/termination");
      const pod = store.create(kindOf(store, "", "v1", "pods"), "default", {
        metadata: { name: "web" },
        spec: { containers: [{ name: "c", image: "nginx" }] },
      });
      runPod(store, pod, "ip-10-0-9-9.ec2.internal");
      assert.deepEqual(await cluster.evict({ namespace: "default", name: "web" }), { outcome: "evicted" });
      const involved = { apiVersion: "v1", kind: "Node", name: "ip-10-0-9-9.ec2.internal" };
      await cluster.recordEvent({ involved, type: "Normal", reason: "DisruptionBlocked", message: "blocked" });
      await cluster.recordEvent({ involved, type: "Normal", reason: "DisruptionBlocked", message: "blocked" });
      const events = store.list(kindOf(store, "", "v1", "events"), { namespace: "default" })
        .items as unknown as KubeEvent[];
      assert.deepEqual(
        events.map((e) => [e.reason, e.count]),
        [["DisruptionBlocked", 2]],
      );
      assert.equal((await cluster.delete("nodes", { name: "ip-10-0-9-9.ec2.internal" })).outcome, "finalizing");
      await cluster.removeFinalizer("nodes", { name: "ip-10-0-9-9.ec2.internal" }, "karpenter.sh/termination");
      const elector = new LeaderElector(cluster, {
        namespace: "kube-system",
        name: "poolkeeper-leader-election",
        identity: "poolkeeper-0",
        clock,
      });
      elector.start();
      await clock.untilPending(1);
      assert.equal(elector.isLeader, true);
      clock.step(2000);
      await clock.untilPending(1);
      const lease = store.get(
        kindOf(store, "coordination.k8s.io", "v1", "leases"),
        "kube-system",
        "poolkeeper-leader-election",
      );
      assert.deepEqual(
        lease.spec,
        {
          holderIdentity: "poolkeeper-0",
          leaseDurationSeconds: 15,
          acquireTime: "2026-03-01T12:00:00.000000Z",
          renewTime: "2026-03-01T12:00:02.000000Z",
          leaseTransitions: 0,
        },
        "renewed: update is granted on the named lease",
      );
      await elector.stop();
      // What the roles do not grant is refused by the cluster's RBAC.
      await assert.rejects(
        cluster.delete("pods", { namespace: "default", name: "anything" }),
        (error: Error & { code?: number }) =>
          error.code === 403 &&
          error.message ===
            'pods "anything" is forbidden: User "system:serviceaccount:kube-system:poolkeeper" cannot delete resource "pods" in API group "" in the namespace "default"',
      );
    } finally {
      await cluster.stop();
    }
  });

  test("an account without the roles cannot start: the first list's 403, in the API server's words", async () => {
    const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
    const kubeConfig = loadKubeConfig({ inCluster: true, root: roots.nobody as string, env: env() });
    const cluster = new KubeCluster({ kubeConfig, clock });
    try {
      await assert.rejects(cluster.start(["nodes"]), {
        message:
          'nodes is forbidden: User "system:serviceaccount:kube-system:nobody" cannot list resource "nodes" in API group "" at the cluster scope',
      });
    } finally {
      await cluster.stop();
    }
  });

  test("configuration mistakes name what is missing", () => {
    assert.throws(() => loadKubeConfig({ inCluster: true, root: roots.poolkeeper as string, env: {} }), {
      name: "KubeConfigError",
      message: "in-cluster configuration: KUBERNETES_SERVICE_HOST is not set (not running in a pod?)",
    });
    const empty = join(dir, "empty");
    assert.throws(() => loadKubeConfig({ inCluster: true, root: empty, env: env() }), {
      message: `in-cluster configuration: ${empty}/${SERVICE_ACCOUNT_DIR}/token: no such file`,
    });
    assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, "absent") }), KubeConfigError);
    assert.throws(() => loadKubeConfig({ kubeconfig: sim.kubeconfig, context: "prod" }), {
      message: `kubeconfig ${sim.kubeconfig}: no context named "prod"`,
    });
  });
});
