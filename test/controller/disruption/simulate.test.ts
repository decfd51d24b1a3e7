// What a consolidation's simulation schedules besides the candidates' pods, as Karpenter's SimulateScheduling
// (core:pkg/controllers/disruption/helpers.go, v1.14.1) does: the cluster's pending pods and the pods of nodes being
// deleted, in the same run, with the candidates and the deleting nodes left out; then only the running pods' fit
// decides (`AllNonPendingPodsScheduled`), and every new NodeClaim counts. The clusters are Node, NodeClaim and Pod
// objects through cluster state (`buildClusterState` → `disruptionSnapshot`), as `run` builds them. The cases are
// upstream's tests of the behaviour, named in each; sizes and prices are the catalog's columns (data/SOURCE.md:
// allocCpuMilli, onDemandUsd): m5.large 1930m $0.096/h, m5.xlarge 3920m $0.192/h, m5.2xlarge 7910m $0.384/h,
// m5.4xlarge 15890m $0.768/h.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Node, NodeClaim, Pod, PodDisruptionBudget } from "../../../api/index.ts";
import { fixedClock } from "../../../api/ports.ts";
import { type DisruptionPlan, disruptionSnapshot, plan } from "../../../controller/disruption/index.ts";
import { buildClusterState } from "../../../controller/state/index.ts";
import { instanceTypes, nodePool, typesByPool, ZONE } from "../../support/disruption-cluster.ts";

const NOW = new Date("2026-01-05T12:00:00Z");
const TYPES = instanceTypes(["m5.large", "m5.xlarge", "m5.2xlarge", "m5.4xlarge"]);
const POOL = nodePool("default", { budgets: [{ nodes: "100%" }] });

interface NodeSpec {
  readonly name: string;
  readonly type: string;
  readonly deleting?: boolean;
  readonly labels?: Record<string, string>;
}

function objects(spec: NodeSpec): { node: Node; nodeClaim: NodeClaim } {
  const providerID = `aws:///${ZONE}/i-${spec.name}`;
  const labels = {
    "karpenter.sh/nodepool": "default",
    "node.kubernetes.io/instance-type": spec.type,
    "karpenter.sh/capacity-type": "on-demand",
    "topology.kubernetes.io/zone": ZONE,
    ...(spec.labels ?? {}),
  };
  const deletion = spec.deleting === true ? { deletionTimestamp: "2026-01-05T11:59:00Z" } : {};
  return {
    node: {
      metadata: { name: spec.name, labels: { ...labels, "kubernetes.io/hostname": spec.name }, ...deletion },
      spec: { providerID },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    },
    nodeClaim: {
      apiVersion: "karpenter.sh/v1",
      kind: "NodeClaim",
      metadata: { name: `${spec.name}-claim`, labels, creationTimestamp: "2026-01-05T10:00:00Z", ...deletion },
      spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" }, requirements: [] },
      status: {
        providerID,
        nodeName: spec.name,
        conditions: [{ type: "Initialized", status: "True", lastTransitionTime: "2026-01-05T10:05:00Z" }],
      },
    } as NodeClaim,
  };
}

function pod(
  name: string,
  cpu: string,
  nodeName?: string,
  extra: { nodeSelector?: Record<string, string>; labels?: Record<string, string> } = {},
): Pod {
  return {
    metadata: { name, namespace: "default", ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      ...(nodeName === undefined ? {} : { nodeName }),
      ...(extra.nodeSelector ? { nodeSelector: extra.nodeSelector } : {}),
      containers: [{ name: "c", resources: { requests: { cpu, memory: "128Mi" } } }],
    },
    status:
      nodeName === undefined
        ? { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] }
        : { phase: "Running", startTime: "2026-01-05T10:06:00Z", conditions: [{ type: "Ready", status: "True" }] },
  };
}

function planOver(nodes: readonly NodeSpec[], pods: readonly Pod[], pdbs: readonly PodDisruptionBudget[] = []) {
  const built = nodes.map(objects);
  const byName = new Map(TYPES.map((t) => [t.name, t]));
  const state = buildClusterState({
    nodes: built.map((b) => b.node),
    nodeClaims: built.map((b) => b.nodeClaim),
    pods,
    daemonSets: [],
    nominations: new Map(),
    instanceTypeOf: (claim) => byName.get(claim.metadata.labels?.["node.kubernetes.io/instance-type"] ?? ""),
    now: NOW,
  });
  return plan(disruptionSnapshot(state, pdbs), { nodePools: [POOL] }, typesByPool([POOL], TYPES), fixedClock(NOW));
}

const actions = (p: DisruptionPlan) =>
  p.commands.map((c) => [c.candidates.map((n) => n.node), c.replacements.map((r) => r.instanceTypes[0])]);
const why = (p: DisruptionPlan, node: string) => p.blocked.find((b) => b.node === node)?.message;

