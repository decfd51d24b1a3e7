// The termination controller in the simulated world on a virtual clock: a NodeClaim deleted with its
// `karpenter.sh/termination` finalizer has its Node tainted, drained in Karpenter's order, its volumes detached, its
// instance terminated and its Node deleted before the finalizer comes off. Expected orders and times come from
// Karpenter's terminator (core:pkg/controllers/node/termination/terminator/terminator.go: the four eviction
// groups, the pods it skips, `DeleteExpiringPods` at deadline − the pod's terminationGracePeriodSeconds) and from
// the world's own controllers (the eviction subresource's 429, the attach/detach controller's 10 s detach delay).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import type { KubeEvent, Pod } from "../../../api/index.ts";
import {
  beginTermination,
  TERMINATION_FINALIZER,
  TerminationController,
  type TerminationReport,
} from "../../../controller/index.ts";
import type { KubeObject } from "../../../sim/index.ts";
import { startInterruptionWorld, type InterruptionWorld } from "../../support/interruption-world.ts";

let w: InterruptionWorld;
let controller: TerminationController;
let reports: TerminationReport[];

beforeEach(async () => {
  w = await startInterruptionWorld();
  reports = [];
  controller = newController();
});

afterEach(async () => {
  await controller.stop();
  await w.stop();
});

function newController(): TerminationController {
  return new TerminationController({
    cluster: w.cluster,
    cloudProvider: w.provider,
    clock: w.clock,
    onTerminated: (report) => reports.push(report),
  }).start();
}

const kind = (group: string, version: string, plural: string) => w.world.kind(group, version, plural);

/** A NodeClaim whose Node has registered and lost the unregistered taint. */
async function readyNode(name: string, options: { terminationGracePeriod?: string } = {}): Promise<string> {
  await w.launch(name, { capacityType: "on-demand", ...options });
  await w.until(
    () =>
      (w.nodeOf(name)?.spec?.taints ?? []).length === 0 &&
      w.cluster.get("nodeclaims", { name })?.status?.nodeName !== undefined,
    `the Node of ${name} registered`,
  );
  return w.nodeOf(name)?.metadata.name ?? "";
}

function createPod(
  nodeName: string,
  name: string,
  spec: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): void {
  w.world.store.create(kind("", "v1", "pods"), "default", {
    metadata: { name, labels: { app: name }, ...metadata },
    spec: { nodeName, containers: [{ name: "app", image: "nginx:1.27" }], ...spec },
  });
}

function daemonSet(name: string, priorityClassName?: string): void {
  w.world.store.create(kind("apps", "v1", "daemonsets"), "default", {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name },
    spec: {
      selector: { matchLabels: { ds: name } },
      template: {
        metadata: { labels: { ds: name } },
        spec: {
          containers: [{ name: "agent", image: "agent:1" }],
          ...(priorityClassName ? { priorityClassName } : {}),
        },
      },
    },
  });
}

/** Pod names in the order the store deleted them, with the time. */
function recordDeletions(): { name: string; at: number }[] {
  const deletions: { name: string; at: number }[] = [];
  w.world.store.watch(kind("", "v1", "pods"), { resourceVersion: String(w.world.store.resourceVersion) }, (event) => {
    if (event.type === "DELETED")
      deletions.push({ name: String(event.object.metadata?.name), at: w.clock.now().getTime() });
  });
  return deletions;
}

const events = (reason: string) =>
  (w.world.store.list(kind("", "v1", "events")).items as unknown as KubeEvent[]).filter((e) => e.reason === reason);

const running = (name: string) =>
  (w.world.store.find(kind("", "v1", "pods"), "default", name) as Pod | undefined)?.status?.phase === "Running";

