// NodeAffinity, checked against kube-scheduler's own tables, transcribed from kubernetes/kubernetes
// pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go (commit 17bae91f207a5f2b101e581c90f7a72fc9adef96).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type {
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  PreferredSchedulingTerm,
} from "../../../../sim/world/objects.ts";
import { nodeAffinityFilter, nodeAffinityScore } from "../../../../sim/world/scheduler/plugins/node-affinity.ts";
import { SchedulerInputError } from "../../../../sim/world/scheduler/input-error.ts";
import { Snapshot } from "../../../../sim/world/scheduler/snapshot.ts";
import { pluginScores } from "./harness.ts";
import { makeNode, makePod } from "./wrappers.ts";

const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
const UNRESOLVABLE_POD = { code: "UnschedulableAndUnresolvable", reasons: [ERR_REASON_POD] } as const;

const expr = (
  key: string,
  operator: NodeSelectorRequirement["operator"],
  values?: string[],
): NodeSelectorRequirement => (values === undefined ? { key, operator } : { key, operator, values });
const nameIn = (...values: string[]): NodeSelectorRequirement => ({ key: "metadata.name", operator: "In", values });
const requiredPod = (...terms: NodeSelectorTerm[]): Pod => ({
  metadata: { name: "" },
  spec: {
    containers: [],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } },
  },
});
const withNodeSelector = (pod: Pod, nodeSelector: Record<string, string>): Pod => ({
  ...pod,
  spec: { ...pod.spec, nodeSelector },
});

interface FilterCase {
  name: string;
  pod: Pod;
  labels?: Record<string, string>;
  nodeName?: string;
  /** undefined: Success. */
  wantStatus?: typeof UNRESOLVABLE_POD;
  wantPreFilter?: "Skip" | { nodeNames: string[] } | { reason: string };
}

