// PodTopologySpread's Score (ScheduleAnyway constraints and the system defaults), checked against kubernetes/kubernetes
// pkg/scheduler/framework/plugins/podtopologyspread/scoring_test.go (commit 38f68d59a73f5685774b2f1e1d1921e231cc8ab4),
// TestPodTopologySpreadScore and TestPreScoreSkip. "failed nodes" are in the cluster but not among the feasible
// nodes PreScore is given. Left out: the rows for NodeInclusionPolicy or MatchLabelKeys disabled (both are on).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod, Service } from "../../../../sim/world/objects.ts";
import { podTopologySpreadScore } from "../../../../sim/world/scheduler/plugins/pod-topology-spread/scoring.ts";
import { pluginScores } from "./harness.ts";
import { makeLabelSelector, makeNode, makePod } from "./wrappers.ts";

const HOSTNAME = "kubernetes.io/hostname";
const fooSelector = makeLabelSelector().exists("foo").obj();
const barSelector = makeLabelSelector().exists("bar").obj();
const unschedulableTaint = [{ key: "node.kubernetes.io/unschedulable", value: "", effect: "NoSchedule" as const }];

/** A node with these labels, in order. */
function node(name: string, labels: Record<string, string>): Node {
  const wrapper = makeNode().name(name);
  for (const [key, value] of Object.entries(labels)) wrapper.label(key, value);
  return wrapper.obj();
}
const hostNode = (name: string) => node(name, { [HOSTNAME]: name });
const zoneHostNode = (name: string, zone: string) => node(name, { zone, [HOSTNAME]: name });

/** st.MakePod().Name(name).Node(nodeName) with these labels set to "". */
function existing(name: string, nodeName: string, ...labels: string[]): Pod {
  const wrapper = makePod().name(name).node(nodeName);
  for (const label of labels) wrapper.label(label, "");
  return wrapper.obj();
}
/** `count` pods labelled foo on each node, named p-<node suffix><i>. */
function fooPods(counts: Record<string, number>): Pod[] {
  return Object.entries(counts).flatMap(([nodeName, count]) =>
    Array.from({ length: count }, (_, i) => existing(`p-${nodeName.slice(5)}${i + 1}`, nodeName, "foo")),
  );
}

interface Case {
  name: string;
  pod: Pod;
  nodes: Node[];
  failedNodes?: Node[];
  existingPods: Pod[];
  services?: Service[];
  want: [string, number][];
}

