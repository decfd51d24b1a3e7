// The world's controllers in process, on a fake clock: Deployment → ReplicaSet → pods (a deleted pod is
// replaced), DaemonSets on the nodes their template fits, Jobs to completion, and PodDisruptionBudget status as
// the disruption controller computes it. The budget tables are ported from kubernetes
// pkg/controller/disruption/disruption_test.go (TestReplicaSet, TestPercentageMaxUnavailableWithScaling,
// TestReplicationController — with a ReplicaSet in the RC's place —, TestNakedPod, TestUnsupportedControllerPod),
// whose VerifyPdbStatus arguments are (disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { DELETION_TIMEOUT_MS, disruptionStatus, POD_TEMPLATE_HASH, type KubeObject } from "../../../sim/index.ts";
import {
  deploymentBody,
  finishPod,
  node,
  pdbBody,
  runPod,
  startTestWorld,
  type TestWorld,
} from "../../support/sim-world.ts";

let world: TestWorld;
const k = {
  pods: () => world.kind("", "v1", "pods"),
  nodes: () => world.kind("", "v1", "nodes"),
  deployments: () => world.kind("apps", "v1", "deployments"),
  replicaSets: () => world.kind("apps", "v1", "replicasets"),
  daemonSets: () => world.kind("apps", "v1", "daemonsets"),
  jobs: () => world.kind("batch", "v1", "jobs"),
  pdbs: () => world.kind("policy", "v1", "poddisruptionbudgets"),
};
const name = (o: KubeObject): string => String(o.metadata?.name);
const status = (o: KubeObject): Record<string, unknown> => (o.status ?? {}) as Record<string, unknown>;

beforeEach(() => {
  world = startTestWorld();
});
afterEach(() => world.stop());

