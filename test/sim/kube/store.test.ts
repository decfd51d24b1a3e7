// The generic store on its own: selectors (the label-selector grammar and field selectors of the Kubernetes
// docs), resource versions, generation, optimistic concurrency, finalizers, watches from a resource version with
// bookmarks and 410 Expired, and paginated lists read at the first page's version.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ApiError,
  matchesLabels,
  ObjectStore,
  parseFieldSelector,
  parseLabelSelector,
  servedKindRegistry,
  type KubeObject,
  type WatchEvent,
} from "../../../sim/index.ts";

const registry = servedKindRegistry();
const configMaps = registry.get("", "v1", "configmaps");
const namespaces = registry.get("", "v1", "namespaces");
const pods = registry.get("", "v1", "pods");
const events = registry.get("", "v1", "events");
const nodePools = registry.get("karpenter.sh", "v1", "nodepools");

function newStore(limits: Record<string, number> = {}): ObjectStore {
  const store = new ObjectStore(registry, { clock: { now: () => new Date("2026-03-01T12:00:00.250Z") }, limits });
  store.create(namespaces, undefined, { metadata: { name: "default" } });
  return store;
}

const cm = (name: string, labels: Record<string, string> = {}, extra: Partial<KubeObject> = {}): KubeObject => ({
  metadata: { name, labels },
  data: { k: name },
  ...extra,
});

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return error;
  }
  assert.fail("expected an ApiError");
}

describe("label selectors", () => {
  // The examples of the Kubernetes documentation's "Labels and Selectors" page.
  const labels = { environment: "production", tier: "frontend", partition: "customerA", replicas: "3" };
  const cases: [string, boolean][] = [
    ["environment = production", true],
    ["environment == production", true],
    ["tier != frontend", false],
    ["environment=production,tier!=frontend", false],
    ["environment in (production, qa)", true],
    ["tier notin (frontend, backend)", false],
    ["partition", true],
    ["!partition", false],
    ["environment in (qa),partition", false],
    ["missing notin (a)", true],
    ["missing != a", true],
    ["replicas > 2", true],
    ["replicas < 2", false],
    ["", true],
  ];
  for (const [selector, expected] of cases) {
    test(`'${selector}' ${expected ? "matches" : "does not match"}`, () => {
      assert.equal(matchesLabels(parseLabelSelector(selector), labels), expected);
    });
  }

  test("bad selectors are a 400 naming the problem", () => {
    assert.equal(apiError(() => parseLabelSelector("a in b")).code, 400);
    assert.match(apiError(() => parseLabelSelector("a in (b")).message, /expected: '\)'/);
    assert.match(apiError(() => parseLabelSelector("-bad-=x")).message, /invalid label key "-bad-"/);
    assert.match(apiError(() => parseLabelSelector("a > b")).message, /must be an integer/);
  });
});

