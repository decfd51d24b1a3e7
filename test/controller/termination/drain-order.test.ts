// The pure pieces of termination against Karpenter's rules: the eviction groups and skipped pods of its terminator
// (core:pkg/controllers/node/termination/terminator/terminator.go `groupPodsByPriority`, core:pkg/utils/pod
// `IsWaitingEviction`), `DeleteExpiringPods` at deadline − terminationGracePeriodSeconds, and the deadline from the
// termination-timestamp annotation or deletion + `terminationGracePeriod` — with a bad value named by object and field.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { NodeClaim, Pod } from "../../../api/index.ts";
import { drainPlan, evictionGroups, expiringPods, terminationDeadline } from "../../../controller/termination/index.ts";

const NOW = Date.parse("2026-04-06T09:00:00Z");

function pod(
  name: string,
  extra: { spec?: Record<string, unknown>; owner?: string; phase?: string; deleted?: string } = {},
): Pod {
  return {
    metadata: {
      name,
      namespace: "default",
      ...(extra.owner ? { ownerReferences: [{ apiVersion: "apps/v1", kind: extra.owner, name: "x", uid: "u" }] } : {}),
      ...(extra.deleted ? { deletionTimestamp: extra.deleted } : {}),
    },
    spec: { nodeName: "n", ...extra.spec },
    status: { phase: extra.phase ?? "Running" },
  };
}

describe("Karpenter's eviction order", () => {
  test("non-critical non-DaemonSet, non-critical DaemonSet, critical non-DaemonSet, critical DaemonSet", () => {
    const critical = { priorityClassName: "system-node-critical" };
    const groups = evictionGroups([
      pod("crit-ds", { spec: critical, owner: "DaemonSet" }),
      pod("crit", { spec: { priorityClassName: "system-cluster-critical" } }),
      pod("ds", { owner: "DaemonSet" }),
      pod("web", { owner: "ReplicaSet" }),
      pod("high", { spec: { priorityClassName: "high-priority" } }),
    ]);
    assert.deepEqual(
      groups.map((g) => g.map((p) => p.metadata.name)),
      [["web", "high"], ["ds"], ["crit"], ["crit-ds"]],
    );
  });

  test("the plan evicts only the first group with pods waiting, and waits for terminating ones without evicting them again", () => {
    const plan = drainPlan(
      [
        pod("web-going", { deleted: "2026-04-06T08:59:30Z" }),
        pod("ds", { owner: "DaemonSet" }),
        pod("tolerant", {
          spec: { tolerations: [{ key: "karpenter.sh/disrupted", operator: "Exists", effect: "NoSchedule" }] },
        }),
        pod("done", { phase: "Succeeded" }),
        pod("mirror", { owner: "Node" }),
        pod("stuck", { deleted: "2026-04-06T08:58:59Z" }),
      ],
      NOW,
    );
    assert.deepEqual(
      plan.waiting.map((p) => p.metadata.name),
      ["web-going", "ds"],
      "tolerating, finished, mirror and stuck-terminating pods are not waited for",
    );
    assert.deepEqual(plan.evictNow, [], "the first group's only pod is already terminating");
  });

  test("a toleration of every taint (operator Exists, no key) also skips the pod", () => {
    const plan = drainPlan([pod("all", { spec: { tolerations: [{ operator: "Exists" }] } })], NOW);
    assert.deepEqual(plan.waiting, []);
  });
});

describe("the deadline", () => {
  const claim = (metadata: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
    ({
      apiVersion: "karpenter.sh/v1",
      kind: "NodeClaim",
      metadata: { name: "default-x", ...metadata },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
        requirements: [],
        ...spec,
      },
    }) as NodeClaim;

  test("the annotation wins; else deletion + terminationGracePeriod; else none", () => {
    const annotated = claim({
      deletionTimestamp: "2026-04-06T09:00:00Z",
      annotations: { "karpenter.sh/nodeclaim-termination-timestamp": "2026-04-06T09:02:00Z" },
    });
    assert.equal(terminationDeadline(annotated), Date.parse("2026-04-06T09:02:00Z"));
    const graced = claim({ deletionTimestamp: "2026-04-06T09:00:00Z" }, { terminationGracePeriod: "1h30m" });
    assert.equal(terminationDeadline(graced), Date.parse("2026-04-06T10:30:00Z"));
    assert.equal(terminationDeadline(claim({ deletionTimestamp: "2026-04-06T09:00:00Z" })), undefined);
  });

  test("a bad value is an error naming the NodeClaim and the field", () => {
    const bad = claim({ annotations: { "karpenter.sh/nodeclaim-termination-timestamp": "soon" } });
    assert.throws(
      () => terminationDeadline(bad),
      /^Error: NodeClaim "default-x": metadata\.annotations\["karpenter\.sh\/nodeclaim-termination-timestamp"\]: "soon" is not an RFC 3339 time$/,
    );
    const graced = claim({ deletionTimestamp: "2026-04-06T09:00:00Z" }, { terminationGracePeriod: "forever" });
    assert.throws(() => terminationDeadline(graced), /^Error: NodeClaim "default-x": spec\.terminationGracePeriod: /);
  });

  test("pods are deleted from deadline − their terminationGracePeriodSeconds (30 s when unset)", () => {
    const deadline = NOW + 60_000;
    const pods = [
      pod("short", { spec: { terminationGracePeriodSeconds: 10 } }),
      pod("default"),
      pod("long", { spec: { terminationGracePeriodSeconds: 90 } }),
    ];
    assert.deepEqual(
      expiringPods(pods, deadline, NOW).map((p) => p.metadata.name),
      ["long"],
    );
    assert.deepEqual(
      expiringPods(pods, deadline, NOW + 30_000).map((p) => p.metadata.name),
      ["default", "long"],
    );
    assert.deepEqual(
      expiringPods(pods, deadline, NOW + 50_000).map((p) => p.metadata.name),
      ["short", "default", "long"],
    );
    assert.deepEqual(expiringPods(pods, undefined, NOW), []);
  });
});