describe("a NodeClaim deleted with its finalizer", () => {
  test("is tainted, drained in Karpenter's four groups (skipping tolerating, mirror and finished pods), and its instance, Node and finalizer go", async () => {
    const nodeName = await readyNode("default-order");
    createPod(nodeName, "web");
    createPod(nodeName, "dns", { priorityClassName: "system-cluster-critical" });
    createPod(nodeName, "tolerant", { tolerations: [{ key: "karpenter.sh/disrupted", operator: "Exists" }] });
    createPod(nodeName, "static", {}, { annotations: { "kubernetes.io/config.mirror": "mirror" } });
    createPod(nodeName, "done", { restartPolicy: "Never" });
    daemonSet("agent");
    daemonSet("critical-agent", "system-node-critical");
    await w.until(() => ["web", "dns", "tolerant", "static", "done"].every(running), "the pods running");
    const pods = kind("", "v1", "pods");
    const done = w.world.store.get(pods, "default", "done");
    w.world.store.update(
      pods,
      "default",
      "done",
      { ...done, status: { ...(done.status as object), phase: "Succeeded" } },
      { subresource: "status" },
    );
    const agents = (w.world.store.list(pods, { namespace: "default" }).items as KubeObject[]).filter((p) =>
      String(p.metadata?.name).includes("agent"),
    );
    assert.equal(agents.length, 2, "one pod of each DaemonSet on the node");
    const deletions = recordDeletions();
    const instanceId =
      w.cluster.get("nodeclaims", { name: "default-order" })?.status?.providerID?.split("/").at(-1) ?? "";

    assert.equal(await beginTermination(w.cluster, "default-order", { nodeName }), "deleting");
    await w.until(() => reports.length === 1, "the termination finished");

    const evictedNames = new Set(events("Evicted").map((e) => e.involvedObject.name ?? ""));
    const evicted = deletions.map((d) => d.name).filter((name) => evictedNames.has(name));
    const group = (name: string) =>
      name === "web"
        ? 0
        : name.startsWith("agent-")
          ? 1
          : name === "dns"
            ? 2
            : name.startsWith("critical-agent-")
              ? 3
              : -1;
    assert.deepEqual(evicted.map(group), [0, 1, 2, 3], `evicted in Karpenter's order: ${evicted.join(", ")}`);
    const order = deletions.map((d) => d.name);
    for (const skipped of ["tolerant", "static", "done"]) {
      assert.ok(!evicted.includes(skipped), `${skipped} is not evicted`);
    }
    // Each group is evicted only once the one before it is gone: strictly later passes.
    const at = (name: string) => deletions.find((d) => d.name === name)?.at ?? Number.NaN;
    const times = evicted.map(at);
    assert.ok(
      times.every((t, i) => i === 0 || t > (times[i - 1] ?? 0)),
      `one group per pass: ${JSON.stringify(deletions)}`,
    );
    assert.ok(order.indexOf("web") < order.indexOf("dns"));

    assert.deepEqual(w.provider.terminated, [instanceId]);
    assert.equal(w.cluster.get("nodes", { name: nodeName }), undefined, "the Node is deleted");
    assert.equal(
      w.world.store.find(kind("karpenter.sh", "v1", "nodeclaims"), undefined, "default-order"),
      undefined,
      "the finalizer came off",
    );
    const [report] = reports;
    assert.equal(report?.evicted, 4);
    assert.equal(report?.forced, false);
    assert.equal(report?.node, nodeName);
    assert.equal(report?.pool, "default");
  });

  test("a budget allowing 0: the eviction is retried (429) until deadline − the pod's grace period, then the pod is deleted", async () => {
    const nodeName = await readyNode("default-pdb", { terminationGracePeriod: "2m" });
    createPod(nodeName, "db-0", { terminationGracePeriodSeconds: 30 }, { labels: { app: "db" } });
    createPod(nodeName, "db-1", { terminationGracePeriodSeconds: 30 }, { labels: { app: "db" } });
    w.world.store.create(kind("policy", "v1", "poddisruptionbudgets"), "default", {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "db" },
      spec: { minAvailable: 2, selector: { matchLabels: { app: "db" } } },
    });
    await w.until(
      () =>
        running("db-0") &&
        running("db-1") &&
        w.cluster.get("poddisruptionbudgets", { namespace: "default", name: "db" })?.status?.currentHealthy === 2,
      "the budget counting both pods",
    );
    const deletions = recordDeletions();
    await beginTermination(w.cluster, "default-pdb", { nodeName });
    const deletedAt = Date.parse(
      w.cluster.get("nodeclaims", { name: "default-pdb" })?.metadata.deletionTimestamp ?? "",
    );
    await w.until(() => reports.length === 1, "the termination finished");

    // terminationGracePeriod 2m from the deletion, less each pod's 30 s: the pods go at 90 s, not before.
    const gone = deletions.filter((d) => d.name.startsWith("db-")).map((d) => d.at - deletedAt);
    assert.equal(gone.length, 2);
    for (const ms of gone) assert.ok(ms >= 90_000 && ms < 92_000, `deleted ${ms} ms after the NodeClaim`);
    const [report] = reports;
    assert.equal(report?.evicted, 0);
    assert.equal(report?.deletedAtDeadline, 2);
    assert.ok((report?.blockedEvictions ?? 0) >= 2 * 8, `retried with backoff: ${report?.blockedEvictions} refusals`);
    const failed = events("FailedDraining");
    assert.ok(
      failed.length > 0 && /disruption budget/.test(failed[0]?.message ?? ""),
      "the node's event names the budget",
    );
    assert.equal(events("Disrupted").length, 2);
  });

  test("the instance is terminated only after the node's VolumeAttachments are gone", async () => {
    const nodeName = await readyNode("default-volumes");
    w.world.store.create(kind("storage.k8s.io", "v1", "storageclasses"), undefined, {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "gp3" },
      provisioner: "ebs.csi.aws.com",
      volumeBindingMode: "Immediate",
    });
    w.world.store.create(kind("", "v1", "persistentvolumeclaims"), "default", {
      metadata: { name: "data" },
      spec: { storageClassName: "gp3", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
    });
    createPod(nodeName, "db", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] });
    const attachments = kind("storage.k8s.io", "v1", "volumeattachments");
    await w.until(() => running("db") && w.world.store.list(attachments).items.length === 1, "the volume attached");
    const deletions = recordDeletions();
    let detachedAt = Number.NaN;
    w.world.store.watch(attachments, { resourceVersion: String(w.world.store.resourceVersion) }, (event) => {
      if (event.type === "DELETED") detachedAt = w.clock.now().getTime();
    });
    let terminatedAt = Number.NaN;
    w.world.cloud.subscribe(({ current }) => {
      if (current === "shutting-down") terminatedAt = w.clock.now().getTime();
    });

    await beginTermination(w.cluster, "default-volumes", { nodeName });
    await w.until(() => reports.length === 1, "the termination finished");

    const evictedAt = deletions.find((d) => d.name === "db")?.at ?? Number.NaN;
    assert.ok(detachedAt - evictedAt >= 10_000, "the attach/detach controller detaches 10 s after the pod left");
    assert.ok(terminatedAt >= detachedAt, `terminated at ${terminatedAt}, detached at ${detachedAt}`);
  });
});