describe("consolidation's simulation: pending pods", () => {
  // emptiness_test.go "considers pending pods when consolidating": a large node holds one small pod, and a pending
  // pod needs the large type. Alone, the small pod would move to an m5.large; with the pending pod in the same run
  // both need one m5.4xlarge, no cheaper than the candidate, so the node stays.
  test("a pending pod that needs the candidate's size keeps the candidate", () => {
    const p = planOver([{ name: "big", type: "m5.4xlarge" }], [pod("small", "1", "big"), pod("huge", "14")]);
    assert.deepEqual(actions(p), []);
    assert.match(
      why(p, "big") ?? "",
      /no cheaper replacement: its pods need a node of \$0\.768\/h, it costs \$0\.768\/h/,
    );
  });

  // consolidation_test.go "can delete nodes with a permanently pending pod": a pending pod that fits on no node
  // (its nodeSelector matches nothing) does not stop node b's one pod from moving to node a (together, 3.5 CPU, they
  // would need an m5.xlarge, their own type: no multi-node command).
  test("a pending pod that fits nowhere does not block a delete", () => {
    const p = planOver(
      [
        { name: "a", type: "m5.xlarge" },
        { name: "b", type: "m5.xlarge" },
      ],
      [
        pod("p0", "1500m", "a"),
        pod("p1", "1500m", "a"),
        pod("p2", "500m", "b"),
        pod("stuck", "100m", undefined, { nodeSelector: { "non-existent": "node-label" } }),
      ],
    );
    assert.deepEqual(actions(p), [[["b"], []]]);
  });

  // consolidation_test.go "should not consolidate a node that is launched for pods on a deleting node": five 1-CPU
  // pods left a deleting node; a new m5.2xlarge runs two and three are still pending. Alone, the two would move to
  // an m5.xlarge; with the three they need an m5.2xlarge again, so the new node stays.
  test("the pods still pending for a new node keep it", () => {
    const p = planOver(
      [
        { name: "old", type: "m5.2xlarge", deleting: true },
        { name: "new", type: "m5.2xlarge" },
      ],
      [pod("r0", "1", "new"), pod("r1", "1", "new"), pod("r2", "1"), pod("r3", "1"), pod("r4", "1")],
    );
    assert.deepEqual(actions(p), []);
    assert.match(why(p, "new") ?? "", /no cheaper replacement/);
  });
});

describe("consolidation's simulation: pods of nodes being deleted", () => {
  // helpers.go SimulateScheduling appends `deletingNodes.CurrentlyReschedulablePods` to the pods it schedules: the
  // same case as above with the three pods still bound to the deleting node.
  test("a deleting node's pods need room too", () => {
    const p = planOver(
      [
        { name: "old", type: "m5.2xlarge", deleting: true },
        { name: "new", type: "m5.2xlarge" },
      ],
      [
        pod("r0", "1", "new"),
        pod("r1", "1", "new"),
        pod("r2", "1", "old"),
        pod("r3", "1", "old"),
        pod("r4", "1", "old"),
      ],
    );
    assert.deepEqual(actions(p), []);
    assert.match(why(p, "new") ?? "", /no cheaper replacement/);
  });

  // pdb.go IsCurrentlyReschedulable: a pod a PDB blocks for good (maxUnavailable 0) is not made room for, since no
  // one knows when it can be evicted; the new node's two pods then move to an m5.xlarge.
  test("a deleting node's pod under a PDB that never allows eviction is not made room for", () => {
    const guarded = { labels: { app: "guarded" } };
    const pdb: PodDisruptionBudget = {
      metadata: { name: "guarded", namespace: "default" },
      spec: { maxUnavailable: 0, selector: { matchLabels: { app: "guarded" } } },
      status: { disruptionsAllowed: 0 },
    };
    const p = planOver(
      [
        { name: "old", type: "m5.2xlarge", deleting: true },
        { name: "new", type: "m5.2xlarge" },
      ],
      [
        pod("r0", "1", "new"),
        pod("r1", "1", "new"),
        pod("r2", "1", "old", guarded),
        pod("r3", "1", "old", guarded),
        pod("r4", "1", "old", guarded),
      ],
      [pdb],
    );
    assert.deepEqual(actions(p), [[["new"], ["m5.xlarge"]]]);
  });

  // scheduler.go AllNonPendingPodsScheduled counts every bound pod's error, a deleting node's as a candidate's: a
  // pod of the deleting node that fits on no other node (its nodeSelector held only there) blocks the command.
  test("a deleting node's pod that fits nowhere blocks, as a candidate's would", () => {
    const p = planOver(
      [
        { name: "old", type: "m5.xlarge", deleting: true, labels: { only: "old" } },
        { name: "a", type: "m5.xlarge" },
        { name: "b", type: "m5.xlarge" },
      ],
      [pod("pinned", "100m", "old", { nodeSelector: { only: "old" } }), pod("a0", "500m", "a"), pod("b0", "500m", "b")],
    );
    assert.deepEqual(actions(p), []);
    assert.match(why(p, "a") ?? "", /pod default\/pinned would fit nowhere else/);
  });
});