// TestNodeAffinity. Left out: the three cases with NodeAffinityArgs.AddedAffinity (a profile argument the default
// profile does not set). The two "even if PreFilter is not called" cases run PreFilter here, as the framework does.
const filterCases: FilterCase[] = [
  { name: "missing labels", pod: makePod().nodeSelector({ foo: "bar" }).obj(), wantStatus: UNRESOLVABLE_POD },
  { name: "same labels", pod: makePod().nodeSelector({ foo: "bar" }).obj(), labels: { foo: "bar" } },
  {
    name: "node labels are superset",
    pod: makePod().nodeSelector({ foo: "bar" }).obj(),
    labels: { foo: "bar", baz: "blah" },
  },
  {
    name: "node labels are subset",
    pod: makePod().nodeSelector({ foo: "bar", baz: "blah" }).obj(),
    labels: { foo: "bar" },
    wantStatus: UNRESOLVABLE_POD,
  },
  {
    name: "Pod with matchExpressions using In operator that matches the existing node",
    pod: requiredPod({ matchExpressions: [expr("foo", "In", ["bar", "value2"])] }),
    labels: { foo: "bar" },
  },
  {
    name: "Pod with matchExpressions using Gt operator that matches the existing node",
    pod: requiredPod({ matchExpressions: [expr("kernel-version", "Gt", ["0204"])] }),
    labels: { "kernel-version": "0206" },
  },
  {
    name: "Pod with matchExpressions using NotIn operator that matches the existing node",
    pod: requiredPod({ matchExpressions: [expr("mem-type", "NotIn", ["DDR", "DDR2"])] }),
    labels: { "mem-type": "DDR3" },
  },
  {
    name: "Pod with matchExpressions using Exists operator that matches the existing node",
    pod: requiredPod({ matchExpressions: [expr("GPU", "Exists")] }),
    labels: { GPU: "NVIDIA-GRID-K1" },
  },
  {
    name: "Pod with affinity that don't match node's labels won't schedule onto the node",
    pod: requiredPod({ matchExpressions: [expr("foo", "In", ["value1", "value2"])] }),
    labels: { foo: "bar" },
    wantStatus: UNRESOLVABLE_POD,
  },
  {
    name: "Pod with empty MatchExpressions is not a valid value will match no objects and won't schedule onto the node",
    pod: requiredPod({ matchExpressions: [] }),
    labels: { foo: "bar" },
    wantStatus: UNRESOLVABLE_POD,
  },
  {
    name: "Pod with no Affinity will schedule onto a node",
    pod: makePod().obj(),
    labels: { foo: "bar" },
    wantPreFilter: "Skip",
  },
  {
    name: "Pod with Affinity but nil NodeSelector will schedule onto a node",
    pod: { metadata: { name: "" }, spec: { containers: [], affinity: { nodeAffinity: {} } } },
    labels: { foo: "bar" },
    wantPreFilter: "Skip",
  },
  {
    name: "Pod with multiple matchExpressions ANDed that matches the existing node",
    pod: requiredPod({ matchExpressions: [expr("GPU", "Exists"), expr("GPU", "NotIn", ["AMD", "INTER"])] }),
    labels: { GPU: "NVIDIA-GRID-K1" },
  },
  {
    name: "Pod with multiple matchExpressions ANDed that doesn't match the existing node",
    pod: requiredPod({ matchExpressions: [expr("GPU", "Exists"), expr("GPU", "In", ["AMD", "INTER"])] }),
    labels: { GPU: "NVIDIA-GRID-K1" },
    wantStatus: UNRESOLVABLE_POD,
  },
  {
    name: "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node",
    pod: requiredPod(
      { matchExpressions: [expr("foo", "In", ["bar", "value2"])] },
      { matchExpressions: [expr("diffkey", "In", ["wrong", "value2"])] },
    ),
    labels: { foo: "bar" },
  },
  {
    name: "Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, will schedule onto the node",
    pod: withNodeSelector(requiredPod({ matchExpressions: [expr("foo", "Exists")] }), { foo: "bar" }),
    labels: { foo: "bar" },
  },
  {
    name: "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule onto the node",
    pod: withNodeSelector(requiredPod({ matchExpressions: [expr("foo", "Exists")] }), { foo: "bar" }),
    labels: { foo: "barrrrrr" },
    wantStatus: UNRESOLVABLE_POD,
  },
  {
    name: "Pod with an invalid value in Affinity term won't be scheduled onto the node",
    pod: requiredPod({ matchExpressions: [expr("foo", "NotIn", ["invalid value: ___@#$%^"])] }),
    labels: { foo: "bar" },
    wantStatus: UNRESOLVABLE_POD,
  },
  {
    name: "Pod with matchFields using In operator that matches the existing node",
    pod: requiredPod({ matchFields: [nameIn("node1")] }),
    nodeName: "node1",
    wantPreFilter: { nodeNames: ["node1"] },
  },
  {
    name: "Pod with matchFields using In operator that does not match the existing node",
    pod: requiredPod({ matchFields: [nameIn("node1")] }),
    nodeName: "node2",
    wantStatus: UNRESOLVABLE_POD,
    wantPreFilter: { nodeNames: ["node1"] },
  },
  {
    name: "Pod with two terms: matchFields does not match, but matchExpressions matches",
    pod: requiredPod(
      { matchFields: [nameIn("node1"), nameIn("node2")] },
      { matchExpressions: [expr("foo", "In", ["bar"])] },
    ),
    nodeName: "node2",
    labels: { foo: "bar" },
  },
  {
    name: "Pod with one term: matchFields does not match, but matchExpressions matches",
    pod: requiredPod({ matchFields: [nameIn("node1")], matchExpressions: [expr("foo", "In", ["bar"])] }),
    nodeName: "node2",
    labels: { foo: "bar" },
    wantPreFilter: { nodeNames: ["node1"] },
    wantStatus: UNRESOLVABLE_POD,
  },
  {
    name: "Pod with one term: both matchFields and matchExpressions match",
    pod: requiredPod({ matchFields: [nameIn("node1")], matchExpressions: [expr("foo", "In", ["bar"])] }),
    nodeName: "node1",
    labels: { foo: "bar" },
    wantPreFilter: { nodeNames: ["node1"] },
  },
  {
    name: "Pod with two terms: both matchFields and matchExpressions do not match",
    pod: requiredPod(
      { matchFields: [nameIn("node1")] },
      { matchExpressions: [expr("foo", "In", ["not-match-to-bar"])] },
    ),
    nodeName: "node2",
    labels: { foo: "bar" },
    wantStatus: UNRESOLVABLE_POD,
  },
  {
    name: "Pod with two terms of node.Name affinity",
    pod: requiredPod({ matchFields: [nameIn("node1")] }, { matchFields: [nameIn("node2")] }),
    nodeName: "node2",
    wantPreFilter: { nodeNames: ["node1", "node2"] },
  },
  {
    name: "Pod with two conflicting mach field requirements",
    pod: requiredPod({ matchFields: [nameIn("node1"), nameIn("node2")] }),
    nodeName: "node2",
    labels: { foo: "bar" },
    wantPreFilter: { reason: "pod affinity terms conflict" },
    wantStatus: UNRESOLVABLE_POD,
  },
  {
    name: "Matches node selector correctly even if PreFilter is not called",
    pod: makePod().nodeSelector({ foo: "bar" }).obj(),
    labels: { foo: "bar", baz: "blah" },
  },
  {
    name: "Matches node affinity correctly even if PreFilter is not called",
    pod: requiredPod({ matchExpressions: [expr("GPU", "Exists"), expr("GPU", "NotIn", ["AMD", "INTER"])] }),
    labels: { GPU: "NVIDIA-GRID-K1" },
  },
];