describe("field selectors", () => {
  test("parse =, == and != with escapes", () => {
    assert.deepEqual(parseFieldSelector("metadata.name=a\\,b,status.phase!=Running,spec.nodeName=="), [
      { field: "metadata.name", operator: "=", value: "a,b" },
      { field: "status.phase", operator: "!=", value: "Running" },
      { field: "spec.nodeName", operator: "=", value: "" },
    ]);
  });

  test("pods by spec.nodeName (empty: not scheduled) and status.phase; events by involvedObject", () => {
    const store = newStore();
    const pod = (name: string, nodeName?: string) => ({
      metadata: { name },
      spec: { containers: [{ name: "c", image: "i" }], ...(nodeName ? { nodeName } : {}) },
    });
    store.create(pods, "default", pod("a", "node-1"));
    store.create(pods, "default", pod("b"));
    const names = (selector: string, kind = pods) =>
      store.list(kind, { fieldSelector: parseFieldSelector(selector) }).items.map((o) => o.metadata?.name);
    assert.deepEqual(names("spec.nodeName="), ["b"]);
    assert.deepEqual(names("spec.nodeName=node-1,status.phase=Pending"), ["a"]);
    assert.deepEqual(names("metadata.name!=a"), ["b"]);
    store.create(events, "default", {
      metadata: { name: "e1" },
      involvedObject: { kind: "Pod", name: "a", namespace: "default" },
      reason: "Scheduled",
    });
    store.create(events, "default", {
      metadata: { name: "e2" },
      involvedObject: { kind: "Node", name: "node-1" },
      reason: "Ready",
    });
    assert.deepEqual(names("involvedObject.kind=Pod,involvedObject.name=a", events), ["e1"]);
    assert.deepEqual(names("involvedObject.kind!=Pod", events), ["e2"]);
    assert.equal(apiError(() => names("spec.containers=x")).message, "field label not supported: spec.containers");
    assert.equal(
      apiError(() => names("spec.weight=1", nodePools)).message,
      '"spec.weight" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });
});

describe("writes", () => {
  test("create stamps uid, creationTimestamp, generation and one increasing resourceVersion across kinds", () => {
    const store = newStore();
    const a = store.create(configMaps, "default", cm("a"));
    const b = store.create(namespaces, undefined, { metadata: { generateName: "team-" } });
    const meta = (o: KubeObject) => o.metadata as Record<string, unknown>;
    assert.match(String(meta(a).uid), /^[0-9a-f-]{36}$/);
    assert.equal(meta(a).creationTimestamp, "2026-03-01T12:00:00Z");
    assert.equal(meta(a).generation, 1);
    assert.equal(meta(a).namespace, "default");
    assert.ok(Number(meta(b).resourceVersion) > Number(meta(a).resourceVersion));
    // names.SimpleNameGenerator: five characters from "bcdfghjklmnpqrstvwxz2456789".
    assert.match(String(meta(b).name), /^team-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(apiError(() => store.create(configMaps, "default", cm("a"))).message, 'configmaps "a" already exists');
    assert.equal(
      apiError(() => store.create(configMaps, "nowhere", cm("x"))).message,
      'namespaces "nowhere" not found',
    );
  });

  test("generation moves on spec changes only; a stale resourceVersion is a 409 Conflict", () => {
    const store = newStore();
    const created = store.create(configMaps, "default", cm("a"));
    const relabeled = store.update(configMaps, "default", "a", {
      ...created,
      metadata: { ...created.metadata, labels: { x: "y" } },
    });
    assert.equal((relabeled.metadata as { generation: number }).generation, 1);
    const changed = store.update(configMaps, "default", "a", { ...relabeled, data: { k: "new" } });
    assert.equal((changed.metadata as { generation: number }).generation, 2);
    const conflict = apiError(() => store.update(configMaps, "default", "a", { ...created, data: { k: "stale" } }));
    assert.equal(conflict.code, 409);
    assert.equal(conflict.status.reason, "Conflict");
    assert.equal(
      conflict.message,
      'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
    );
    const same = store.update(configMaps, "default", "a", changed);
    assert.equal(
      (same.metadata as { resourceVersion: string }).resourceVersion,
      (changed.metadata as { resourceVersion: string }).resourceVersion,
    );
  });

  test("the status subresource writes status only, and the main resource leaves status alone", () => {
    const store = newStore();
    const pod = store.create(pods, "default", {
      metadata: { name: "p" },
      spec: { containers: [{ name: "c", image: "i" }] },
      status: { phase: "Running" },
    });
    assert.equal((pod.status as { phase: string }).phase, "Pending");
    const viaMain = store.update(pods, "default", "p", { ...pod, status: { phase: "Succeeded" } });
    assert.equal((viaMain.status as { phase: string }).phase, "Pending");
    const viaStatus = store.update(
      pods,
      "default",
      "p",
      { ...viaMain, spec: { containers: [] }, status: { phase: "Running" } },
      { subresource: "status" },
    );
    assert.equal((viaStatus.status as { phase: string }).phase, "Running");
    assert.equal((viaStatus.spec as { containers: unknown[] }).containers.length, 1);
  });

  test("finalizers hold a deletion: deletionTimestamp is set, and the object goes with its last finalizer", () => {
    const store = newStore();
    store.create(
      configMaps,
      "default",
      cm("held", {}, { metadata: { name: "held", finalizers: ["example.com/a", "example.com/b"] } }),
    );
    const seen: WatchEvent[] = [];
    store.watch(configMaps, { resourceVersion: String(store.resourceVersion) }, (e) => seen.push(e));
    const first = store.delete(configMaps, "default", "held");
    assert.equal(first.deleted, false);
    const meta = first.object.metadata as Record<string, unknown>;
    assert.equal(meta.deletionTimestamp, "2026-03-01T12:00:00Z");
    assert.equal(meta.deletionGracePeriodSeconds, 0);
    const adding = apiError(() =>
      store.update(configMaps, "default", "held", {
        ...first.object,
        metadata: { ...meta, finalizers: ["example.com/a", "example.com/b", "example.com/c"] },
      }),
    );
    assert.equal(adding.code, 422);
    const one = store.update(configMaps, "default", "held", {
      ...first.object,
      metadata: { ...meta, finalizers: ["example.com/b"] },
    });
    assert.equal(store.find(configMaps, "default", "held")?.metadata?.name, "held");
    store.update(configMaps, "default", "held", { ...one, metadata: { ...one.metadata, finalizers: [] } });
    assert.equal(store.find(configMaps, "default", "held"), undefined);
    assert.deepEqual(
      seen.map((e) => e.type),
      ["MODIFIED", "MODIFIED", "DELETED"],
    );
  });

  test("foreground deletion waits for dependents (foregroundDeletion finalizer); without dependents it deletes at once", () => {
    const store = newStore();
    const owner = store.create(configMaps, "default", cm("owner"));
    const uid = (owner.metadata as { uid: string }).uid;
    store.create(
      configMaps,
      "default",
      cm(
        "dependent",
        {},
        {
          metadata: {
            name: "dependent",
            ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid }],
          },
        },
      ),
    );
    const held = store.delete(configMaps, "default", "owner", { propagationPolicy: "Foreground" });
    assert.equal(held.deleted, false);
    assert.deepEqual((held.object.metadata as { finalizers: string[] }).finalizers, ["foregroundDeletion"]);
    assert.equal(store.delete(configMaps, "default", "dependent", { propagationPolicy: "Foreground" }).deleted, true);
  });

  test("Karpenter objects are validated by the CRD's schema and rules: a 422 Status with a cause per field", () => {
    const store = newStore();
    const error = apiError(() =>
      store.create(nodePools, undefined, {
        apiVersion: "karpenter.sh/v1",
        kind: "NodePool",
        metadata: { name: "bad" },
        spec: {
          template: {
            spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "d" }, requirements: [] },
          },
          disruption: { consolidateAfter: "soon" },
        },
      }),
    );
    assert.equal(error.code, 422);
    assert.equal(error.status.reason, "Invalid");
    assert.deepEqual(error.status.details?.causes?.[0], {
      reason: "FieldValueInvalid",
      field: "spec.disruption.consolidateAfter",
      // The pattern is the CRD's (karpenter.sh_nodepools.yaml).
      message: `Invalid value: "soon": spec.disruption.consolidateAfter in body should match '^(([0-9]+(s|m|h))+|Never)$'`,
    });
    assert.match(error.message, /^NodePool\.karpenter\.sh "bad" is invalid: /);
  });
});

