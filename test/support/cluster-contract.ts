// One suite for the Cluster port (api/ports/cluster.ts), run against each implementation — in process over the
// world's store (sim/world/cluster-port.ts) and adapters/kube over HTTPS to the simulated API server — so both
// behave alike. The judge is the simulated store: what the port reads must be what the store holds, and what the
// port writes must be there afterwards. Leader election runs two electors on one fake clock.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ClusterError, isConflict } from "../../api/index.ts";
import type { Cluster, ClusterChange, ClusterObject, ClusterResource, KubeEvent } from "../../api/index.ts";
import { LeaderElector } from "../../adapters/kube/index.ts";
import type { ObjectStore } from "../../sim/index.ts";
import type { FakeClock } from "./fake-clock.ts";
import { guardAgainstHang } from "./hang-guard.ts";
import { kindOf, node, runPod } from "./sim-world.ts";

export interface ClusterHarness {
  store: ObjectStore;
  clock: FakeClock;
  /** A new, unstarted port over the same cluster (a second controller replica); resync off unless given. */
  connect(options?: { resyncPeriodMs?: number }): Cluster;
  stop(): Promise<void>;
}

/** Resolves with the first change of `resource` that `predicate` accepts (registered before the write). */
export function nextChange<T = ClusterObject>(
  cluster: Cluster,
  resource: ClusterResource,
  predicate: (change: ClusterChange<T>) => boolean,
  what: string,
): Promise<ClusterChange<T>> {
  return guardAgainstHang(
    new Promise((resolve) => {
      const off = cluster.onChange(resource, (change) => {
        if (!predicate(change as unknown as ClusterChange<T>)) return;
        off();
        resolve(change as unknown as ClusterChange<T>);
      });
    }),
    what,
  );
}

interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  fieldsV1?: { "f:metadata"?: { "f:labels"?: Record<string, unknown> } };
}

const named =
  (name: string, type?: ClusterChange<ClusterObject>["type"]) =>
  (change: ClusterChange<ClusterObject>): boolean =>
    change.object.metadata.name === name && (type === undefined || change.type === type);

/** Steps the fake clock by `periodMs` once a timer is armed, `times` times (the elector re-arms after each try). */
async function stepEach(clock: FakeClock, periodMs: number, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await clock.untilPending(1);
    clock.step(periodMs);
  }
  await clock.untilPending(1);
}

