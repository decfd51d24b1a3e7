// The world as one running thing on a virtual clock: the scheduler stand-in binds pending pods (or marks them
// Unschedulable with kube-scheduler's message and retries them when the cluster changes), the kubelets start and
// finish pods on the clock, the node lifecycle controller taints NotReady nodes, and zonal volumes are provisioned
// in the consumer's zone and detached a while after their pod leaves. Expected messages are kube-scheduler's
// FitError text (pkg/scheduler/framework/types.go, v1.35) for the case at hand, written out by hand.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../../sim/index.ts";
import { ALL_COMPONENTS, deploymentBody, startTestWorld, type TestWorld } from "../../support/sim-world.ts";

const ZONE = "topology.kubernetes.io/zone";

function readyNode(name: string, zone: string, cpu: string, memory = "8Gi"): KubeObject {
  return {
    metadata: { name, labels: { "kubernetes.io/hostname": name, [ZONE]: zone } },
    spec: {},
    status: {
      capacity: { cpu, memory, pods: "110" },
      allocatable: { cpu, memory, pods: "110" },
      conditions: [{ type: "Ready", status: "True" }],
    },
  };
}

function podBody(name: string, cpu: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name, namespace: "default" },
    spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu } } }], ...extra },
  };
}

interface PodView {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

const worlds: TestWorld[] = [];
after(() => worlds.forEach((w) => w.stop()));

function world(): TestWorld {
  const w = startTestWorld(undefined, { run: ALL_COMPONENTS, seed: 7 });
  worlds.push(w);
  return w;
}

function pod(w: TestWorld, name: string): PodView {
  return w.store.get(w.kind("", "v1", "pods"), "default", name) as unknown as PodView;
}

function condition(p: PodView, type: string) {
  return p.status?.conditions?.find((c) => c.type === type);
}

function eventsFor(w: TestWorld, name: string): { reason: string; message: string; count: number }[] {
  return w.store
    .list(w.kind("", "v1", "events"), { namespace: "default" })
    .items.filter((e) => (e.involvedObject as { name?: string }).name === name)
    .map((e) => ({ reason: String(e.reason), message: String(e.message), count: Number(e.count) }));
}

describe("the world on a virtual clock", () => {
  test("a Deployment's pods are bound by the scheduler, then Running and Ready after the kubelet's start delay", async () => {
    const w = world();
    w.store.create(w.kind("", "v1", "nodes"), undefined, readyNode("n1", "us-west-2a", "2"));
    w.store.create(w.kind("", "v1", "nodes"), undefined, readyNode("n2", "us-west-2b", "2"));
    const body = deploymentBody("web", 3, { app: "web" });
    const template = (body.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template;
    template.spec.containers = [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "1" } } }];
    w.store.create(w.kind("apps", "v1", "deployments"), "default", body);
    await w.clock.runFor(0);
    const pods = w.pods() as unknown as PodView[];
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.ok(p.spec.nodeName === "n1" || p.spec.nodeName === "n2", `${p.metadata.name} is bound`);
      assert.equal(condition(p, "PodScheduled")?.status, "True");
      assert.equal(p.status?.phase, "Pending", "not started before the start delay");
      assert.deepEqual(
        eventsFor(w, p.metadata.name).map((e) => e.reason),
        ["Scheduled"],
      );
    }
    // 2 cpu per node and 1 per pod: two on one node, one on the other.
    const perNode = ["n1", "n2"].map((n) => pods.filter((p) => p.spec.nodeName === n).length).sort();
    assert.deepEqual(perNode, [1, 2]);

    await w.clock.runFor(1_999);
    assert.equal((w.pods() as unknown as PodView[]).filter((p) => p.status?.phase === "Running").length, 0);
    await w.clock.runFor(1);
    for (const p of w.pods() as unknown as PodView[]) {
      assert.equal(p.status?.phase, "Running");
      assert.equal(condition(p, "Ready")?.status, "True");
    }
    const deployment = w.store.get(w.kind("apps", "v1", "deployments"), "default", "web");
    assert.equal((deployment.status as { readyReplicas?: number }).readyReplicas, 3);
  });

  test("a pod that fits nowhere gets PodScheduled=False/Unschedulable with the real message, and is bound once a node that fits is added", async () => {
    const w = world();
    w.store.create(w.kind("", "v1", "nodes"), undefined, readyNode("small-1", "us-west-2a", "2"));
    w.store.create(w.kind("", "v1", "nodes"), undefined, readyNode("small-2", "us-west-2b", "2"));
    w.store.create(w.kind("", "v1", "pods"), "default", podBody("big", "4"));
    await w.clock.runFor(0);
    const message =
      "0/2 nodes are available: 2 Insufficient cpu. no new claims to deallocate, preemption: 0/2 nodes are " +
      "available: 2 Preemption is not helpful for scheduling.";
    const waiting = pod(w, "big");
    assert.equal(waiting.spec.nodeName, undefined);
    assert.deepEqual(
      { ...condition(waiting, "PodScheduled"), lastTransitionTime: undefined, lastProbeTime: undefined },
      {
        type: "PodScheduled",
        status: "False",
        reason: "Unschedulable",
        message,
        lastTransitionTime: undefined,
        lastProbeTime: undefined,
      },
    );
    assert.deepEqual(eventsFor(w, "big"), [{ reason: "FailedScheduling", message, count: 1 }]);
    assert.deepEqual(w.world.scheduler.unschedulable, ["default/big"]);

    // A change elsewhere that cannot help (a ConfigMap) does not retry it: the event is not repeated.
    w.store.create(w.kind("", "v1", "configmaps"), "default", { metadata: { name: "unrelated" } });
    await w.clock.runFor(0);
    assert.equal(eventsFor(w, "big")[0]?.count, 1);

    w.store.create(w.kind("", "v1", "nodes"), undefined, readyNode("large", "us-west-2c", "8"));
    await w.clock.runFor(0);
    assert.equal(pod(w, "big").spec.nodeName, "large");
    assert.deepEqual(w.world.scheduler.unschedulable, []);
  });

  test("a pending pod is retried when a bound pod is deleted and frees its node", async () => {
    const w = world();
    w.store.create(w.kind("", "v1", "nodes"), undefined, readyNode("only", "us-west-2a", "1"));
    w.store.create(w.kind("", "v1", "pods"), "default", podBody("first", "1"));
    await w.clock.runFor(0);
    w.store.create(w.kind("", "v1", "pods"), "default", podBody("second", "1"));
    await w.clock.runFor(0);
    assert.equal(pod(w, "first").spec.nodeName, "only");
    assert.equal(condition(pod(w, "second"), "PodScheduled")?.reason, "Unschedulable");
    w.store.delete(w.kind("", "v1", "pods"), "default", "first");
    await w.clock.runFor(0);
    assert.equal(pod(w, "second").spec.nodeName, "only");
  });

  test("a NotReady node gets the not-ready NoSchedule taint (and pods go elsewhere); Ready again, it loses it", async () => {
    const w = world();
    const nodes = w.kind("", "v1", "nodes");
    w.store.create(nodes, undefined, readyNode("sick", "us-west-2a", "4"));
    w.store.create(nodes, undefined, readyNode("well", "us-west-2b", "4"));
    await w.clock.runFor(0);
    const setReady = (status: string) => {
      const node = w.store.get(nodes, undefined, "sick");
      const st = node.status as { conditions: { type: string; status: string }[] };
      w.store.update(
        nodes,
        undefined,
        "sick",
        { ...node, status: { ...st, conditions: [{ type: "Ready", status }] } },
        { subresource: "status" },
      );
    };
    setReady("False");
    await w.clock.runFor(0);
    const taints = () =>
      (w.store.get(nodes, undefined, "sick").spec as { taints?: { key: string; effect: string }[] }).taints;
    assert.deepEqual(
      taints()?.map((t) => `${t.key}:${t.effect}`),
      ["node.kubernetes.io/not-ready:NoSchedule"],
    );
    for (let i = 0; i < 4; i++) w.store.create(w.kind("", "v1", "pods"), "default", podBody(`p${i}`, "100m"));
    await w.clock.runFor(0);
    for (let i = 0; i < 4; i++) assert.equal(pod(w, `p${i}`).spec.nodeName, "well");
    setReady("True");
    await w.clock.runFor(0);
    assert.deepEqual(taints(), []);
  });

  test("a Job's pods run for the kubelet's run time, succeed, and the Job completes", async () => {
    const w = world();
    w.store.create(w.kind("", "v1", "nodes"), undefined, readyNode("n1", "us-west-2a", "4"));
    w.store.create(w.kind("batch", "v1", "jobs"), "default", {
      metadata: { name: "once" },
      spec: {
        completions: 2,
        parallelism: 2,
        template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36" }] } },
      },
    });
    await w.clock.runFor(2_000);
    const phases = () => (w.pods() as unknown as PodView[]).map((p) => p.status?.phase).sort();
    assert.deepEqual(phases(), ["Running", "Running"]);
    await w.clock.runFor(30_000);
    assert.deepEqual(phases(), ["Succeeded", "Succeeded"]);
    const job = w.store.get(w.kind("batch", "v1", "jobs"), "default", "once");
    const conditions = (job.status as { conditions?: { type: string; status: string }[] }).conditions ?? [];
    assert.ok(
      conditions.some((c) => c.type === "Complete" && c.status === "True"),
      JSON.stringify(job.status),
    );
    assert.equal((job.status as { succeeded?: number }).succeeded, 2);
  });

  test("a WaitForFirstConsumer claim is provisioned in its pod's node's zone; the attachment outlives the pod by the detach delay", async () => {
    const w = world();
    w.store.create(w.kind("", "v1", "nodes"), undefined, readyNode("b-node", "us-west-2b", "4"));
    w.store.create(w.kind("storage.k8s.io", "v1", "storageclasses"), undefined, {
      metadata: { name: "gp3" },
      provisioner: "ebs.csi.aws.com",
      volumeBindingMode: "WaitForFirstConsumer",
    });
    w.store.create(w.kind("", "v1", "persistentvolumeclaims"), "default", {
      metadata: { name: "data" },
      spec: { storageClassName: "gp3", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
    });
    w.store.create(
      w.kind("", "v1", "pods"),
      "default",
      podBody("db", "1", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] }),
    );
    await w.clock.runFor(0);
    const pvc = w.store.get(w.kind("", "v1", "persistentvolumeclaims"), "default", "data");
    const volumeName = (pvc.spec as { volumeName?: string }).volumeName;
    assert.ok(volumeName, "the claim is bound");
    assert.equal((pvc.status as { phase?: string }).phase, "Bound");
    const pv = w.store.get(w.kind("", "v1", "persistentvolumes"), undefined, volumeName);
    assert.equal((pv.metadata?.labels as Record<string, string>)[ZONE], "us-west-2b");
    const attachments = () =>
      w.store.list(w.kind("storage.k8s.io", "v1", "volumeattachments")).items.map((a) => ({
        node: (a.spec as { nodeName: string }).nodeName,
        pv: (a.spec as { source: { persistentVolumeName: string } }).source.persistentVolumeName,
        attached: (a.status as { attached?: boolean } | undefined)?.attached,
      }));
    assert.deepEqual(attachments(), [{ node: "b-node", pv: volumeName, attached: true }]);
    await w.clock.runFor(2_000);
    assert.equal(pod(w, "db").status?.phase, "Running");

    w.store.delete(w.kind("", "v1", "pods"), "default", "db");
    await w.clock.runFor(9_999);
    assert.equal(attachments().length, 1, "still attached within the detach delay");
    await w.clock.runFor(1);
    assert.deepEqual(attachments(), [], "detached 10 s after the pod left");
  });
});