describe("watches", () => {
  test("from a resourceVersion: the changes after it, then live events; leaving the selection is a DELETED", () => {
    const store = newStore();
    const first = store.create(configMaps, "default", cm("a", { app: "web" }));
    store.create(configMaps, "default", cm("b", { app: "web" }));
    store.create(configMaps, "default", cm("c", { app: "db" }));
    const seen: string[] = [];
    const watch = store.watch(
      configMaps,
      {
        resourceVersion: (first.metadata as { resourceVersion: string }).resourceVersion,
        labelSelector: parseLabelSelector("app=web"),
      },
      (e) => seen.push(`${e.type} ${String(e.object.metadata?.name)}`),
    );
    assert.deepEqual(seen, ["ADDED b"]);
    const b = store.get(configMaps, "default", "b");
    store.update(configMaps, "default", "b", { ...b, data: { k: "v2" } });
    store.update(configMaps, "default", "b", {
      ...store.get(configMaps, "default", "b"),
      metadata: { ...store.get(configMaps, "default", "b").metadata, labels: { app: "db" } },
    });
    store.update(configMaps, "default", "c", {
      ...store.get(configMaps, "default", "c"),
      metadata: { ...store.get(configMaps, "default", "c").metadata, labels: { app: "web" } },
    });
    store.delete(configMaps, "default", "a");
    watch.stop();
    store.delete(configMaps, "default", "c");
    assert.deepEqual(seen, ["ADDED b", "MODIFIED b", "DELETED b", "ADDED c", "DELETED a"]);
  });

  test("without a resourceVersion: the current objects as ADDED; bookmarks when allowed", () => {
    const store = newStore();
    store.create(configMaps, "default", cm("a"));
    const seen: WatchEvent[] = [];
    store.watch(configMaps, { allowWatchBookmarks: true, sendInitialEvents: true }, (e) => seen.push(e));
    store.emitBookmarks();
    assert.deepEqual(
      seen.map((e) => e.type),
      ["ADDED", "BOOKMARK", "BOOKMARK"],
    );
    assert.deepEqual(seen[1]?.object.metadata, {
      resourceVersion: String(store.resourceVersion),
      annotations: { "k8s.io/initial-events-end": "true" },
    });
    assert.deepEqual(seen[2]?.object, {
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: { resourceVersion: String(store.resourceVersion) },
    });
  });

  test("read-only watchers see the same events as copying ones, sharing one object per change", () => {
    const store = newStore();
    store.create(configMaps, "default", cm("a", { app: "web" }));
    const options = { labelSelector: parseLabelSelector("app=web") };
    const copied: WatchEvent[] = [];
    const shared: WatchEvent[][] = [[], []];
    store.watch(configMaps, options, (e) => copied.push(e));
    for (const seen of shared) store.watch(configMaps, { ...options, readOnly: true }, (e) => seen.push(e));
    store.create(configMaps, "default", cm("b", { app: "web" }));
    const b = store.get(configMaps, "default", "b");
    store.update(configMaps, "default", "b", { ...b, metadata: { ...b.metadata, labels: { app: "db" } } });
    store.delete(configMaps, "default", "a");
    assert.deepEqual(
      copied.map((e) => `${e.type} ${String(e.object.metadata?.name)} ${String(e.object.metadata?.resourceVersion)}`),
      ["ADDED a 2", "ADDED b 3", "DELETED b 4", "DELETED a 5"],
    );
    assert.deepEqual(shared[0], copied);
    assert.deepEqual(shared[1], copied);
    for (const [i, event] of copied.entries()) {
      assert.equal(
        shared[0]?.[i]?.object,
        shared[1]?.[i]?.object,
        `event ${i}: one object for both read-only watchers`,
      );
      assert.notEqual(event.object, shared[0]?.[i]?.object, `event ${i}: the copying watcher has its own`);
    }
    // The one that left the selection is as it was last seen (labels app=web), at the version of the change.
    assert.deepEqual(shared[0]?.[2]?.object.metadata?.labels, { app: "web" });
  });

  test("a resourceVersion older than the retained window is 410 Expired", () => {
    const store = newStore({ eventWindow: 3 });
    for (const name of ["a", "b", "c", "d", "e"]) store.create(configMaps, "default", cm(name));
    const error = apiError(() => store.watch(configMaps, { resourceVersion: "1" }, () => {}));
    assert.equal(error.code, 410);
    assert.equal(error.status.reason, "Expired");
    assert.equal(error.message, "too old resource version: 1 (3)");
    assert.doesNotThrow(() => store.watch(configMaps, { resourceVersion: "3" }, () => {}).stop());
  });

  test("at most maxWatches watches: more are 429", () => {
    const store = newStore({ maxWatches: 1 });
    const watch = store.watch(configMaps, {}, () => {});
    assert.equal(apiError(() => store.watch(configMaps, {}, () => {})).code, 429);
    watch.stop();
    assert.doesNotThrow(() => store.watch(configMaps, {}, () => {}));
  });
});