describe("Deployment → ReplicaSet → pods", () => {
  test("a Deployment gets one ReplicaSet named by its pod-template-hash, which makes the replicas", () => {
    world.store.create(k.deployments(), "default", deploymentBody("web", 3, { app: "web" }));
    world.controllers.reconcile();
    const [rs, ...others] = world.store.list(k.replicaSets(), { namespace: "default" }).items;
    assert.ok(rs);
    assert.equal(others.length, 0);
    const hash = (rs.metadata?.labels as Record<string, string>)[POD_TEMPLATE_HASH];
    assert.match(String(hash), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(name(rs), `web-${hash}`);
    const owner = (rs.metadata?.ownerReferences as { kind: string; name: string; controller: boolean }[])[0];
    assert.deepEqual([owner?.kind, owner?.name, owner?.controller], ["Deployment", "web", true]);
    assert.deepEqual((rs.spec as { selector: unknown }).selector, {
      matchLabels: { app: "web", [POD_TEMPLATE_HASH]: hash },
    });
    const pods = world.pods();
    assert.equal(pods.length, 3);
    for (const pod of pods) {
      assert.ok(name(pod).startsWith(`web-${hash}-`), name(pod));
      assert.deepEqual(pod.metadata?.labels, { app: "web", [POD_TEMPLATE_HASH]: hash });
      assert.equal((pod.metadata?.ownerReferences as { uid: string }[])[0]?.uid, rs.metadata?.uid);
      assert.equal(status(pod).phase, "Pending");
    }
  });

  test("a deleted pod is replaced, a scale-down removes unscheduled pods first, and status counts Ready pods", () => {
    world.store.create(k.nodes(), undefined, node("n1"));
    world.store.create(k.deployments(), "default", deploymentBody("web", 2, { app: "web" }));
    world.controllers.reconcile();
    const [first, second] = world.pods();
    assert.ok(first && second);
    runPod(world.store, first, "n1");
    world.store.delete(k.pods(), "default", name(second));
    world.controllers.reconcile();
    const pods = world.pods();
    assert.equal(pods.length, 2);
    assert.ok(!pods.some((p) => name(p) === name(second)), "the deleted pod stays deleted");
    const deployment = world.store.get(k.deployments(), "default", "web");
    assert.deepEqual(
      [status(deployment).replicas, status(deployment).readyReplicas, status(deployment).availableReplicas],
      [2, 1, 1],
    );
    // Scale to 1: the Pending replacement goes, the Running pod stays.
    const fresh = world.store.get(k.deployments(), "default", "web");
    world.store.update(k.deployments(), "default", "web", {
      ...fresh,
      spec: { ...(fresh.spec as object), replicas: 1 },
    });
    world.controllers.reconcile();
    assert.deepEqual(world.pods().map(name), [name(first)]);
  });

  test("a new template makes a new ReplicaSet and scales the old one to zero", () => {
    world.store.create(k.deployments(), "default", deploymentBody("web", 2, { app: "web" }));
    world.controllers.reconcile();
    const fresh = world.store.get(k.deployments(), "default", "web");
    const next = structuredClone(fresh) as { spec: { template: { spec: { containers: { image: string }[] } } } };
    (next.spec.template.spec.containers[0] as { image: string }).image = "nginx:1.28";
    world.store.update(k.deployments(), "default", "web", next as unknown as KubeObject);
    world.controllers.reconcile();
    const sets = world.store.list(k.replicaSets(), { namespace: "default" }).items;
    assert.equal(sets.length, 2);
    const replicas = sets.map((rs) => (rs.spec as { replicas: number }).replicas).sort();
    assert.deepEqual(replicas, [0, 2]);
    const pods = world.pods();
    assert.equal(pods.length, 2);
    for (const pod of pods)
      assert.equal((pod.spec as { containers: { image: string }[] }).containers[0]?.image, "nginx:1.28");
  });
});

describe("DaemonSets", () => {
  const daemonSet = (spec: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "agent", namespace: "kube-system" },
    spec: {
      selector: { matchLabels: { app: "agent" } },
      template: {
        metadata: { labels: { app: "agent" } },
        spec: { containers: [{ name: "a", image: "agent:1" }], ...spec },
      },
    },
  });
  const podNodes = (): string[] =>
    world
      .pods("kube-system")
      .map((p) => String((p.spec as { nodeName?: string }).nodeName))
      .sort();

  test("one pod per node, bound to it, with the controller's tolerations; cordoned nodes included", () => {
    world.store.create(k.nodes(), undefined, node("a"));
    world.store.create(
      k.nodes(),
      undefined,
      node("b", { taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }] }),
    );
    world.store.create(k.daemonSets(), "kube-system", daemonSet());
    world.controllers.reconcile();
    assert.deepEqual(podNodes(), ["a", "b"]);
    const pod = world.pods("kube-system")[0] as KubeObject;
    const tolerations = (pod.spec as { tolerations: { key: string; effect: string }[] }).tolerations;
    assert.ok(tolerations.some((t) => t.key === "node.kubernetes.io/unschedulable" && t.effect === "NoSchedule"));
    assert.deepEqual((pod.spec as { affinity: unknown }).affinity, {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchFields: [
                { key: "metadata.name", operator: "In", values: [(pod.spec as { nodeName: string }).nodeName] },
              ],
            },
          ],
        },
      },
    });
    // A new node gets its pod; a deleted node's pod goes.
    world.store.create(k.nodes(), undefined, node("c"));
    world.store.delete(k.nodes(), undefined, "a");
    world.controllers.reconcile();
    assert.deepEqual(podNodes(), ["b", "c"]);
    const ds = world.store.get(k.daemonSets(), "kube-system", "agent");
    assert.deepEqual([status(ds).desiredNumberScheduled, status(ds).currentNumberScheduled], [2, 2]);
  });

  test("nodeSelector, required node affinity and untolerated taints keep pods off nodes", () => {
    world.store.create(k.nodes(), undefined, node("linux-a", { labels: { os: "linux", zone: "a" } }));
    world.store.create(k.nodes(), undefined, node("linux-b", { labels: { os: "linux", zone: "b" } }));
    world.store.create(k.nodes(), undefined, node("windows", { labels: { os: "windows", zone: "a" } }));
    world.store.create(
      k.nodes(),
      undefined,
      node("gpu", {
        labels: { os: "linux", zone: "a" },
        taints: [{ key: "gpu", value: "true", effect: "NoSchedule" }],
      }),
    );
    world.store.create(
      k.daemonSets(),
      "kube-system",
      daemonSet({
        nodeSelector: { os: "linux" },
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }],
            },
          },
        },
      }),
    );
    world.controllers.reconcile();
    assert.deepEqual(podNodes(), ["linux-a"]);
    // Tolerating the taint brings the gpu node in.
    const ds = world.store.get(k.daemonSets(), "kube-system", "agent");
    const spec = structuredClone(ds.spec) as { template: { spec: Record<string, unknown> } };
    spec.template.spec.tolerations = [{ key: "gpu", operator: "Equal", value: "true", effect: "NoSchedule" }];
    world.store.update(k.daemonSets(), "kube-system", "agent", { ...ds, spec });
    world.controllers.reconcile();
    assert.deepEqual(podNodes(), ["gpu", "linux-a"]);
    // A NoExecute taint the pod does not tolerate evicts it; a NoSchedule one would not.
    const gpu = world.store.get(k.nodes(), undefined, "linux-a");
    world.store.update(k.nodes(), undefined, "linux-a", {
      ...gpu,
      spec: { taints: [{ key: "drain", effect: "NoExecute" }] },
    });
    world.controllers.reconcile();
    assert.deepEqual(podNodes(), ["gpu"]);
  });
});

