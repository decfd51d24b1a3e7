// The end of objects' lives in the simulated cluster, in-process on a virtual clock: graceful pod deletion as
// the API server's registry does it (podStrategy.CheckGracefulDelete and rest.BeforeDelete: deletionTimestamp at
// the end of the grace period, only a shorter period moves it, 0 deletes at once, an unbound or finished pod goes
// at once) with the kubelet's final delete when the period is over; the garbage collector's background,
// foreground and orphan propagation; and the namespace controller emptying a Terminating namespace. Expected
// values follow those upstream rules (kubernetes pkg/registry/core/pod/strategy.go, staging apiserver
// pkg/registry/rest/delete.go, pkg/controller/garbagecollector, pkg/controller/namespace/deletion).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { ApiError, type KubeObject } from "../../../sim/index.ts";
import { deploymentBody, node, runPod, startTestWorld, type TestWorld } from "../../support/sim-world.ts";

let world: TestWorld;
const START = new Date("2026-03-01T12:00:00Z");

beforeEach(() => {
  world = startTestWorld(START);
  world.store.create(world.kind("", "v1", "nodes"), undefined, node("n1"));
});

afterEach(() => {
  world.stop();
});

const pods = () => world.kind("", "v1", "pods");
const at = (seconds: number) => new Date(START.getTime() + seconds * 1000).toISOString().replace(/\.000Z$/, "Z");

function boundPod(name: string, spec: Record<string, unknown> = {}): KubeObject {
  world.store.create(pods(), "default", {
    metadata: { name },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }], ...spec },
  });
  return runPod(world.store, { metadata: { name, namespace: "default" }, spec: {} }, "n1");
}

const find = (name: string) => world.store.find(pods(), "default", name);

describe("graceful pod deletion", () => {
  test("a bound pod stays for its terminationGracePeriodSeconds, then the kubelet deletes it", async () => {
    boundPod("web");
    const result = world.store.delete(pods(), "default", "web", { graceful: true });
    assert.equal(result.deleted, false);
    assert.equal(result.object.metadata?.deletionTimestamp, at(30));
    assert.equal(result.object.metadata?.deletionGracePeriodSeconds, 30);
    await Promise.resolve();
    world.clock.step(29_999);
    assert.ok(find("web"), "still terminating just before the 30 s are over");
    // The controllers' timer fires the millisecond after a deadline (WorldControllers' requeue).
    world.clock.step(2);
    assert.equal(find("web"), undefined);
  });

  test("gracePeriodSeconds overrides the pod's; a shorter one moves the deadline, a longer one does not", () => {
    boundPod("web", { terminationGracePeriodSeconds: 60 });
    world.store.delete(pods(), "default", "web", { gracePeriodSeconds: 20 });
    assert.equal(find("web")?.metadata?.deletionTimestamp, at(20));
    world.store.delete(pods(), "default", "web", { gracePeriodSeconds: 40 });
    assert.equal(find("web")?.metadata?.deletionGracePeriodSeconds, 20);
    world.store.delete(pods(), "default", "web", { gracePeriodSeconds: 5 });
    assert.equal(find("web")?.metadata?.deletionTimestamp, at(5));
    assert.equal(find("web")?.metadata?.deletionGracePeriodSeconds, 5);
    // --grace-period=0 --force: gone at once.
    assert.equal(world.store.delete(pods(), "default", "web", { gracePeriodSeconds: 0 }).deleted, true);
  });

  test("an unbound pod and a finished one are deleted at once", () => {
    world.store.create(pods(), "default", {
      metadata: { name: "pending" },
      spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
    });
    assert.equal(world.store.delete(pods(), "default", "pending", { graceful: true }).deleted, true);
    const done = boundPod("done");
    world.store.update(
      pods(),
      "default",
      "done",
      { ...done, status: { phase: "Succeeded" } },
      { subresource: "status" },
    );
    assert.equal(world.store.delete(pods(), "default", "done", { graceful: true }).deleted, true);
  });

  test("a status write during the grace period does not end it", () => {
    const pod = boundPod("web");
    world.store.delete(pods(), "default", "web", { graceful: true });
    const fresh = find("web") as KubeObject;
    world.store.update(
      pods(),
      "default",
      "web",
      { ...fresh, status: { ...(pod.status as object), phase: "Running", message: "stopping" } },
      { subresource: "status" },
    );
    assert.ok(find("web"));
  });
});