describe("lists", () => {
  test("a namespace's list holds its objects only, in name order, paged, as objects come and go", () => {
    const store = newStore();
    // Namespaces whose names sort around "a/" ("a-b" before it, "a0" and "ab" after it).
    for (const ns of ["a", "a-b", "a0", "ab"]) store.create(namespaces, undefined, { metadata: { name: ns } });
    for (const ns of ["ab", "a", "a0", "a-b"])
      for (const name of ["z", "m", "b"]) store.create(configMaps, ns, cm(name));
    const names = (ns: string) => store.list(configMaps, { namespace: ns }).items.map((o) => String(o.metadata?.name));
    for (const ns of ["a", "a-b", "a0", "ab"]) assert.deepEqual(names(ns), ["b", "m", "z"], ns);
    store.create(configMaps, "a", cm("c"));
    store.delete(configMaps, "a", "m");
    assert.deepEqual(names("a"), ["b", "c", "z"]);
    const page1 = store.list(configMaps, { namespace: "a", limit: 2 });
    assert.deepEqual(
      page1.items.map((o) => o.metadata?.name),
      ["b", "c"],
    );
    assert.equal(page1.remainingItemCount, 1);
    const page2 = store.list(configMaps, { namespace: "a", limit: 2, continue: page1.continue ?? "" });
    assert.deepEqual(
      page2.items.map((o) => o.metadata?.name),
      ["z"],
    );
    assert.equal(page2.continue, undefined);
    assert.equal(store.list(configMaps).items.length, 12);
  });

  test("limit and continue page through the state at the first page's resourceVersion", () => {
    const store = newStore();
    for (const name of ["a", "b", "c", "d", "e"]) store.create(configMaps, "default", cm(name));
    const page1 = store.list(configMaps, { limit: 2 });
    assert.deepEqual(
      page1.items.map((o) => o.metadata?.name),
      ["a", "b"],
    );
    assert.equal(page1.remainingItemCount, 3);
    assert.ok(page1.continue);
    // Changes after the first page are not seen by the pages that follow it.
    store.delete(configMaps, "default", "c");
    store.create(configMaps, "default", cm("bb"));
    const page2 = store.list(configMaps, { limit: 2, continue: page1.continue });
    assert.deepEqual(
      page2.items.map((o) => o.metadata?.name),
      ["c", "d"],
    );
    assert.equal(page2.resourceVersion, page1.resourceVersion);
    const page3 = store.list(configMaps, { limit: 2, continue: page2.continue ?? "" });
    assert.deepEqual(
      page3.items.map((o) => o.metadata?.name),
      ["e"],
    );
    assert.equal(page3.continue, undefined);
    assert.deepEqual(
      store.list(configMaps).items.map((o) => o.metadata?.name),
      ["a", "b", "bb", "d", "e"],
    );
  });

  test("a page size above maxPageSize is lowered; an expired continue token is 410", () => {
    const store = newStore({ maxPageSize: 2, eventWindow: 4 });
    for (const name of ["a", "b", "c"]) store.create(configMaps, "default", cm(name));
    const page = store.list(configMaps, { limit: 100 });
    assert.equal(page.items.length, 2);
    for (const name of ["x", "y", "z", "w", "v"]) store.create(configMaps, "default", cm(name));
    const error = apiError(() => store.list(configMaps, { continue: page.continue ?? "" }));
    assert.equal(error.code, 410);
    assert.match(error.message, /^The provided continue parameter is too old/);
    assert.equal(apiError(() => store.list(configMaps, { continue: "bm90LWEtdG9rZW4" })).code, 400);
  });
});