describe("the edges", () => {
  test("a NodeClaim that never got a Node has its instance terminated and its finalizer removed", async () => {
    const claim = await w.launch("default-nodeless", { capacityType: "on-demand" });
    const instanceId = claim.status?.providerID?.split("/").at(-1) ?? "";
    await beginTermination(w.cluster, "default-nodeless");
    await w.until(() => reports.length === 1, "the termination finished");
    assert.deepEqual(w.provider.terminated, [instanceId]);
    assert.equal(reports[0]?.node, undefined);
    assert.equal(w.cluster.get("nodeclaims", { name: "default-nodeless" }), undefined);
  });

  test("a termination timestamp already past skips the drain: no evictions, the instance goes at once", async () => {
    const nodeName = await readyNode("default-forced");
    createPod(nodeName, "web");
    await w.until(() => running("web"), "the pod running");
    await beginTermination(w.cluster, "default-forced", { nodeName, terminateBy: w.clock.now() });
    await w.until(() => reports.length === 1, "the termination finished");
    assert.equal(events("Evicted").length, 0);
    assert.equal(reports[0]?.forced, true);
    assert.equal(w.provider.terminated.length, 1);
  });

  test("a Node a crashed pass already deleted is still named in the report, which keeps the NodeClaim's annotations", async () => {
    const nodeName = await readyNode("default-nodegone");
    await controller.stop();
    await beginTermination(w.cluster, "default-nodegone", {
      nodeName,
      annotations: { "example.com/why": "a notice" },
    });
    // The pass that deleted the Node died before removing the NodeClaim's finalizer.
    await w.cluster.delete("nodes", { name: nodeName });
    await w.cluster.removeFinalizer("nodes", { name: nodeName }, TERMINATION_FINALIZER).catch(() => undefined);
    await w.until(() => w.cluster.get("nodes", { name: nodeName }) === undefined, "the Node gone");
    controller = newController();
    await w.until(() => reports.length === 1, "the new controller finished the termination");
    assert.equal(reports[0]?.node, nodeName);
    assert.equal(reports[0]?.annotations?.["example.com/why"], "a notice");
  });

  test("a rejected beforeFinalize keeps the finalizer; the NodeClaim is looked at again", async () => {
    await controller.stop();
    let refusals = 1;
    controller = new TerminationController({
      cluster: w.cluster,
      cloudProvider: w.provider,
      clock: w.clock,
      onTerminated: (report) => reports.push(report),
      beforeFinalize: async (claim) => {
        assert.equal(claim.metadata.name, "default-held");
        if (refusals-- > 0) throw new Error("the report is not durable yet");
      },
    }).start();
    const claim = await w.launch("default-held", { capacityType: "on-demand" });
    await beginTermination(w.cluster, "default-held");
    await w.until(() => reports.length === 1, "the first report");
    assert.ok(w.cluster.get("nodeclaims", { name: "default-held" }), "held by its finalizer after the refusal");
    await w.until(() => w.cluster.get("nodeclaims", { name: "default-held" }) === undefined, "the NodeClaim gone");
    assert.equal(reports.length, 2, "reported again by the pass that removed the finalizer");
    assert.equal(reports[1]?.providerID, claim.status?.providerID);
  });

  test("a controller restarted in the middle of a drain resumes from the NodeClaim's deletion and finalizer", async () => {
    const nodeName = await readyNode("default-restart", { terminationGracePeriod: "3m" });
    createPod(nodeName, "web");
    createPod(nodeName, "db", {}, { labels: { app: "db" } });
    w.world.store.create(kind("policy", "v1", "poddisruptionbudgets"), "default", {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "db" },
      spec: { maxUnavailable: 0, selector: { matchLabels: { app: "db" } } },
    });
    await w.until(() => running("web") && running("db"), "the pods running");
    await beginTermination(w.cluster, "default-restart", { nodeName });
    await w.until(() => events("FailedDraining").length > 0, "the drain blocked on the budget");
    await controller.stop();
    // The PDB lets go while no controller runs; a new one, with no memory of the first, finishes the job.
    await w.cluster.delete("poddisruptionbudgets", { namespace: "default", name: "db" });
    await w.clock.runFor(30_000);
    assert.equal(reports.length, 0, "nothing finishes while no controller runs");
    assert.ok(w.cluster.get("nodeclaims", { name: "default-restart" }), "the NodeClaim waits on its finalizer");
    controller = newController();
    await w.until(() => reports.length === 1, "the new controller finished the termination");
    assert.equal(reports[0]?.evicted, 1, "the new controller evicted what was left: db");
    assert.equal(w.cluster.get("nodes", { name: nodeName }), undefined);
  });
});
