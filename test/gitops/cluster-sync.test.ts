// Git → cluster end to end: a real Git server, the gate, and the simulated API server over HTTPS through the real
// adapter (adapters/kube), with the real kubectl as the out-of-band editor and as the independent reader of what
// the cluster holds. One story, step by step: a commit's pools are applied; Karpenter's annotations, finalizer and
// status survive every apply; a rejected commit leaves the last good pools; `kubectl edit` of a pool's limits is
// reported as drift (status branch, a Kubernetes Event, a metric) and reverted; a pool removed from Git is reported
// and left, pruned once opted in; an EC2NodeClass a NodePool still names is never pruned.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { KubeCluster, loadKubeConfig } from "../../adapters/kube/index.ts";
import { createClusterSyncMetrics } from "../../gitops/cluster-metrics.ts";
import { CLUSTER_SYNC_RESOURCES, ClusterSync, type ClusterSyncResult } from "../../gitops/cluster-sync.ts";
import type { DesiredState } from "../../gitops/gate.ts";
import { createRegistry } from "../../runtime/index.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { startGitServer, type GitServer } from "../support/git-server.ts";
import { captureLog } from "../support/log-capture.ts";
import { createPoolRepo, gitCli, insecurePool, poolWithCpuLimit, type PoolRepo } from "../support/pool-repo.ts";
import { startSimKube, type SimKube } from "../support/sim-kube.ts";
import { STATUS_BRANCH, syncController, type SyncController } from "../support/sync-controller.ts";

/** The parts of a stored NodePool or EC2NodeClass the tests read. */
interface Stored {
  metadata: {
    annotations: Record<string, string>;
    finalizers?: string[];
    managedFields: { manager: string; operation: string }[];
  };
  spec: { limits: Record<string, string>; metadataOptions: { httpTokens: string } };
  status: { resources: Record<string, string> };
}

interface EventList {
  items: { reason: string; type: string; message: string; involvedObject: { kind: string } }[];
}

const AUTH = { username: "bot", password: "s3cret-Pa55word-apply" };
// kubectl edit runs $KUBE_EDITOR on the object's YAML through `sh -c` (it has arguments): a scripted edit.
const EDIT_CPU_TO_3000 = `sed -i -e 's/cpu: "2000"/cpu: "3000"/'`;