const cases: Case[] = [
  {
    name: "one constraint on node, all nodes have the same number of matching pods",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, HOSTNAME, "ScheduleAnyway", fooSelector).obj(),
    existingPods: fooPods({ "node-a": 1, "node-b": 1 }),
    nodes: [hostNode("node-a"), hostNode("node-b")],
    want: [
      ["node-a", 100],
      ["node-b", 100],
    ],
  },
  {
    name: "one constraint on node, all 4 nodes are candidates",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, HOSTNAME, "ScheduleAnyway", fooSelector).obj(),
    existingPods: fooPods({ "node-a": 2, "node-b": 1, "node-d": 3 }),
    nodes: [hostNode("node-a"), hostNode("node-b"), hostNode("node-c"), hostNode("node-d")],
    want: [
      ["node-a", 20],
      ["node-b", 60],
      ["node-c", 100],
      ["node-d", 0],
    ],
  },
  {
    name: "one constraint on node, null selector",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, HOSTNAME, "ScheduleAnyway", undefined).obj(),
    existingPods: fooPods({ "node-a": 2, "node-b": 1, "node-d": 3 }),
    nodes: [hostNode("node-a"), hostNode("node-b"), hostNode("node-c"), hostNode("node-d")],
    want: [
      ["node-a", 100],
      ["node-b", 100],
      ["node-c", 100],
      ["node-d", 100],
    ],
  },
  {
    name: "one constraint on node, all 4 nodes are candidates, maxSkew=2",
    pod: makePod().name("p").label("foo", "").spreadConstraint(2, HOSTNAME, "ScheduleAnyway", fooSelector).obj(),
    existingPods: fooPods({ "node-a": 2, "node-b": 1, "node-d": 3 }),
    nodes: [hostNode("node-a"), hostNode("node-b"), hostNode("node-c"), hostNode("node-d")],
    want: [
      ["node-a", 33],
      ["node-b", 66],
      ["node-c", 100],
      ["node-d", 16],
    ],
  },
  {
    name: "one constraint on node, all 4 nodes are candidates, maxSkew=3",
    pod: makePod().name("p").label("foo", "").spreadConstraint(3, HOSTNAME, "ScheduleAnyway", fooSelector).obj(),
    existingPods: fooPods({ "node-a": 4, "node-b": 3, "node-c": 2, "node-d": 1 }),
    nodes: [hostNode("node-a"), hostNode("node-b"), hostNode("node-c"), hostNode("node-d")],
    want: [
      ["node-a", 44],
      ["node-b", 66],
      ["node-c", 77],
      ["node-d", 100],
    ],
  },
  {
    name: "system defaulting, nodes don't have zone, pods match service",
    pod: makePod().name("p").label("foo", "").obj(),
    existingPods: fooPods({ "node-a": 4, "node-b": 3, "node-c": 2, "node-d": 1 }),
    nodes: [hostNode("node-a"), hostNode("node-b"), hostNode("node-c"), hostNode("node-d")],
    services: [{ metadata: { name: "" }, spec: { selector: { foo: "" } } }],
    want: [
      ["node-a", 44],
      ["node-b", 66],
      ["node-c", 77],
      ["node-d", 100],
    ],
  },
  {
    name: "one constraint on node, 3 out of 4 nodes are candidates",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, HOSTNAME, "ScheduleAnyway", fooSelector).obj(),
    existingPods: fooPods({ "node-a": 4, "node-b": 2, "node-x": 1, "node-y": 3 }),
    nodes: [hostNode("node-a"), hostNode("node-b"), hostNode("node-x")],
    failedNodes: [hostNode("node-y")],
    want: [
      ["node-a", 33],
      ["node-b", 83],
      ["node-x", 100],
    ],
  },
  {
    name: "one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology key",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, HOSTNAME, "ScheduleAnyway", fooSelector).obj(),
    existingPods: fooPods({ "node-a": 4, "node-b": 2, "node-x": 1, "node-y": 3 }),
    nodes: [hostNode("node-a"), node("node-b", { n: "node-b" }), hostNode("node-x")],
    failedNodes: [hostNode("node-y")],
    want: [
      ["node-a", 16],
      ["node-b", 0],
      ["node-x", 100],
    ],
  },
  {
    name: "one constraint on zone, 3 out of 4 nodes are candidates",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "zone", "ScheduleAnyway", fooSelector).obj(),
    existingPods: fooPods({ "node-a": 4, "node-b": 2, "node-x": 1, "node-y": 3 }),
    nodes: [zoneHostNode("node-a", "zone1"), zoneHostNode("node-b", "zone1"), zoneHostNode("node-x", "zone2")],
    failedNodes: [zoneHostNode("node-y", "zone2")],
    want: [
      ["node-a", 75],
      ["node-b", 75],
      ["node-x", 100],
    ],
  },
  {
    name: "two Constraints on zone and node, 2 out of 4 nodes are candidates",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .spreadConstraint(1, "zone", "ScheduleAnyway", fooSelector)
      .spreadConstraint(1, HOSTNAME, "ScheduleAnyway", fooSelector)
      .obj(),
    existingPods: fooPods({ "node-a": 2, "node-b": 1, "node-x": 2, "node-y": 4 }),
    nodes: [zoneHostNode("node-a", "zone1"), zoneHostNode("node-x", "zone2")],
    failedNodes: [zoneHostNode("node-b", "zone1"), zoneHostNode("node-y", "zone2")],
    want: [
      ["node-a", 100],
      ["node-x", 63],
    ],
  },
  {
    name: "two Constraints on zone and node, with different labelSelectors",
    pod: zoneFooHostBar(),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-b1", "node-b", "foo", "bar"),
      existing("p-y1", "node-y", "foo"),
      existing("p-y2", "node-y", "bar"),
    ],
    nodes: fourZoned(),
    want: [
      ["node-a", 60],
      ["node-b", 20],
      ["node-x", 100],
      ["node-y", 60],
    ],
  },
  {
    name: "two Constraints on zone and node, with different labelSelectors, some nodes have 0 pods",
    pod: zoneFooHostBar(),
    existingPods: [
      existing("p-b1", "node-b", "bar"),
      existing("p-x1", "node-x", "foo"),
      existing("p-y1", "node-y", "foo", "bar"),
    ],
    nodes: fourZoned(),
    want: [
      ["node-a", 100],
      ["node-b", 60],
      ["node-x", 40],
      ["node-y", 0],
    ],
  },
  {
    name: "two Constraints on zone and node, with different labelSelectors, 3 out of 4 nodes are candidates",
    pod: zoneFooHostBar(),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-b1", "node-b", "foo", "bar"),
      existing("p-y1", "node-y", "foo"),
      existing("p-y2", "node-y", "bar"),
    ],
    nodes: fourZoned().slice(0, 3),
    failedNodes: fourZoned().slice(3),
    want: [
      ["node-a", 50],
      ["node-b", 25],
      ["node-x", 100],
    ],
  },
  {
    name: "existing pods in a different namespace do not count",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, HOSTNAME, "ScheduleAnyway", fooSelector).obj(),
    existingPods: [
      makePod().name("p-a1").namespace("ns1").node("node-a").label("foo", "").obj(),
      existing("p-a2", "node-a", "foo"),
      existing("p-b1", "node-b", "foo"),
      existing("p-b2", "node-b", "foo"),
    ],
    nodes: [hostNode("node-a"), hostNode("node-b")],
    want: [
      ["node-a", 100],
      ["node-b", 33],
    ],
  },
  {
    name: "terminating Pods should be excluded",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, HOSTNAME, "ScheduleAnyway", fooSelector).obj(),
    nodes: [hostNode("node-a"), hostNode("node-b")],
    existingPods: [
      makePod().name("p-a").node("node-a").label("foo", "").terminating().obj(),
      existing("p-b", "node-b", "foo"),
    ],
    want: [
      ["node-a", 100],
      ["node-b", 0],
    ],
  },
  {
    name: "minDomains has no effect when ScheduleAnyway",
    pod: makePod().name("p").label("foo", "").spreadConstraint(2, "node", "ScheduleAnyway", fooSelector, 10).obj(),
    nodes: ["node-a", "node-b", "node-c"].map((n) => node(n, { node: n })),
    existingPods: fooPods({ "node-a": 2, "node-b": 2, "node-c": 1 }),
    want: [
      ["node-a", 75],
      ["node-b", 75],
      ["node-c", 100],
    ],
  },
  {
    name: "NodeAffinityPolicy honoed with labelSelectors",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeSelector({ foo: "" })
      .spreadConstraint(1, "node", "ScheduleAnyway", fooSelector)
      .obj(),
    nodes: inclusionNodes(),
    existingPods: fooPods({ "node-a": 2, "node-b": 1, "node-c": 1 }),
    want: [
      ["node-a", 0],
      ["node-b", 33],
      ["node-c", 100],
    ],
  },
  {
    name: "NodeAffinityPolicy ignored with labelSelectors",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeSelector({ foo: "" })
      .spreadConstraint(1, "node", "ScheduleAnyway", fooSelector, undefined, "Ignore")
      .obj(),
    nodes: inclusionNodes(),
    existingPods: fooPods({ "node-a": 2, "node-b": 1, "node-c": 1 }),
    want: [
      ["node-a", 66],
      ["node-b", 100],
      ["node-c", 100],
    ],
  },
  {
    name: "NodeAffinityPolicy honoed with nodeAffinity",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeAffinityIn("foo", [""])
      .spreadConstraint(1, "node", "ScheduleAnyway", fooSelector)
      .obj(),
    nodes: inclusionNodes(),
    existingPods: fooPods({ "node-a": 2, "node-b": 1, "node-c": 1 }),
    want: [
      ["node-a", 0],
      ["node-b", 33],
      ["node-c", 100],
    ],
  },
  {
    name: "NodeAffinityPolicy ignored with nodeAffinity",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeAffinityIn("foo", [""])
      .spreadConstraint(1, "node", "ScheduleAnyway", fooSelector, undefined, "Ignore")
      .obj(),
    nodes: inclusionNodes(),
    existingPods: fooPods({ "node-a": 2, "node-b": 1, "node-c": 1 }),
    want: [
      ["node-a", 66],
      ["node-b", 100],
      ["node-c", 100],
    ],
  },
  {
    name: "NodeTaintsPolicy honored",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .spreadConstraint(1, "node", "ScheduleAnyway", fooSelector, undefined, undefined, "Honor")
      .obj(),
    nodes: taintedNodes(),
    existingPods: fooPods({ "node-a": 2, "node-b": 1, "node-c": 1 }),
    want: [
      ["node-a", 0],
      ["node-b", 33],
      ["node-c", 100],
    ],
  },
  {
    name: "NodeTaintsPolicy ignored",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "node", "ScheduleAnyway", fooSelector).obj(),
    nodes: taintedNodes(),
    existingPods: fooPods({ "node-a": 2, "node-b": 1, "node-c": 1 }),
    want: [
      ["node-a", 66],
      ["node-b", 100],
      ["node-c", 100],
    ],
  },
  {
    name: "matchLabelKeys ANDed with LabelSelector when LabelSelector is empty",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .label("bar", "")
      .spreadConstraint(1, "zone", "ScheduleAnyway", makeLabelSelector().obj(), undefined, undefined, undefined, [
        "foo",
      ])
      .spreadConstraint(1, HOSTNAME, "ScheduleAnyway", makeLabelSelector().obj(), undefined, undefined, undefined, [
        "bar",
      ])
      .obj(),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-b1", "node-b", "foo", "bar"),
      existing("p-y1", "node-c", "foo"),
      existing("p-y2", "node-c", "bar"),
    ],
    nodes: abcdZoned(),
    want: [
      ["node-a", 60],
      ["node-b", 20],
      ["node-c", 60],
      ["node-d", 100],
    ],
  },
  {
    name: "matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .label("bar", "")
      .label("baz", "")
      .spreadConstraint(1, "zone", "ScheduleAnyway", fooSelector)
      .spreadConstraint(1, HOSTNAME, "ScheduleAnyway", barSelector, undefined, undefined, undefined, ["baz"])
      .obj(),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-b1", "node-b", "foo", "bar", "baz"),
      existing("p-c1", "node-c", "foo"),
      existing("p-c2", "node-c", "bar"),
      existing("p-d3", "node-c", "bar", "baz"),
    ],
    nodes: abcdZoned(),
    want: [
      ["node-a", 60],
      ["node-b", 20],
      ["node-c", 60],
      ["node-d", 100],
    ],
  },
];