describe("NodeAffinity Filter (TestNodeAffinity)", () => {
  for (const c of filterCases) {
    test(c.name, () => {
      const node = makeNode()
        .name(c.nodeName ?? "")
        .obj();
      node.metadata.labels = c.labels;
      const snapshot = new Snapshot({ nodes: [node], pods: [] });
      const outcome = nodeAffinityFilter.preFilter?.(c.pod, snapshot);
      assert.ok(outcome !== undefined);
      if (outcome.code === "Skip") {
        assert.equal(c.wantPreFilter, "Skip");
        return;
      }
      assert.notEqual(c.wantPreFilter, "Skip");
      const want = c.wantPreFilter;
      assert.deepEqual(
        outcome.nodeNames === undefined ? undefined : [...outcome.nodeNames].sort(),
        want !== undefined && want !== "Skip" && "nodeNames" in want ? want.nodeNames : undefined,
      );
      assert.deepEqual(
        outcome.status?.reasons,
        want !== undefined && want !== "Skip" && "reason" in want ? [want.reason] : undefined,
      );
      const nodeInfo = snapshot.get(node.metadata.name);
      // As upstream, PreFilter writes its state before it reports a conflict, and Filter still reads it.
      assert.ok(nodeInfo !== undefined && outcome.state !== undefined);
      const got = nodeAffinityFilter.filter(c.pod, nodeInfo, outcome.state);
      assert.deepEqual(got === undefined ? undefined : { code: got.code, reasons: got.reasons }, c.wantStatus);
    });
  }
});

const label1 = { foo: "bar" };
const label2 = { key: "value" };
const label3 = { az: "az1" };
const label4 = { abc: "az11", def: "az22" };
const label5 = { foo: "bar", key: "value", az: "az1" };
const preferredPod = (...terms: PreferredSchedulingTerm[]): Pod => ({
  metadata: { name: "" },
  spec: { containers: [], affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms } } },
});
const affinity1 = preferredPod({ weight: 2, preference: { matchExpressions: [expr("foo", "In", ["bar"])] } });
const affinity2 = preferredPod(
  { weight: 2, preference: { matchExpressions: [expr("foo", "In", ["bar"])] } },
  { weight: 4, preference: { matchExpressions: [expr("key", "In", ["value"])] } },
  {
    weight: 5,
    preference: {
      matchExpressions: [expr("foo", "In", ["bar"]), expr("key", "In", ["value"]), expr("az", "In", ["az1"])],
    },
  },
);
const labelled = (name: string, labels: Record<string, string>) => {
  const node = makeNode().name(name).obj();
  node.metadata.labels = labels;
  return node;
};

// TestNodeAffinityPriority (the "added affinity" cases use a profile argument and are left out).
describe("NodeAffinity Score (TestNodeAffinityPriority)", () => {
  test("Skip is returned in PreScore when NodeAffinity is nil", () => {
    assert.equal(pluginScores(nodeAffinityScore, makePod().obj(), { nodes: [labelled("node1", label1)] }), undefined);
  });

  test("PreScore returns error when an incoming Pod has a broken affinity", () => {
    const broken = preferredPod({ weight: 2, preference: { matchExpressions: [expr("invalid key", "In", ["bar"])] } });
    assert.throws(
      () => pluginScores(nodeAffinityScore, broken, { nodes: [labelled("node1", label1)] }),
      (error: unknown) =>
        error instanceof SchedulerInputError && /matchExpressions\[0\]\.key: "invalid key"/.test(error.message),
    );
  });

  const cases: [string, Pod, [string, Record<string, string>][], [string, number][]][] = [
    [
      "no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero",
      affinity1,
      [
        ["node1", label4],
        ["node2", label2],
        ["node3", label3],
      ],
      [
        ["node1", 0],
        ["node2", 0],
        ["node3", 0],
      ],
    ],
    [
      "only node1 matches the preferred scheduling requirements of pod",
      affinity1,
      [
        ["node1", label1],
        ["node2", label2],
        ["node3", label3],
      ],
      [
        ["node1", 100],
        ["node2", 0],
        ["node3", 0],
      ],
    ],
    [
      "all nodes matches the preferred scheduling requirements of pod but with different priorities ",
      affinity2,
      [
        ["node1", label1],
        ["node5", label5],
        ["node2", label2],
      ],
      [
        ["node1", 18],
        ["node5", 100],
        ["node2", 36],
      ],
    ],
  ];
  for (const [name, pod, nodes, expected] of cases) {
    test(name, () => {
      const scores = pluginScores(nodeAffinityScore, pod, { nodes: nodes.map(([n, l]) => labelled(n, l)) });
      assert.deepEqual(
        scores?.map((s) => [s.name, s.score]),
        expected,
      );
    });
  }
});