describe("Git → cluster: apply, drift, prune", () => {
  let git: GitServer;
  let kube: SimKube;
  let tmp: string;
  let repo: PoolRepo;
  let controller: SyncController;
  let cluster: KubeCluster;
  let clusterSync: ClusterSync;
  const registry = createRegistry({ processMetrics: false });
  const log = captureLog();

  before(async () => {
    git = await startGitServer({ auth: AUTH });
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-cluster-sync-"));
    process.env.KUBE_EDITOR = EDIT_CPU_TO_3000; // read by startSimKube into kubectl's environment
    const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));
    kube = await startSimKube({ clock });
    repo = await createPoolRepo(git, "pools", tmp, AUTH);
    controller = syncController({ url: repo.url, cacheDir: join(tmp, "cache"), credentials: AUTH, manual: true });
    cluster = new KubeCluster({
      kubeConfig: loadKubeConfig({ kubeconfig: kube.kubeconfig }),
      clock,
      resyncPeriodMs: 0,
    });
    await cluster.start(CLUSTER_SYNC_RESOURCES);
    clusterSync = new ClusterSync({
      cluster,
      publisher: controller.publisher,
      logger: log.logger,
      metrics: createClusterSyncMetrics(registry),
    });
  });
  after(async () => {
    delete process.env.KUBE_EDITOR;
    await cluster.stop();
    await controller.syncer.close();
    await kube.stop();
    await git.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Syncs Git and applies the last good state; returns what the apply did. */
  async function syncAndApply(): Promise<ClusterSyncResult & { accepted: boolean }> {
    const result = await controller.syncer.sync();
    assert.ok(result.desiredState, "a good state is in force");
    const applied = await clusterSync.reconcile(result.desiredState as DesiredState);
    return { ...applied, accepted: result.accepted };
  }

  async function kubectlJson<T = Stored>(...args: string[]): Promise<T> {
    const { code, stdout, stderr } = await kube.kubectl([...args, "-o", "json"]);
    assert.equal(code, 0, stderr);
    return JSON.parse(stdout) as T;
  }

  /** The status branch's event trailers, newest commit first, read with the git CLI. */
  async function statusEvents(): Promise<string[]> {
    await controller.publisher.flush();
    await gitCli(repo.work, "fetch", "--quiet", repo.pushUrl, `+${STATUS_BRANCH}:refs/remotes/check/${STATUS_BRANCH}`);
    const log = await gitCli(
      repo.work,
      "log",
      "--format=%(trailers:key=Poolkeeper-Event,valueonly)",
      `refs/remotes/check/${STATUS_BRANCH}`,
    );
    return log.split("\n").filter((l) => l.trim() !== "");
  }

  const batchPool = () =>
    repo
      .read("pools/default.yaml")
      .replaceAll("name: default", "name: batch")
      .replace(/cpu: "\d+"/, 'cpu: "64"');

  it("applies an accepted commit's NodePool and EC2NodeClass with poolkeeper as their field manager", async () => {
    const first = await syncAndApply();
    assert.deepEqual(first.created, ["EC2NodeClass/default", "NodePool/default"]);
    assert.deepEqual(first.failed, []);
    const pool = await kubectlJson("get", "nodepool", "default", "--show-managed-fields");
    assert.equal(pool.spec.limits.cpu, "1000");
    const managers = pool.metadata.managedFields.map((m) => `${m.manager}/${m.operation}`);
    assert.deepEqual(managers, ["poolkeeper/Apply"]);

    await repo.commit("pools: batch pool", { "pools/batch.yaml": batchPool() });
    await repo.push();
    const second = await syncAndApply();
    assert.deepEqual(second.created, ["EC2NodeClass/batch", "NodePool/batch"]);
    assert.deepEqual(second.updated, [], "the unchanged objects are not written again");
    const { stdout } = await kube.kubectl(["get", "nodepools", "-o", "name"]);
    assert.deepEqual(stdout.trim().split("\n").sort(), [
      "nodepool.karpenter.sh/batch",
      "nodepool.karpenter.sh/default",
    ]);
    const events = await statusEvents();
    assert.ok(events.includes("applied batch: created NodePool batch from Git"), events.join("\n"));
    assert.ok(events.includes("applied: created EC2NodeClass default from Git"), events.join("\n"));
  });

  it("keeps Karpenter's hash annotations, its finalizer and status through an apply that changes the pool", async () => {
    // What Karpenter writes on a NodePool, each with its own field manager (kubectl's).
    const annotate = await kube.kubectl([
      "annotate",
      "nodepool",
      "default",
      "karpenter.sh/nodepool-hash=6821555240594823858",
      "karpenter.sh/nodepool-hash-version=v3",
    ]);
    assert.equal(annotate.code, 0, annotate.stderr);
    const finalizer = await kube.kubectl([
      "patch",
      "nodepool",
      "default",
      "--type=merge",
      "-p",
      '{"metadata":{"finalizers":["karpenter.sh/termination"]}}',
    ]);
    assert.equal(finalizer.code, 0, finalizer.stderr);
    const status = await kube.kubectl([
      "patch",
      "nodepool",
      "default",
      "--subresource=status",
      "--type=merge",
      "-p",
      '{"status":{"resources":{"cpu":"4","nodes":"1"}}}',
    ]);
    assert.equal(status.code, 0, status.stderr);

    await repo.commit("pools: more cpu", { "pools/default.yaml": poolWithCpuLimit(repo, 2000) });
    await repo.push();
    const applied = await syncAndApply();
    assert.deepEqual(applied.updated, ["NodePool/default"]);
    assert.deepEqual(applied.reverted, [], "a change made in Git is not drift");

    const pool = await kubectlJson("get", "nodepool", "default");
    assert.equal(pool.spec.limits.cpu, "2000");
    assert.equal(pool.metadata.annotations["karpenter.sh/nodepool-hash"], "6821555240594823858");
    assert.equal(pool.metadata.annotations["karpenter.sh/nodepool-hash-version"], "v3");
    assert.deepEqual(pool.metadata.finalizers, ["karpenter.sh/termination"]);
    assert.deepEqual(pool.status.resources, { cpu: "4", nodes: "1" });
    assert.ok(
      (await statusEvents()).includes("applied default: applied NodePool default: spec.limits.cpu changed in Git"),
    );
  });

  it("keeps the last good pools in the cluster when a commit is rejected", async () => {
    await repo.commit("pools: allow IMDSv1", { "pools/default.yaml": insecurePool(repo) });
    await repo.push();
    const result = await syncAndApply();
    assert.equal(result.accepted, false);
    assert.deepEqual([...result.created, ...result.updated, ...result.reverted], []);
    const nodeClass = await kubectlJson("get", "ec2nodeclass", "default");
    assert.equal(nodeClass.spec.metadataOptions.httpTokens, "required");
    // Put the pool back as it was, so the rest of the story starts from a good head.
    await repo.commit("pools: IMDSv2 again", {
      "pools/default.yaml": poolWithCpuLimit(repo, 2000).replace("httpTokens: optional", "httpTokens: required"),
    });
    await repo.push();
    assert.equal((await syncAndApply()).accepted, true);
  });

  it("reports `kubectl edit` of a pool's limits as drift and reverts it at the next sync, once", async () => {
    const edit = await kube.kubectl(["edit", "nodepool", "default"]);
    assert.equal(edit.code, 0, edit.stderr);
    assert.equal((await kubectlJson("get", "nodepool", "default")).spec.limits.cpu, "3000", "the edit took");

    const from = log.lines.length;
    const result = await syncAndApply();
    assert.deepEqual(result.reverted, ["NodePool/default"]);
    const pool = await kubectlJson("get", "nodepool", "default");
    assert.equal(pool.spec.limits.cpu, "2000");
    assert.equal(pool.metadata.annotations["karpenter.sh/nodepool-hash"], "6821555240594823858");
    assert.deepEqual(pool.metadata.finalizers, ["karpenter.sh/termination"]);

    const reason =
      'NodePool default changed outside Git: spec.limits.cpu set to "3000" by kubectl-edit, Git says "2000"; reverted to Git';
    assert.ok((await statusEvents()).includes(`reverted default: ${reason}`));
    const events = await kubectlJson<EventList>("get", "events", "--field-selector", "involvedObject.name=default");
    const drift = events.items.filter((e) => e.reason === "DriftReverted");
    assert.deepEqual(
      drift.map((e) => [e.type, e.involvedObject.kind, e.message]),
      [["Warning", "NodePool", reason]],
    );
    const metrics = await registry.getSingleMetricAsString("poolkeeper_cluster_drift_total");
    assert.match(metrics, /^poolkeeper_cluster_drift_total\{kind="NodePool"\} 1$/m);
    assert.ok(log.lines.slice(from).some((l) => l.msg === "changed outside Git; reverting"));

    const again = await syncAndApply();
    assert.deepEqual([...again.reverted, ...again.updated], [], "nothing left to revert");
  });

  it("reports a pool removed from Git and leaves it, and never prunes a class a pool still names", async () => {
    await repo.commit("pools: retire batch", { "pools/batch.yaml": null });
    await repo.push();
    const result = await syncAndApply();
    assert.deepEqual(result.left, ["NodePool/batch", "EC2NodeClass/batch"]);
    assert.deepEqual(result.pruned, []);
    assert.equal((await kube.kubectl(["get", "nodepool", "batch"])).code, 0, "the pool is left in place");
    const events = await statusEvents();
    assert.ok(events.includes("removed batch: NodePool batch removed from Git; left in place (prune is off)"));
    assert.ok(
      events.includes(
        "removed: EC2NodeClass batch removed from Git; left in place: still referenced by NodePool batch",
      ),
    );
    const again = await syncAndApply();
    assert.deepEqual(again.left, ["NodePool/batch", "EC2NodeClass/batch"]);
    assert.equal((await statusEvents()).filter((e) => e.startsWith("removed batch:")).length, 1, "reported once");

    // The class's own opt-in does not beat the reference.
    const annotate = await kube.kubectl(["annotate", "ec2nodeclass", "batch", "poolkeeper.dev/prune=true"]);
    assert.equal(annotate.code, 0, annotate.stderr);
    assert.deepEqual((await syncAndApply()).pruned, []);
  });

  it("prunes what Git removed once poolkeeper.yaml says prune: true, the pool before the class it names", async () => {
    const config = `${repo.read("poolkeeper.yaml")}  prune: true\n`;
    await repo.commit("config: prune", { "poolkeeper.yaml": config });
    await repo.push();
    const first = await syncAndApply();
    assert.deepEqual(first.pruned, ["NodePool/batch"]);
    assert.deepEqual(first.left, ["EC2NodeClass/batch"], "still named by the pool being deleted");
    assert.notEqual((await kube.kubectl(["get", "nodepool", "batch"])).code, 0, "the pool is gone");

    const second = await syncAndApply();
    assert.deepEqual(second.pruned, ["EC2NodeClass/batch"]);
    assert.notEqual((await kube.kubectl(["get", "ec2nodeclass", "batch"])).code, 0);
    assert.equal((await kube.kubectl(["get", "nodepool", "default"])).code, 0, "what Git has stays");
    const events = await statusEvents();
    assert.ok(events.includes("pruned batch: NodePool batch removed from Git; deleted (prune: true)"));
    assert.ok(
      events.includes("pruned: EC2NodeClass batch removed from Git; deleted (its poolkeeper.dev/prune annotation)"),
    );
  });
});