function zoneFooHostBar(): Pod {
  return makePod()
    .name("p")
    .label("foo", "")
    .label("bar", "")
    .spreadConstraint(1, "zone", "ScheduleAnyway", fooSelector)
    .spreadConstraint(1, HOSTNAME, "ScheduleAnyway", barSelector)
    .obj();
}

function fourZoned(): Node[] {
  return [
    zoneHostNode("node-a", "zone1"),
    zoneHostNode("node-b", "zone1"),
    zoneHostNode("node-x", "zone2"),
    zoneHostNode("node-y", "zone2"),
  ];
}

function abcdZoned(): Node[] {
  return [
    zoneHostNode("node-a", "zone1"),
    zoneHostNode("node-b", "zone1"),
    zoneHostNode("node-c", "zone2"),
    zoneHostNode("node-d", "zone2"),
  ];
}

/** node-a and node-b carry foo="", node-c does not. */
function inclusionNodes(): Node[] {
  return [
    node("node-a", { node: "node-a", foo: "" }),
    node("node-b", { node: "node-b", foo: "" }),
    node("node-c", { node: "node-c" }),
  ];
}

/** node-c has the node.kubernetes.io/unschedulable:NoSchedule taint. */
function taintedNodes(): Node[] {
  return [
    node("node-a", { node: "node-a" }),
    node("node-b", { node: "node-b" }),
    makeNode().name("node-c").label("node", "node-c").taints(unschedulableTaint).obj(),
  ];
}

