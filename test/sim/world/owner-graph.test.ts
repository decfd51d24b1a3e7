// The garbage collector's graph kept from the store's events (GraphBuilder's processGraphChanges in
// kubernetes pkg/controller/garbagecollector/graph_builder.go): each owner's dependents follow ownerReferences as
// they are added, changed and removed, and attemptToDelete holds only what a change touched — the object itself
// when it names owners, and the dependents of an object that changed or went — so a write costs its own
// references, not a walk of the cluster.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ObjectStore, OwnerGraph, servedKindRegistry, type KubeObject } from "../../../sim/index.ts";
import { startTestWorld } from "../../support/sim-world.ts";

const registry = servedKindRegistry();
const configMaps = registry.get("", "v1", "configmaps");
const namespaces = registry.get("", "v1", "namespaces");

function newStore(): ObjectStore {
  const store = new ObjectStore(registry, { clock: { now: () => new Date("2026-03-01T12:00:00Z") } });
  store.create(namespaces, undefined, { metadata: { name: "default" } });
  return store;
}

const owned = (name: string, owners: KubeObject[] = []): KubeObject => ({
  metadata: {
    name,
    ...(owners.length > 0
      ? {
          ownerReferences: owners.map((o) => ({
            apiVersion: "v1",
            kind: "ConfigMap",
            name: String(o.metadata?.name),
            uid: String(o.metadata?.uid),
          })),
        }
      : {}),
  },
});

const names = (objects: { object: KubeObject }[]) => objects.map((o) => String(o.object.metadata?.name)).sort();
const uid = (object: KubeObject) => String(object.metadata?.uid);

describe("the garbage collector's graph", () => {
  test("starts from the store's objects and queues those that name owners", () => {
    const store = newStore();
    const owner = store.create(configMaps, "default", owned("owner"));
    store.create(configMaps, "default", owned("a", [owner]));
    store.create(configMaps, "default", owned("b", [owner]));
    const graph = new OwnerGraph().start(store);
    assert.deepEqual(names(graph.dependents(uid(owner))), ["a", "b"]);
    assert.deepEqual(names(graph.takeAttemptToDelete()), ["a", "b"]);
    assert.deepEqual(graph.takeAttemptToDelete(), [], "the queue is emptied when taken");
    graph.stop();
  });

  test("follows references as they change and queues only what a write touched", () => {
    const store = newStore();
    const first = store.create(configMaps, "default", owned("first"));
    const second = store.create(configMaps, "default", owned("second"));
    for (let i = 0; i < 50; i++) store.create(configMaps, "default", owned(`bystander-${i}`, [second]));
    const graph = new OwnerGraph().start(store);
    graph.takeAttemptToDelete();

    const child = store.create(configMaps, "default", owned("child", [first]));
    assert.deepEqual(names(graph.takeAttemptToDelete()), ["child"], "a new dependent, not the 50 others");
    assert.deepEqual(names(graph.dependents(uid(first))), ["child"]);

    store.update(configMaps, "default", "child", { ...owned("child", [second]), data: { moved: "yes" } });
    assert.deepEqual(graph.dependents(uid(first)), [], "the old owner lost it");
    assert.equal(graph.dependents(uid(second)).length, 51);
    assert.deepEqual(names(graph.takeAttemptToDelete()), ["child"]);

    store.update(configMaps, "default", "first", { ...owned("first"), data: { changed: "yes" } });
    assert.deepEqual(graph.takeAttemptToDelete(), [], "first has no dependents left to look at");

    store.delete(configMaps, "default", "second");
    assert.equal(graph.takeAttemptToDelete().length, 51, "every dependent of the deleted owner, once");
    assert.equal(graph.byUid(uid(second)), undefined);
    assert.deepEqual(graph.byUid(uid(child))?.object.data, { moved: "yes" }, "the object as stored now");
    graph.stop();
  });

  test("keeps the owners being deleted with the orphan or foregroundDeletion finalizer", () => {
    const store = newStore();
    const owner = store.create(configMaps, "default", owned("owner"));
    store.create(configMaps, "default", owned("child", [owner]));
    const graph = new OwnerGraph().start(store);
    // The store records the finalizer only when the owner has dependents.
    store.delete(configMaps, "default", "owner", { propagationPolicy: "Foreground" });
    assert.deepEqual(names(graph.deletingOwners()), ["owner"]);
    assert.deepEqual(graph.byUid(uid(owner))?.object.metadata?.finalizers, ["foregroundDeletion"]);
    const held = store.get(configMaps, "default", "owner");
    store.update(configMaps, "default", "owner", { ...held, metadata: { ...held.metadata, finalizers: [] } });
    assert.deepEqual(graph.deletingOwners(), [], "gone once its finalizer is");
    graph.stop();
  });
});

describe("what asks the world's controllers for a pass", () => {
  test("Events do not (no controller reads them); a pod does; any change inside a Terminating namespace does", async () => {
    const world = startTestWorld();
    try {
      const events = world.kind("", "v1", "events");
      const settled = world.controllers.passCount;
      for (let i = 0; i < 20; i++) {
        world.store.create(events, "default", {
          metadata: { name: `pod-${i}.1` },
          involvedObject: { kind: "Pod", namespace: "default", name: `pod-${i}` },
          reason: "FailedScheduling",
          message: "0/0 nodes are available",
          type: "Warning",
        });
      }
      await Promise.resolve();
      assert.equal(world.controllers.passCount, settled, "twenty Events, no pass");
      world.store.create(world.kind("", "v1", "pods"), "default", {
        metadata: { name: "web" },
        spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
      });
      await Promise.resolve();
      assert.equal(world.controllers.passCount, settled + 1, "a pod: one pass");
      // A ConfigMap is no kind the controllers read: only its namespace's Terminating makes its change count.
      const configMaps = world.kind("", "v1", "configmaps");
      const namespaces = world.kind("", "v1", "namespaces");
      world.store.create(configMaps, "default", { metadata: { name: "held", finalizers: ["example.com/hold"] } });
      world.store.delete(namespaces, undefined, "default");
      await Promise.resolve();
      assert.equal(world.store.find(events, "default", "pod-0.1"), undefined, "the namespace controller emptied it");
      assert.ok(world.store.find(namespaces, undefined, "default"), "held by the ConfigMap's finalizer");
      const held = world.store.get(configMaps, "default", "held");
      world.store.update(configMaps, "default", "held", { ...held, metadata: { ...held.metadata, finalizers: [] } });
      await Promise.resolve();
      assert.equal(world.store.find(namespaces, undefined, "default"), undefined, "gone with its last object");
    } finally {
      world.stop();
    }
  });
});