export function clusterContract(name: string, setup: () => Promise<ClusterHarness>): void {
  describe(`Cluster port contract: ${name}`, () => {
    test("list: the cache holds what the store held at start, and follows it", async () => {
      const h = await setup();
      try {
        const nodes = kindOf(h.store, "", "v1", "nodes");
        h.store.create(nodes, undefined, node("ip-10-0-1-1.ec2.internal"));
        h.store.create(nodes, undefined, node("ip-10-0-1-2.ec2.internal"));
        const cluster = h.connect();
        await cluster.start(["nodes", "pods", "nodepools"]);
        assert.deepEqual(
          cluster
            .list("nodes")
            .map((n) => n.metadata.name)
            .sort(),
          ["ip-10-0-1-1.ec2.internal", "ip-10-0-1-2.ec2.internal"],
        );
        assert.deepEqual(cluster.list("nodepools"), []);
        assert.equal(
          cluster.get("nodes", { name: "ip-10-0-1-2.ec2.internal" })?.metadata.name,
          "ip-10-0-1-2.ec2.internal",
        );
        assert.equal(cluster.get("nodes", { name: "absent" }), undefined);
        const added = nextChange(cluster, "nodes", named("ip-10-0-1-3.ec2.internal", "added"), "the third node");
        h.store.create(nodes, undefined, node("ip-10-0-1-3.ec2.internal"));
        await added;
        assert.equal(cluster.list("nodes").length, 3);
        await cluster.stop();
      } finally {
        await h.stop();
      }
    });

    test("watch: added, updated and deleted arrive in order, each update with the previous object", async () => {
      const h = await setup();
      try {
        const cluster = h.connect();
        await cluster.start(["nodes"]);
        const seen: ClusterChange<ClusterObject>[] = [];
        const deleted = nextChange(cluster, "nodes", named("n1", "deleted"), "the node's deletion");
        cluster.onChange("nodes", (change) => {
          if (change.object.metadata.name === "n1") seen.push(change as ClusterChange<ClusterObject>);
        });
        await cluster.create("nodes", node("n1") as never);
        await cluster.patch("nodes", { name: "n1" }, { type: "merge", patch: { metadata: { labels: { a: "1" } } } });
        await cluster.patch(
          "nodes",
          { name: "n1" },
          { type: "json", patch: [{ op: "add", path: "/metadata/labels/b", value: "2" }] },
        );
        assert.deepEqual(await cluster.delete("nodes", { name: "n1" }), { outcome: "deleted" });
        await deleted;
        assert.deepEqual(
          seen.map((c) => c.type),
          ["added", "updated", "updated", "deleted"],
        );
        const versions = seen.map((c) => Number(c.object.metadata.resourceVersion));
        assert.deepEqual(
          [...versions.slice(0, 3)].sort((a, b) => a - b),
          versions.slice(0, 3),
          "in write order",
        );
        const second = seen[2] as Extract<ClusterChange<ClusterObject>, { type: "updated" }>;
        assert.deepEqual(second.previous.metadata.labels, { "kubernetes.io/hostname": "n1", a: "1" });
        assert.deepEqual(second.object.metadata.labels, { "kubernetes.io/hostname": "n1", a: "1", b: "2" });
        assert.equal(cluster.get("nodes", { name: "n1" }), undefined);
        await cluster.stop();
      } finally {
        await h.stop();
      }
    });

    test("writes: create, read, update with a stale resourceVersion is a conflict, strategic patch", async () => {
      const h = await setup();
      try {
        const cluster = h.connect();
        const created = await cluster.create("nodes", node("n2") as never);
        const fresh = await cluster.read("nodes", { name: "n2" });
        assert.equal(fresh.metadata.uid, created.metadata.uid);
        await cluster.update("nodes", { ...fresh, metadata: { ...fresh.metadata, labels: { x: "1" } } });
        await assert.rejects(
          cluster.update("nodes", { ...fresh, metadata: { ...fresh.metadata, labels: { x: "2" } } }),
          (error: Error & { code?: number; reason?: string }) => error.code === 409 && error.reason === "Conflict",
        );
        await assert.rejects(
          cluster.read("nodes", { name: "absent" }),
          (error: Error & { code?: number }) => error.code === 404,
        );
        await cluster.patch(
          "nodes",
          { name: "n2" },
          {
            type: "strategic",
            patch: { spec: { taints: [{ key: "k", value: "v", effect: "NoSchedule" }] } },
          },
        );
        const stored = h.store.get(kindOf(h.store, "", "v1", "nodes"), undefined, "n2");
        assert.deepEqual((stored.spec as { taints: unknown }).taints, [{ key: "k", value: "v", effect: "NoSchedule" }]);
        assert.deepEqual((stored.metadata as { labels: unknown }).labels, { x: "1" });
      } finally {
        await h.stop();
      }
    });

    test("apply: creates; an identical apply writes nothing; another manager's value conflicts until forced; a dropped field goes", async () => {
      const h = await setup();
      try {
        const cluster = h.connect();
        const nodes = kindOf(h.store, "", "v1", "nodes");
        const labels = () => h.store.get(nodes, undefined, "n8").metadata?.labels as Record<string, string>;
        const owners = () =>
          (h.store.get(nodes, undefined, "n8").metadata?.managedFields as ManagedFieldsEntry[]).map((e) => [
            e.manager,
            e.operation,
            Object.keys(e.fieldsV1?.["f:metadata"]?.["f:labels"] ?? {}).sort(),
          ]);
        const created = await cluster.apply(
          "nodes",
          { metadata: { name: "n8", labels: { team: "a", tier: "web" } } },
          { fieldManager: "alpha" },
        );
        assert.deepEqual(labels(), { team: "a", tier: "web" });
        assert.deepEqual(owners(), [["alpha", "Apply", ["f:team", "f:tier"]]]);

        const again = await cluster.apply(
          "nodes",
          { metadata: { name: "n8", labels: { team: "a", tier: "web" } } },
          { fieldManager: "alpha" },
        );
        assert.equal(again.metadata.resourceVersion, created.metadata.resourceVersion, "nothing written");
        assert.equal(h.store.get(nodes, undefined, "n8").metadata?.resourceVersion, created.metadata.resourceVersion);

        // The API server's words (apiserver's managedfields conflict.go, NewConflictError): an applier is named
        // without a version.
        await assert.rejects(
          cluster.apply("nodes", { metadata: { name: "n8", labels: { team: "b" } } }, { fieldManager: "beta" }),
          (error: unknown) =>
            error instanceof ClusterError &&
            isConflict(error) &&
            error.reason === "Conflict" &&
            error.message === 'Apply failed with 1 conflict: conflict with "alpha": .metadata.labels.team',
        );
        assert.deepEqual(labels(), { team: "a", tier: "web" }, "the refused apply changed nothing");

        await cluster.apply(
          "nodes",
          { metadata: { name: "n8", labels: { team: "b" } } },
          { fieldManager: "beta", force: true },
        );
        assert.deepEqual(labels(), { team: "b", tier: "web" });
        assert.deepEqual(owners(), [
          ["alpha", "Apply", ["f:tier"]],
          ["beta", "Apply", ["f:team"]],
        ]);

        // alpha no longer applies tier: it is removed; team, now beta's, stays.
        await cluster.apply("nodes", { metadata: { name: "n8" } }, { fieldManager: "alpha" });
        assert.deepEqual(labels(), { team: "b" });
        assert.deepEqual(owners(), [["beta", "Apply", ["f:team"]]]);
      } finally {
        await h.stop();
      }
    });

    test("apply to status: owns only status, recorded with its subresource; a missing object is not found", async () => {
      const h = await setup();
      try {
        const cluster = h.connect();
        await cluster.apply("nodes", { metadata: { name: "n9", labels: { team: "a" } } }, { fieldManager: "alpha" });
        await cluster.apply(
          "nodes",
          { metadata: { name: "n9", labels: { team: "ignored" } }, status: { capacity: { cpu: "4" } } },
          { fieldManager: "kubelet", subresource: "status" },
        );
        const stored = h.store.get(kindOf(h.store, "", "v1", "nodes"), undefined, "n9");
        assert.deepEqual((stored.status as { capacity?: unknown }).capacity, { cpu: "4" });
        assert.deepEqual(stored.metadata?.labels, { team: "a" }, "a status write leaves metadata alone");
        const kubelet = (stored.metadata?.managedFields as (ManagedFieldsEntry & { subresource?: string })[]).find(
          (e) => e.manager === "kubelet",
        );
        assert.equal(kubelet?.operation, "Apply");
        assert.equal(kubelet?.subresource, "status");
        assert.deepEqual(Object.keys(kubelet?.fieldsV1 ?? {}), ["f:status"]);
        await assert.rejects(
          cluster.apply(
            "nodes",
            { metadata: { name: "absent" }, status: { capacity: { cpu: "4" } } },
            { fieldManager: "kubelet", subresource: "status" },
          ),
          (error: unknown) => error instanceof ClusterError && error.code === 404 && error.reason === "NotFound",
        );
      } finally {
        await h.stop();
      }
    });

    test("delete with a finalizer: finalizing until the finalizer is removed, then gone", async () => {
      const h = await setup();
      try {
        const cluster = h.connect();
        await cluster.start(["nodes"]);
        await cluster.create("nodes", node("n3") as never);
        await cluster.addFinalizer("nodes", { name: "n3" }, "karpenter.sh/termination");
        await cluster.addFinalizer("nodes", { name: "n3" }, "karpenter.sh/termination");
        const nodes = kindOf(h.store, "", "v1", "nodes");
        assert.deepEqual(h.store.get(nodes, undefined, "n3").metadata?.finalizers, ["karpenter.sh/termination"]);
        const marked = nextChange(
          cluster,
          "nodes",
          (c) => named("n3")(c) && !!c.object.metadata.deletionTimestamp,
          "n3 marked",
        );
        const outcome = await cluster.delete("nodes", { name: "n3" });
        assert.equal(outcome.outcome, "finalizing");
        await marked;
        assert.ok(
          cluster.get("nodes", { name: "n3" })?.metadata.deletionTimestamp,
          "the cache sees the deletion start",
        );
        const gone = nextChange(cluster, "nodes", named("n3", "deleted"), "n3 deleted");
        await cluster.removeFinalizer("nodes", { name: "n3" }, "karpenter.sh/termination");
        await gone;
        assert.equal(await cluster.removeFinalizer("nodes", { name: "n3" }, "karpenter.sh/termination"), undefined);
        assert.equal(h.store.find(nodes, undefined, "n3"), undefined);
        assert.deepEqual(await cluster.delete("nodes", { name: "n3" }), { outcome: "not-found" });
        await cluster.stop();
      } finally {
        await h.stop();
      }
    });

    test("cordon and taint: spec.unschedulable and taints keyed by key and effect", async () => {
      const h = await setup();
      try {
        const cluster = h.connect();
        await cluster.create("nodes", node("n4", { taints: [{ key: "keep", effect: "NoSchedule" }] }) as never);
        await cluster.cordon("n4");
        await cluster.taint("n4", { key: "karpenter.sh/disrupted", effect: "NoSchedule" });
        await cluster.taint("n4", { key: "karpenter.sh/disrupted", value: "x", effect: "NoSchedule" });
        const nodes = kindOf(h.store, "", "v1", "nodes");
        let spec = h.store.get(nodes, undefined, "n4").spec as { unschedulable?: boolean; taints?: unknown[] };
        assert.equal(spec.unschedulable, true);
        assert.deepEqual(spec.taints, [
          { key: "keep", effect: "NoSchedule" },
          { key: "karpenter.sh/disrupted", value: "x", effect: "NoSchedule" },
        ]);
        await cluster.taint("n4", { key: "karpenter.sh/disrupted", effect: "NoSchedule" }, { remove: true });
        await cluster.cordon("n4", false);
        spec = h.store.get(nodes, undefined, "n4").spec as { unschedulable?: boolean; taints?: unknown[] };
        assert.equal(spec.unschedulable, undefined);
        assert.deepEqual(spec.taints, [{ key: "keep", effect: "NoSchedule" }]);
      } finally {
        await h.stop();
      }
    });

    test("evict: evicted, blocked by a budget (429), misconfigured by two budgets (500), not found", async () => {
      const h = await setup();
      try {
        const { store } = h;
        store.create(kindOf(store, "", "v1", "nodes"), undefined, node("n5"));
        const pods = kindOf(store, "", "v1", "pods");
        const pdbs = kindOf(store, "policy", "v1", "poddisruptionbudgets");
        for (const [name, app] of [
          ["web-1", "web"],
          ["web-2", "web"],
          ["api-1", "api"],
          ["free-1", "free"],
        ]) {
          const pod = store.create(pods, "default", {
            metadata: { name, labels: { app } },
            spec: { containers: [{ name: "c", image: "nginx" }] },
          });
          runPod(store, pod, "n5");
        }
        const budget = (name: string, app: string, allowed: number): void => {
          const pdb = store.create(pdbs, "default", {
            metadata: { name },
            spec: { minAvailable: 1, selector: { matchLabels: { app } } },
          });
          store.update(
            pdbs,
            "default",
            name,
            {
              ...pdb,
              status: {
                observedGeneration: 1,
                disruptionsAllowed: allowed,
                currentHealthy: 2,
                desiredHealthy: 1,
                expectedPods: 2,
              },
            },
            { subresource: "status" },
          );
        };
        budget("web", "web", 0);
        budget("api-a", "api", 1);
        budget("api-b", "api", 1);
        const cluster = h.connect();
        const blocked = await cluster.evict({ namespace: "default", name: "web-1" });
        assert.equal(blocked.outcome, "blocked");
        assert.match(
          (blocked as { message: string }).message,
          /Cannot evict pod as it would violate the pod's disruption budget/,
        );
        const misconfigured = await cluster.evict({ namespace: "default", name: "api-1" });
        assert.equal(misconfigured.outcome, "misconfigured");
        assert.match((misconfigured as { message: string }).message, /more than one PodDisruptionBudget/);
        assert.deepEqual(await cluster.evict({ namespace: "default", name: "free-1" }), { outcome: "evicted" });
        assert.equal(store.find(pods, "default", "free-1"), undefined);
        assert.deepEqual(await cluster.evict({ namespace: "default", name: "free-1" }), { outcome: "not-found" });
        assert.ok(store.find(pods, "default", "web-1"), "the blocked pod stays");
      } finally {
        await h.stop();
      }
    });

    test("events: a repeat bumps count and lastTimestamp of one Event; ten similar ones are combined", async () => {
      const h = await setup();
      try {
        const cluster = h.connect();
        const involved = { apiVersion: "karpenter.sh/v1", kind: "NodeClaim", name: "default-x7k2p", uid: "u-1" };
        const record = (message: string) =>
          cluster.recordEvent({ involved, type: "Normal", reason: "Launched", message });
        await record("launched m5.large");
        h.clock.step(5000);
        await record("launched m5.large");
        await record("launched m5.large");
        const eventsKind = kindOf(h.store, "", "v1", "events");
        const events = () => h.store.list(eventsKind, { namespace: "default" }).items as unknown as KubeEvent[];
        assert.equal(events().length, 1);
        const [event] = events();
        assert.equal(event?.count, 3);
        assert.equal(event?.firstTimestamp, "2026-03-01T12:00:00Z");
        assert.equal(event?.lastTimestamp, "2026-03-01T12:00:05Z");
        assert.deepEqual(event?.involvedObject, involved);
        // client-go's EventAggregator: the 10th distinct message within 10 minutes (the first above counts) is
        // combined, and later ones count onto the combined event.
        for (let i = 2; i <= 11; i++) await record(`launched type ${i}`);
        const combined = events().filter((e) => e.message?.startsWith("(combined from similar events): "));
        assert.equal(events().length, 10, "nine distinct events and one combined");
        assert.equal(combined.length, 1);
        assert.equal(combined[0]?.message, "(combined from similar events): launched type 11");
        assert.equal(combined[0]?.count, 2);
      } finally {
        await h.stop();
      }
    });

    test("resync: every period re-delivers each cached object as an unchanged update, on the clock", async () => {
      const h = await setup();
      try {
        for (const name of ["n6", "n7"]) h.store.create(kindOf(h.store, "", "v1", "nodes"), undefined, node(name));
        const cluster = h.connect({ resyncPeriodMs: 60_000 });
        await cluster.start(["nodes"]);
        const seen: ClusterChange<ClusterObject>[] = [];
        cluster.onChange("nodes", (change) => seen.push(change as ClusterChange<ClusterObject>));
        assert.deepEqual(h.clock.pending, [60_000]);
        h.clock.step(59_999);
        assert.equal(seen.length, 0);
        h.clock.step(1);
        assert.deepEqual(
          seen.map((c) => [
            c.type,
            c.object.metadata.name,
            c.type === "updated" && c.resync,
            c.type === "updated" && c.previous === c.object,
          ]),
          [
            ["updated", "n6", true, true],
            ["updated", "n7", true, true],
          ],
        );
        assert.deepEqual(h.clock.pending, [60_000], "re-armed");
        await cluster.stop();
        assert.deepEqual(h.clock.pending, [], "stopped with the informers");
      } finally {
        await h.stop();
      }
    });

    test("leases: one leader; the other takes over only after the lease expires; a release hands over at once", async () => {
      const h = await setup();
      try {
        const base = { namespace: "kube-system", name: "poolkeeper-leader-election", clock: h.clock };
        const leading: string[] = [];
        const a = new LeaderElector(h.connect(), { ...base, identity: "a", onStartedLeading: () => leading.push("a") });
        const b = new LeaderElector(h.connect(), { ...base, identity: "b", onStartedLeading: () => leading.push("b") });
        a.start();
        await h.clock.untilPending(1);
        b.start();
        await h.clock.untilPending(2);
        assert.deepEqual([a.isLeader, b.isLeader], [true, false]);
        // a stops without releasing (a crash): b must wait out the 15 s lease it observed, trying every 2 s.
        await a.stop({ release: false });
        await stepEach(h.clock, 2000, 7);
        assert.equal(b.isLeader, false, "14 s after b saw the lease, it has not expired");
        await stepEach(h.clock, 2000, 1);
        assert.equal(b.isLeader, true, "16 s after, b holds it");
        const leases = kindOf(h.store, "coordination.k8s.io", "v1", "leases");
        const lease = h.store.get(leases, "kube-system", "poolkeeper-leader-election").spec as Record<string, unknown>;
        assert.equal(lease.holderIdentity, "b");
        assert.equal(lease.leaseTransitions, 1);
        // b steps down cleanly: the lease is released and a new candidate takes it at its first try.
        await b.stop();
        assert.equal(
          (h.store.get(leases, "kube-system", "poolkeeper-leader-election").spec as { holderIdentity?: string })
            .holderIdentity,
          "",
        );
        const c = new LeaderElector(h.connect(), { ...base, identity: "c", onStartedLeading: () => leading.push("c") });
        c.start();
        await h.clock.untilPending(1);
        assert.equal(c.isLeader, true);
        await c.stop();
        assert.deepEqual(leading, ["a", "b", "c"]);
      } finally {
        await h.stop();
      }
    });
  });
}
