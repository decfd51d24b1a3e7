// @kubernetes/client-node 2 as a client of the served world, over HTTPS with the kubeconfig the world writes:
// list, create, merge and strategic merge patches, evictions (a PDB's 429), and an informer (makeInformer) that
// sees adds, updates and deletes and survives a dropped watch and a 410 Gone by relisting. Faults come from the
// API server's fault plan; slow answers wait on the world's virtual clock. The client is the independent judge:
// its own code decides what a reconnect, a relist and an ApiException are.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type Informer,
  type V1Pod,
} from "@kubernetes/client-node";
import { World, type ServedWorld } from "../../../sim/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { guardAgainstHang } from "../../support/hang-guard.ts";

const NS = "default";
let world: World;
let served: ServedWorld;
let dir: string;
let core: CoreV1Api;
let kc: KubeConfig;
const clock = new FakeClock(new Date("2026-03-01T12:00:00Z"));

function podBody(name: string, labels: Record<string, string> = {}): V1Pod {
  return {
    metadata: { name, labels },
    spec: { containers: [{ name: "app", image: "nginx:1.27" }] },
  };
}

before(async () => {
  // Controllers only: the test is the scheduler and the kubelet. A small event window makes a 410 easy to reach.
  world = new World({
    clock,
    limits: { eventWindow: 20 },
    run: { scheduler: false, kubelets: false, volumes: false, nodeLifecycle: false },
  }).start();
  dir = mkdtempSync(join(tmpdir(), "poolkeeper-client-node-"));
  served = await world.serve({ dir });
  const path = join(dir, "kubeconfig");
  writeFileSync(path, served.kube.kubeconfig());
  kc = new KubeConfig();
  kc.loadFromFile(path);
  core = kc.makeApiClient(CoreV1Api);
});