describe("the garbage collector", () => {
  const deployments = () => world.kind("apps", "v1", "deployments");
  const replicaSets = () => world.kind("apps", "v1", "replicasets");

  function deployment(name: string): void {
    const body = deploymentBody(name, 2, { app: name });
    (body.spec as { template: { spec: Record<string, unknown> } }).template.spec.terminationGracePeriodSeconds = 0;
    world.store.create(deployments(), "default", body);
    world.controllers.reconcile();
    world.controllers.reconcile();
    assert.equal(world.pods().length, 2);
  }

  test("background: the owner goes at once, then its ReplicaSet and their pods", () => {
    deployment("web");
    assert.equal(
      world.store.delete(deployments(), "default", "web", { propagationPolicy: "Background" }).deleted,
      true,
    );
    world.controllers.reconcile();
    assert.deepEqual(world.store.list(replicaSets()).items, []);
    assert.deepEqual(world.pods(), []);
  });

  test("foreground: the owner waits with foregroundDeletion until its blocking dependents are gone", () => {
    deployment("web");
    const held = world.store.delete(deployments(), "default", "web", { propagationPolicy: "Foreground" });
    assert.equal(held.deleted, false);
    assert.deepEqual(held.object.metadata?.finalizers, ["foregroundDeletion"]);
    world.controllers.reconcile();
    assert.equal(world.store.find(deployments(), "default", "web"), undefined);
    assert.deepEqual(world.store.list(replicaSets()).items, []);
    assert.deepEqual(world.pods(), []);
  });

  test("foreground waits for a dependent that is still terminating", () => {
    const owner = world.store.create(world.kind("", "v1", "configmaps"), "default", { metadata: { name: "owner" } });
    const ref = {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "owner",
      uid: owner.metadata?.uid,
      blockOwnerDeletion: true,
    };
    boundPod("dependent", { terminationGracePeriodSeconds: 10 });
    const pod = find("dependent") as KubeObject;
    world.store.update(pods(), "default", "dependent", {
      ...pod,
      metadata: { ...pod.metadata, ownerReferences: [ref] },
    });
    world.store.delete(world.kind("", "v1", "configmaps"), "default", "owner", { propagationPolicy: "Foreground" });
    world.controllers.reconcile();
    assert.ok(world.store.find(world.kind("", "v1", "configmaps"), "default", "owner"), "waits for the pod");
    assert.equal(find("dependent")?.metadata?.deletionGracePeriodSeconds, 10);
    world.clock.step(10_001);
    assert.equal(find("dependent"), undefined);
    assert.equal(world.store.find(world.kind("", "v1", "configmaps"), "default", "owner"), undefined);
  });

  test("orphan: the owner goes and its ReplicaSet stays without the reference", () => {
    deployment("web");
    world.store.delete(deployments(), "default", "web", { propagationPolicy: "Orphan" });
    world.controllers.reconcile();
    assert.equal(world.store.find(deployments(), "default", "web"), undefined);
    const [rs] = world.store.list(replicaSets()).items;
    assert.ok(rs);
    assert.equal(rs.metadata?.ownerReferences, undefined);
    assert.equal(world.pods().length, 2);
  });

  test("a dependent with another live owner only loses the reference to the gone one", () => {
    const configMaps = world.kind("", "v1", "configmaps");
    const a = world.store.create(configMaps, "default", { metadata: { name: "a" } });
    const b = world.store.create(configMaps, "default", { metadata: { name: "b" } });
    const ref = (o: KubeObject) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: o.metadata?.name,
      uid: o.metadata?.uid,
    });
    world.store.create(configMaps, "default", { metadata: { name: "shared", ownerReferences: [ref(a), ref(b)] } });
    world.store.delete(configMaps, "default", "a");
    world.controllers.reconcile();
    const shared = world.store.find(configMaps, "default", "shared");
    assert.deepEqual(
      (shared?.metadata?.ownerReferences as { name: string }[]).map((r) => r.name),
      ["b"],
    );
  });
});

describe("namespace finalization", () => {
  const namespaces = () => world.kind("", "v1", "namespaces");
  const configMaps = () => world.kind("", "v1", "configmaps");

  test("a deleted namespace is Terminating, refuses new content, and goes once its content is gone", () => {
    world.store.create(namespaces(), undefined, { metadata: { name: "team" } });
    world.store.create(configMaps(), "team", { metadata: { name: "held", finalizers: ["example.com/hold"] } });
    world.store.create(configMaps(), "team", { metadata: { name: "plain" } });
    const result = world.store.delete(namespaces(), undefined, "team");
    assert.equal(result.deleted, false);
    assert.equal((result.object.status as { phase: string }).phase, "Terminating");
    world.controllers.reconcile();
    assert.equal(world.store.find(configMaps(), "team", "plain"), undefined);
    assert.ok(world.store.find(configMaps(), "team", "held")?.metadata?.deletionTimestamp);
    // The namespace controller's conditions, in its words (deletion/status_condition_utils.go).
    const conditions = (
      world.store.find(namespaces(), undefined, "team")?.status as {
        conditions: { type: string; status: string; reason: string; message: string }[];
      }
    ).conditions;
    assert.deepEqual(
      conditions.map((c) => [c.type, c.status, c.reason, c.message]),
      [
        ["NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered", "All resources successfully discovered"],
        [
          "NamespaceDeletionGroupVersionParsingFailure",
          "False",
          "ParsedGroupVersions",
          "All legacy kube types successfully parsed",
        ],
        [
          "NamespaceDeletionContentFailure",
          "False",
          "ContentDeleted",
          "All content successfully deleted, may be waiting on finalization",
        ],
        [
          "NamespaceContentRemaining",
          "True",
          "SomeResourcesRemain",
          "Some resources are remaining: configmaps. has 1 resource instances",
        ],
        [
          "NamespaceFinalizersRemaining",
          "True",
          "SomeFinalizerRemain",
          "Some finalizers are remaining: example.com/hold in 1 resource instances",
        ],
      ],
    );
    assert.deepEqual((world.store.find(namespaces(), undefined, "team")?.spec as { finalizers: string[] }).finalizers, [
      "kubernetes",
    ]);

    assert.throws(
      () => world.store.create(configMaps(), "team", { metadata: { name: "late" } }),
      (error: unknown) =>
        error instanceof ApiError &&
        error.code === 403 &&
        error.message ===
          'configmaps "late" is forbidden: unable to create new content in namespace team because it is being terminated' &&
        error.status.details?.causes?.[0]?.reason === "NamespaceTerminating",
    );

    const held = world.store.find(configMaps(), "team", "held") as KubeObject;
    world.store.update(configMaps(), "team", "held", { ...held, metadata: { ...held.metadata, finalizers: [] } });
    world.controllers.reconcile();
    assert.equal(world.store.find(namespaces(), undefined, "team"), undefined);
  });
});