describe("Jobs", () => {
  test("pods until completions succeed, then Complete; finished pods are counted once", () => {
    world.store.create(k.jobs(), "default", {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "batch" },
      spec: {
        completions: 3,
        parallelism: 2,
        template: { spec: { restartPolicy: "Never", containers: [{ name: "w", image: "busybox:1" }] } },
      },
    });
    world.controllers.reconcile();
    let pods = world.pods();
    assert.equal(pods.length, 2);
    assert.ok(
      pods.every((p) => (p.metadata?.labels as Record<string, string>)["batch.kubernetes.io/job-name"] === "batch"),
    );
    finishPod(world.store, pods[0] as KubeObject, "Succeeded");
    world.controllers.reconcile();
    let job = world.store.get(k.jobs(), "default", "batch");
    assert.deepEqual([status(job).succeeded, status(job).active], [1, 2]);
    pods = world.pods().filter((p) => status(p).phase === "Pending");
    for (const pod of pods) finishPod(world.store, pod, "Succeeded");
    world.controllers.reconcile();
    job = world.store.get(k.jobs(), "default", "batch");
    assert.equal(status(job).succeeded, 3);
    assert.equal(status(job).active, 0);
    const complete = (status(job).conditions as { type: string; status: string }[]).find((c) => c.type === "Complete");
    assert.equal(complete?.status, "True");
    // Finished pods stay (as in a real cluster) without the tracking finalizer.
    assert.equal(world.pods().length, 3);
    assert.ok(world.pods().every((p) => p.metadata?.finalizers === undefined));
  });

  test("more failures than backoffLimit fail the job", () => {
    world.store.create(k.jobs(), "default", {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "flaky" },
      spec: {
        backoffLimit: 1,
        template: { spec: { restartPolicy: "Never", containers: [{ name: "w", image: "busybox:1" }] } },
      },
    });
    for (let i = 0; i < 2; i++) {
      world.controllers.reconcile();
      const pending = world.pods().find((p) => status(p).phase === "Pending");
      assert.ok(pending, `attempt ${i + 1} has a pod`);
      finishPod(world.store, pending, "Failed");
    }
    world.controllers.reconcile();
    const job = world.store.get(k.jobs(), "default", "flaky");
    const failed = (status(job).conditions as { type: string; reason: string }[]).find((c) => c.type === "Failed");
    assert.equal(failed?.reason, "BackoffLimitExceeded");
    assert.equal(status(job).failed, 2);
    assert.equal(world.pods().filter((p) => status(p).phase === "Pending").length, 0);
  });
});