after(async () => {
  await world.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves when `predicate` holds for an informer event, checked on each one. */
function informerEvent(
  informer: Informer<V1Pod>,
  verb: "add" | "update" | "delete",
  predicate: (pod: V1Pod) => boolean,
  what: string,
): Promise<V1Pod> {
  return guardAgainstHang(
    new Promise<V1Pod>((resolve) => {
      const handler = (pod: V1Pod) => {
        if (!predicate(pod)) return;
        informer.off(verb, handler);
        resolve(pod);
      };
      informer.on(verb, handler);
    }),
    what,
  );
}

describe("@kubernetes/client-node against the world", () => {
  test("creates, lists with a label selector, merge-patches and strategic-merge-patches a pod", async () => {
    await core.createNamespacedPod({ namespace: NS, body: podBody("alpha", { app: "a" }) });
    await core.createNamespacedPod({ namespace: NS, body: podBody("beta", { app: "b" }) });
    const listed = await core.listNamespacedPod({ namespace: NS, labelSelector: "app=a" });
    assert.deepEqual(
      listed.items.map((p) => p.metadata?.name),
      ["alpha"],
    );
    const merged = await core.patchNamespacedPod(
      { name: "alpha", namespace: NS, body: { metadata: { labels: { tier: "web" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    assert.deepEqual(merged.metadata?.labels, { app: "a", tier: "web" });
    // Strategic merge: containers merge by name, so one container's image changes and the list keeps one entry.
    const strategic = await core.patchNamespacedPod(
      { name: "alpha", namespace: NS, body: { spec: { containers: [{ name: "app", image: "nginx:1.28" }] } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    assert.deepEqual(
      strategic.spec?.containers.map((c) => `${c.name}=${c.image}`),
      ["app=nginx:1.28"],
    );
  });

  test("evicts a pod; an eviction a PodDisruptionBudget forbids is a 429 ApiException", async () => {
    await core.createNamespacedPod({ namespace: NS, body: podBody("evictable") });
    await core.createNamespacedPodEviction({
      name: "evictable",
      namespace: NS,
      body: { metadata: { name: "evictable", namespace: NS } },
    });
    await assert.rejects(core.readNamespacedPod({ name: "evictable", namespace: NS }), (e: unknown) => {
      return e instanceof ApiException && e.code === 404;
    });

    // A Running, Ready pod under a budget that allows no disruption.
    await core.createNamespacedPod({ namespace: NS, body: podBody("guarded", { guard: "yes" }) });
    const pods = world.kind("", "v1", "pods");
    const stored = world.store.get(pods, NS, "guarded");
    world.store.update(
      pods,
      NS,
      "guarded",
      {
        ...stored,
        spec: { ...(stored.spec as object), nodeName: "n1" },
      },
      {},
    );
    const bound = world.store.get(pods, NS, "guarded");
    world.store.update(
      pods,
      NS,
      "guarded",
      { ...bound, status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } },
      { subresource: "status" },
    );
    world.store.create(world.kind("policy", "v1", "poddisruptionbudgets"), NS, {
      metadata: { name: "guard" },
      spec: { minAvailable: 1, selector: { matchLabels: { guard: "yes" } } },
    });
    await clock.runFor(0);
    await assert.rejects(
      core.createNamespacedPodEviction({
        name: "guarded",
        namespace: NS,
        body: { metadata: { name: "guarded", namespace: NS } },
      }),
      (e: unknown) => {
        assert.ok(e instanceof ApiException, String(e));
        assert.equal(e.code, 429);
        assert.match(String(e.body), /Cannot evict pod as it would violate the pod's disruption budget/);
        return true;
      },
    );
  });

  test("a 500 and a 429 with Retry-After reach the client as ApiExceptions; the next request succeeds", async () => {
    const failing = served.kube.faults.add({
      verbs: ["list"],
      resources: ["pods"],
      times: 1,
      fault: { type: "error", code: 500 },
    });
    await assert.rejects(core.listNamespacedPod({ namespace: NS }), (e: unknown) => {
      assert.ok(e instanceof ApiException);
      assert.equal(e.code, 500);
      assert.equal((JSON.parse(String(e.body)) as { reason: string }).reason, "InternalError");
      return true;
    });
    assert.equal(failing.hits, 1);
    served.kube.faults.add({
      verbs: ["get"],
      resources: ["pods"],
      times: 1,
      fault: { type: "throttle", retryAfterSeconds: 3 },
    });
    await assert.rejects(core.readNamespacedPod({ name: "alpha", namespace: NS }), (e: unknown) => {
      assert.ok(e instanceof ApiException);
      assert.equal(e.code, 429);
      assert.equal(e.headers["retry-after"], "3");
      return true;
    });
    const again = await core.readNamespacedPod({ name: "alpha", namespace: NS });
    assert.equal(again.metadata?.name, "alpha");
  });

  test("a slow answer waits on the world's clock, not the wall's", async () => {
    served.kube.faults.add({ verbs: ["get"], resources: ["pods"], times: 1, fault: { type: "slow", ms: 30_000 } });
    // The held answer is one more timer on the clock: wait for it to be armed before moving the time.
    const armed = clock.untilPending(clock.pending.length + 1);
    let answered = false;
    const reading = core.readNamespacedPod({ name: "alpha", namespace: NS }).then((pod) => {
      answered = true;
      return pod;
    });
    await armed;
    await clock.runFor(29_999);
    assert.equal(answered, false, "held until 30 s of simulated time have passed");
    await clock.runFor(1);
    assert.equal((await reading).metadata?.name, "alpha");
  });

  test("an informer sees add, update and delete, and survives a dropped watch and a 410 Gone by relisting", async () => {
    let lists = 0;
    const informer = makeInformer(kc, `/api/v1/namespaces/${NS}/pods`, () => {
      lists++;
      return core.listNamespacedPod({ namespace: NS });
    });
    let connects = 0;
    informer.on("connect", () => connects++);
    const errors: unknown[] = [];
    informer.on("error", (error) => errors.push(error));
    const listedAlpha = informerEvent(informer, "add", (p) => p.metadata?.name === "alpha", "alpha listed");
    await informer.start();
    await listedAlpha;

    const added = informerEvent(informer, "add", (p) => p.metadata?.name === "gamma", "gamma added");
    await core.createNamespacedPod({ namespace: NS, body: podBody("gamma") });
    await added;
    const updated = informerEvent(
      informer,
      "update",
      (p) => p.metadata?.name === "gamma" && p.metadata.labels?.seen === "yes",
      "gamma updated",
    );
    await core.patchNamespacedPod(
      { name: "gamma", namespace: NS, body: { metadata: { labels: { seen: "yes" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await updated;

    // The stream closes under it: the informer watches again from where it was and misses nothing.
    assert.equal(served.kube.faults.dropWatches({ resource: "pods" }), 1);
    const afterDrop = informerEvent(informer, "add", (p) => p.metadata?.name === "delta", "delta added after the drop");
    await core.createNamespacedPod({ namespace: NS, body: podBody("delta") });
    await afterDrop;
    assert.ok(connects >= 2, `reconnected (${connects} connects)`);
    assert.equal(lists, 1, "a dropped watch resumes from its resourceVersion, without a relist");

    // Dropped again, and its next watch held while gamma is deleted and 30 other writes push the event window
    // past its resourceVersion: the watch answers 410 Gone, and the informer relists and notices gamma is gone.
    served.kube.faults.add({ verbs: ["watch"], resources: ["pods"], times: 1, fault: { type: "slow", ms: 60_000 } });
    const gone = informerEvent(informer, "delete", (p) => p.metadata?.name === "gamma", "gamma deleted");
    const held = clock.untilPending(clock.pending.length + 1);
    served.kube.faults.dropWatches({ resource: "pods" });
    await held;
    await core.deleteNamespacedPod({ name: "gamma", namespace: NS });
    for (let i = 0; i < 30; i++)
      world.store.create(world.kind("", "v1", "configmaps"), NS, { metadata: { name: `filler-${i}` } });
    await clock.runFor(60_000);
    await gone;
    assert.equal(lists, 2, "the 410 made it list again");
    const cached = informer
      .list(NS)
      .map((p) => p.metadata?.name)
      .sort();
    const stored = world.store
      .list(world.kind("", "v1", "pods"), { namespace: NS })
      .items.map((p) => String(p.metadata?.name))
      .sort();
    assert.deepEqual(cached, stored, "the informer's cache equals the server's pods");
    assert.deepEqual(errors, []);
    await informer.stop();
  });
});