describe("PodTopologySpread Score (TestPodTopologySpreadScore)", () => {
  for (const c of cases) {
    test(c.name, () => {
      const nodes = [...c.nodes, ...(c.failedNodes ?? [])];
      const cluster = { nodes, pods: c.existingPods, more: { services: c.services ?? [] } };
      const feasible = c.nodes.map((n) => n.metadata.name);
      const scores = pluginScores(podTopologySpreadScore, c.pod, cluster, feasible);
      assert.deepEqual(
        scores?.map((s) => [s.name, s.score]),
        c.want,
      );
    });
  }
});

describe("PodTopologySpread PreScore (TestPreScoreSkip)", () => {
  test("the pod doesn't have soft topology spread Constraints", () => {
    const nodes = [hostNode("node-a"), hostNode("node-b")];
    assert.equal(
      pluginScores(podTopologySpreadScore, makePod().name("p").namespace("default").obj(), { nodes }),
      undefined,
    );
  });

  test("default constraints and a replicaset that doesn't match", () => {
    // Upstream configures other default constraints; the pod's owner (rs2) is not in the cluster either way, so
    // the default selector is empty and scoring is skipped.
    const pod = makePod()
      .name("p")
      .namespace("default")
      .label("foo", "bar")
      .label("baz", "sup")
      .ownerReference("rs2", "apps/v1", "ReplicaSet")
      .obj();
    const more = {
      replicaSets: [
        {
          metadata: { namespace: "default", name: "rs1" },
          spec: { selector: makeLabelSelector().exists("tar").obj() },
        },
      ],
    };
    const nodes = [node("node-a", { [HOSTNAME]: "node-a", "topology.kubernetes.io/zone": "mars" })];
    assert.equal(pluginScores(podTopologySpreadScore, pod, { nodes, more }), undefined);
  });
});