describe("the disruption controller (ported from disruption_test.go)", () => {
  const NOW = new Date("2026-03-01T12:00:00Z");
  const rs = (replicas: number, uid = "rs-uid") => ({ kind: "ReplicaSet", uid, replicas });
  const pod = (n: string, owner?: { kind: string; uid: string }, ready = true): KubeObject => ({
    metadata: {
      name: n,
      namespace: "default",
      labels: { foo: "bar" },
      ...(owner
        ? {
            ownerReferences: [
              { apiVersion: "apps/v1", kind: owner.kind, name: owner.uid, uid: owner.uid, controller: true },
            ],
          }
        : {}),
    },
    status: { phase: "Running", conditions: ready ? [{ type: "Ready", status: "True" }] : [] },
  });
  const budget = (spec: Record<string, unknown>): KubeObject => ({
    metadata: { name: "pdb", namespace: "default", generation: 1 },
    spec: { selector: { matchLabels: { foo: "bar" } }, ...spec },
  });
  const verify = (pdb: KubeObject, pods: KubeObject[], scales: { kind: string; uid: string; replicas: number }[]) => {
    const { status: s } = disruptionStatus(
      pdb,
      pods,
      (ref) => {
        const found = scales.find((c) => c.uid === ref.uid);
        if (!found) return undefined;
        return found.kind === "DaemonSet"
          ? new Error("daemonsets.apps does not implement the scale subresource")
          : found.replicas;
      },
      NOW,
    );
    return [s.disruptionsAllowed, s.currentHealthy, s.desiredHealthy, s.expectedPods];
  };

  test("TestReplicaSet: minAvailable 20% of a ReplicaSet of 10 with one pod", () => {
    assert.deepEqual(verify(budget({ minAvailable: "20%" }), [pod("pod", rs(10))], [rs(10)]), [0, 1, 2, 10]);
  });

  test("TestPercentageMaxUnavailableWithScaling: maxUnavailable 30% rounds up", () => {
    const p = [pod("pod", rs(7))];
    assert.deepEqual(verify(budget({ maxUnavailable: "30%" }), p, [rs(7)]), [0, 1, 4, 7]);
    assert.deepEqual(verify(budget({ maxUnavailable: "30%" }), p, [rs(3)]), [0, 1, 2, 3]);
  });

  test("TestReplicationController: 34% of 3 rounds up to 2; an unmanaged pod is healthy but not expected", () => {
    const pods: KubeObject[] = [];
    const expected = [
      [0, 1, 2, 3],
      [0, 2, 2, 3],
      [1, 3, 2, 3],
    ];
    for (let i = 0; i < 3; i++) {
      pods.push(pod(`foobar ${i}`, rs(3)));
      assert.deepEqual(verify(budget({ minAvailable: "34%" }), pods, [rs(3)]), expected[i]);
    }
    pods.push(pod("rogue"));
    assert.equal(verify(budget({ minAvailable: "34%" }), pods, [rs(3)])[0], 2);
  });

  test("TestNakedPod and TestUnsupportedControllerPod: no disruption allowed", () => {
    assert.equal(verify(budget({ minAvailable: "28%" }), [], [])[0], 0);
    assert.equal(verify(budget({ minAvailable: "28%" }), [pod("naked")], [])[0], 0);
    const ds = { kind: "DaemonSet", uid: "ds-uid", replicas: 0 };
    const { status: s } = disruptionStatus(
      budget({ minAvailable: "28%" }),
      [pod("agent", ds)],
      () => new Error("daemonsets.apps does not implement the scale subresource"),
      NOW,
    );
    assert.equal(s.disruptionsAllowed, 0);
    const condition = (s.conditions as { reason: string; message: string }[])[0];
    assert.equal(condition?.reason, "SyncFailed");
    assert.equal(condition?.message, "daemonsets.apps does not implement the scale subresource");
    assert.equal(s.observedGeneration, undefined, "a failed sync does not observe the generation");
  });

  test("integer minAvailable counts the selected pods; a not-Ready pod is not healthy", () => {
    const pods = [pod("a", rs(4)), pod("b", rs(4)), pod("c", rs(4)), pod("d", rs(4), false)];
    assert.deepEqual(verify(budget({ minAvailable: 2 }), pods, [rs(4)]), [1, 3, 2, 4]);
    assert.deepEqual(verify(budget({ maxUnavailable: 1 }), pods, [rs(4)]), [0, 3, 3, 4]);
  });

  test("disruptedPods: an evicted pod is not healthy for DeletionTimeout, then the controller recounts it", () => {
    world.store.create(k.nodes(), undefined, node("n1"));
    world.store.create(k.deployments(), "default", deploymentBody("web", 2, { app: "web" }));
    world.store.create(
      k.pdbs(),
      "default",
      pdbBody("web", { minAvailable: 1, selector: { matchLabels: { app: "web" } } }),
    );
    world.controllers.reconcile();
    for (const p of world.pods()) runPod(world.store, p, "n1");
    world.controllers.reconcile();
    let pdb = world.store.get(k.pdbs(), "default", "web");
    assert.deepEqual([status(pdb).disruptionsAllowed, status(pdb).currentHealthy, status(pdb).expectedPods], [1, 2, 2]);
    assert.equal(status(pdb).observedGeneration, 1);
    // What the eviction handler writes when it approves an eviction whose delete has not happened yet.
    const victim = name(world.pods()[0] as KubeObject);
    world.store.update(
      k.pdbs(),
      "default",
      "web",
      {
        ...pdb,
        status: { ...status(pdb), disruptionsAllowed: 0, disruptedPods: { [victim]: world.clock.now().toISOString() } },
      },
      { subresource: "status" },
    );
    world.controllers.reconcile();
    pdb = world.store.get(k.pdbs(), "default", "web");
    assert.deepEqual([status(pdb).disruptionsAllowed, status(pdb).currentHealthy], [0, 1]);
    assert.deepEqual(Object.keys(status(pdb).disruptedPods as object), [victim]);
    world.clock.step(DELETION_TIMEOUT_MS + 1_000);
    pdb = world.store.get(k.pdbs(), "default", "web");
    assert.deepEqual([status(pdb).disruptionsAllowed, status(pdb).currentHealthy], [1, 2]);
    assert.equal(status(pdb).disruptedPods, undefined);
  });
});
