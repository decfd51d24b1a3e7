// PodTopologySpread's Filter (DoNotSchedule constraints), checked against kubernetes/kubernetes
// pkg/scheduler/framework/plugins/podtopologyspread/filtering_test.go (commit e7827879dbc282e7f5103451dc63169e964b6bb7),
// TestSingleConstraint and TestMultipleConstraints. As upstream, only this plugin runs: a node that another plugin
// would reject (node affinity, taints) can still be "Success" here.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod } from "../../../../sim/world/objects.ts";
import type { Code } from "../../../../sim/world/scheduler/framework.ts";
import { podTopologySpreadFilter } from "../../../../sim/world/scheduler/plugins/pod-topology-spread/filtering.ts";
import { filterCodes } from "./harness.ts";
import { makeLabelSelector, makeNode, makePod } from "./wrappers.ts";

const fooSelector = makeLabelSelector().exists("foo").obj();
const barSelector = makeLabelSelector().exists("bar").obj();

/** st.MakeNode().Name(name).Label("zone", zone).Label("node", name); a missing zone leaves the label out. */
function node(name: string, zone?: string): Node {
  const wrapper = makeNode().name(name);
  if (zone !== undefined) wrapper.label("zone", zone);
  return wrapper.label("node", name).obj();
}

/** st.MakePod().Name(name).Node(nodeName).Label(key, ""). */
const existing = (name: string, nodeName: string, ...labels: string[]): Pod => {
  const wrapper = makePod().name(name).node(nodeName);
  for (const label of labels) wrapper.label(label, "");
  return wrapper.obj();
};

const fourNodes = () => [
  node("node-a", "zone1"),
  node("node-b", "zone1"),
  node("node-x", "zone2"),
  node("node-y", "zone2"),
];

interface Case {
  name: string;
  pod: Pod;
  nodes: Node[];
  existingPods?: Pod[];
  want: Record<string, Code>;
}

const S = "Success";
const U = "Unschedulable";
const UU = "UnschedulableAndUnresolvable";

const singleConstraint: Case[] = [
  {
    name: "no existing pods",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "zone", "DoNotSchedule", fooSelector).obj(),
    nodes: fourNodes(),
    want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
  },
  {
    name: "no existing pods, incoming pod doesn't match itself",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "zone", "DoNotSchedule", barSelector).obj(),
    nodes: fourNodes(),
    want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
  },
  {
    name: "existing pods in a different namespace do not count",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "zone", "DoNotSchedule", fooSelector).obj(),
    nodes: fourNodes(),
    existingPods: [
      makePod().name("p-a1").namespace("ns1").node("node-a").label("foo", "").obj(),
      makePod().name("p-b1").namespace("ns2").node("node-a").label("foo", "").obj(),
      existing("p-x1", "node-x", "foo"),
      existing("p-y1", "node-y", "foo"),
    ],
    want: { "node-a": S, "node-b": S, "node-x": U, "node-y": U },
  },
  {
    name: "existing pods do not match null selector",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "zone", "DoNotSchedule", undefined).obj(),
    nodes: fourNodes(),
    existingPods: [existing("p-x1", "node-x", "foo"), existing("p-y1", "node-y", "foo")],
    want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
  },
  {
    name: "pods spread across zones as 3/3, all nodes fit",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "zone", "DoNotSchedule", fooSelector).obj(),
    nodes: fourNodes(),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-a2", "node-a", "foo"),
      existing("p-b1", "node-b", "foo"),
      existing("p-y1", "node-y", "foo"),
      existing("p-y2", "node-y", "foo"),
      existing("p-y3", "node-y", "foo"),
    ],
    want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
  },
  {
    name: "pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "zone", "DoNotSchedule", fooSelector).obj(),
    nodes: [
      node("node-a", "zone1"),
      makeNode().name("node-b").label("zon", "zone1").label("node", "node-b").obj(),
      node("node-x", "zone2"),
      node("node-y", "zone2"),
    ],
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-b1", "node-b", "foo"),
      existing("p-x1", "node-x", "foo"),
      existing("p-y1", "node-y", "foo"),
    ],
    want: { "node-a": S, "node-b": UU, "node-x": U, "node-y": U },
  },
  {
    name: "pod cannot be scheduled as all nodes don't have label 'rack'",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "rack", "DoNotSchedule", fooSelector).obj(),
    nodes: [node("node-a", "zone1"), node("node-x", "zone2")],
    want: { "node-a": UU, "node-x": UU },
  },
  {
    name: "pods spread across nodes as 2/1/0/3, only node-x fits",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "node", "DoNotSchedule", fooSelector).obj(),
    nodes: fourNodes(),
    existingPods: twoOneZeroThree(),
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
  },
  {
    name: "pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit",
    pod: makePod().name("p").label("foo", "").spreadConstraint(2, "node", "DoNotSchedule", fooSelector).obj(),
    nodes: fourNodes(),
    existingPods: twoOneZeroThree(),
    want: { "node-a": U, "node-b": S, "node-x": S, "node-y": U },
  },
  {
    name: "pods spread across nodes as 2/1/0/3, but pod doesn't match itself",
    pod: makePod().name("p").label("bar", "").spreadConstraint(1, "node", "DoNotSchedule", fooSelector).obj(),
    nodes: fourNodes(),
    existingPods: twoOneZeroThree(),
    want: { "node-a": U, "node-b": S, "node-x": S, "node-y": U },
  },
  {
    name: "incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeAffinityIn("node", ["node-a", "node-y"])
      .spreadConstraint(1, "node", "DoNotSchedule", fooSelector)
      .obj(),
    nodes: fourNodes(),
    existingPods: twoOneZeroThree(),
    want: { "node-a": S, "node-b": S, "node-x": S, "node-y": U },
  },
  {
    name: "terminating Pods should be excluded",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "node", "DoNotSchedule", fooSelector).obj(),
    nodes: [node("node-a"), node("node-b")],
    existingPods: [
      makePod().name("p-a").node("node-a").label("foo", "").terminating().obj(),
      existing("p-b", "node-b", "foo"),
    ],
    want: { "node-a": S, "node-b": U },
  },
  {
    name: "incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a fits",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeAffinityNotIn("node", ["node-b"])
      .spreadConstraint(1, "zone", "DoNotSchedule", fooSelector)
      .obj(),
    nodes: fourNodes(),
    existingPods: [
      existing("p-b1", "node-b", "foo"),
      existing("p-b2", "node-b", "foo"),
      existing("p-y1", "node-y", "foo"),
    ],
    want: { "node-a": S, "node-b": S, "node-x": U, "node-y": U },
  },
  {
    name: "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < minDomains, then the third node fits",
    pod: makePod().name("p").label("foo", "").spreadConstraint(2, "node", "DoNotSchedule", fooSelector, 4).obj(),
    nodes: [node("node-a"), node("node-b"), node("node-c")],
    existingPods: twoTwoOne(),
    want: { "node-a": U, "node-b": U, "node-c": S },
  },
  {
    name: "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains > minDomains, then the all nodes fit",
    pod: makePod().name("p").label("foo", "").spreadConstraint(2, "node", "DoNotSchedule", fooSelector, 2).obj(),
    nodes: [node("node-a"), node("node-b"), node("node-c")],
    existingPods: twoTwoOne(),
    want: { "node-a": S, "node-b": S, "node-c": S },
  },
  {
    name: "pods spread across zone as 2/1, maxSkew is 2 and the number of domains < minDomains, then the third and fourth nodes fit",
    pod: makePod().name("p").label("foo", "").spreadConstraint(2, "zone", "DoNotSchedule", fooSelector, 3).obj(),
    nodes: fourNodes(),
    existingPods: [
      existing("p-b1", "node-a", "foo"),
      existing("p-b2", "node-b", "foo"),
      existing("p-y1", "node-y", "foo"),
    ],
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
  },
  {
    name: "pods spread across zone as 2/1, maxSkew is 2 and the number of domains > minDomains, then the all nodes fit",
    pod: makePod().name("p").label("foo", "").spreadConstraint(2, "zone", "DoNotSchedule", fooSelector, 1).obj(),
    nodes: fourNodes(),
    existingPods: [
      existing("p-b1", "node-a", "foo"),
      existing("p-b2", "node-b", "foo"),
      existing("p-y1", "node-y", "foo"),
    ],
    want: { "node-a": S, "node-b": S, "node-x": S, "node-y": S },
  },
  {
    name: "NodeAffinityPolicy honored with labelSelectors",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeSelector({ foo: "" })
      .spreadConstraint(1, "node", "DoNotSchedule", fooSelector)
      .obj(),
    nodes: inclusionNodes(),
    existingPods: oneOneZeroOne(),
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
  },
  {
    name: "NodeAffinityPolicy ignored with labelSelectors",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeSelector({ foo: "" })
      .spreadConstraint(1, "node", "DoNotSchedule", fooSelector, undefined, "Ignore")
      .obj(),
    nodes: inclusionNodes(),
    existingPods: oneOneZeroOne(),
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
  },
  {
    name: "NodeAffinityPolicy honored with nodeAffinity",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeAffinityIn("foo", [""])
      .spreadConstraint(1, "node", "DoNotSchedule", fooSelector)
      .obj(),
    nodes: inclusionNodes(),
    existingPods: oneOneZeroOne(),
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
  },
  {
    name: "NodeAffinityPolicy ignored with labelSelectors (nodeAffinity)",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeAffinityIn("foo", [""])
      .spreadConstraint(1, "node", "DoNotSchedule", fooSelector, undefined, "Ignore")
      .obj(),
    nodes: inclusionNodes(),
    existingPods: oneOneZeroOne(),
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
  },
  {
    name: "NodeTaintsPolicy honored",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .spreadConstraint(1, "node", "DoNotSchedule", fooSelector, undefined, undefined, "Honor")
      .obj(),
    nodes: inclusionNodes(true),
    existingPods: oneOneZeroOne(),
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": S },
  },
  {
    name: "NodeTaintsPolicy ignored",
    pod: makePod().name("p").label("foo", "").spreadConstraint(1, "node", "DoNotSchedule", fooSelector).obj(),
    nodes: inclusionNodes(true),
    existingPods: oneOneZeroOne(),
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
  },
];

/** node-a, node-b and node-x carry foo=""; node-y does not, and with `tainted` has node.kubernetes.io/unschedulable:NoSchedule. */
function inclusionNodes(tainted = false): Node[] {
  const withFoo = (name: string) => makeNode().name(name).label("node", name).label("foo", "").obj();
  const y = makeNode().name("node-y").label("node", "node-y");
  if (tainted) y.taints([{ key: "node.kubernetes.io/unschedulable", value: "", effect: "NoSchedule" }]);
  return [withFoo("node-a"), withFoo("node-b"), withFoo("node-x"), tainted ? y.obj() : y.obj()];
}

function oneOneZeroOne(): Pod[] {
  return [existing("p-b1", "node-a", "foo"), existing("p-b2", "node-b", "foo"), existing("p-y1", "node-y", "foo")];
}

const multipleConstraints: Case[] = [
  {
    name: "two Constraints on zone and node, spreads = [3/3, 2/1/0/3]",
    pod: zoneAndNode(fooSelector, fooSelector),
    nodes: fourNodes(),
    existingPods: twoOneZeroThree(),
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
  },
  {
    name: "two Constraints on zone and node, spreads = [3/4, 2/1/0/4]",
    pod: zoneAndNode(fooSelector, fooSelector),
    nodes: fourNodes(),
    existingPods: [...twoOneZeroThree(), existing("p-y4", "node-y", "foo")],
    want: { "node-a": U, "node-b": U, "node-x": U, "node-y": U },
  },
  {
    name: "Constraints hold different labelSelectors, spreads = [1/0, 1/0/0/1]",
    pod: zoneAndNode(fooSelector, barSelector),
    nodes: fourNodes(),
    existingPods: [existing("p-a1", "node-a", "foo"), existing("p-y1", "node-y", "bar")],
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
  },
  {
    name: "Constraints hold different labelSelectors, spreads = [1/0, 0/0/1/1]",
    pod: zoneAndNode(fooSelector, barSelector),
    nodes: fourNodes(),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-x1", "node-x", "bar"),
      existing("p-y1", "node-y", "bar"),
    ],
    want: { "node-a": U, "node-b": U, "node-x": U, "node-y": U },
  },
  {
    name: "Constraints hold different labelSelectors, spreads = [2/3, 1/0/0/1]",
    pod: zoneAndNode(fooSelector, barSelector),
    nodes: fourNodes(),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-a2", "node-a", "foo", "bar"),
      existing("p-y1", "node-y", "foo"),
      existing("p-y2", "node-y", "foo", "bar"),
      existing("p-y3", "node-y", "foo"),
    ],
    want: { "node-a": U, "node-b": S, "node-x": U, "node-y": U },
  },
  {
    name: "Constraints hold different labelSelectors but pod doesn't match itself on 'zone' constraint",
    pod: makePod()
      .name("p")
      .label("bar", "")
      .spreadConstraint(1, "zone", "DoNotSchedule", fooSelector)
      .spreadConstraint(1, "node", "DoNotSchedule", barSelector)
      .obj(),
    nodes: fourNodes(),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-x1", "node-x", "bar"),
      existing("p-y1", "node-y", "bar"),
    ],
    want: { "node-a": S, "node-b": S, "node-x": U, "node-y": U },
  },
  {
    name: "two Constraints on zone and node, absence of label 'node' on node-x, spreads = [1/1, 1/0/0/1]",
    pod: zoneAndNode(fooSelector, fooSelector),
    nodes: [
      node("node-a", "zone1"),
      node("node-b", "zone1"),
      makeNode().name("node-x").label("zone", "zone2").obj(),
      node("node-y", "zone2"),
    ],
    existingPods: [existing("p-a1", "node-a", "foo"), existing("p-y3", "node-y", "foo")],
    want: { "node-a": U, "node-b": S, "node-x": UU, "node-y": U },
  },
  {
    name: "two node inclusion Constraints, zone: honor/ignore, node: ignore/ignore",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeSelector({ foo: "" })
      .spreadConstraint(1, "zone", "DoNotSchedule", fooSelector)
      .spreadConstraint(1, "node", "DoNotSchedule", fooSelector, undefined, "Ignore")
      .obj(),
    nodes: zonedInclusionNodes({ a: true, b: true, x: true, y: false }, false),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-b1", "node-b", "foo"),
      existing("p-y1", "node-y", "foo"),
    ],
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
  },
  {
    name: "two node inclusion Constraints, zone: honor/honor, node: honor/ignore",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .spreadConstraint(1, "zone", "DoNotSchedule", fooSelector, undefined, undefined, "Honor")
      .spreadConstraint(1, "node", "DoNotSchedule", fooSelector)
      .obj(),
    nodes: zonedInclusionNodes({ a: true, b: true, x: true, y: false }, true),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-b1", "node-b", "foo"),
      existing("p-y1", "node-y", "foo"),
    ],
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
  },
  {
    name: "two node inclusion Constraints, zone: honor/ignore, node: honor/ignore",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeSelector({ foo: "" })
      .spreadConstraint(1, "zone", "DoNotSchedule", fooSelector)
      .spreadConstraint(1, "node", "DoNotSchedule", fooSelector)
      .obj(),
    nodes: zonedInclusionNodes({ a: true, b: false, x: true, y: true }, true),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-b1", "node-b", "foo"),
      existing("p-y1", "node-y", "foo"),
    ],
    want: { "node-a": U, "node-b": S, "node-x": S, "node-y": U },
  },
  {
    name: "two node inclusion Constraints, zone: honor/honor, node: ignore/ignore",
    pod: makePod()
      .name("p")
      .label("foo", "")
      .nodeSelector({ foo: "" })
      .spreadConstraint(1, "zone", "DoNotSchedule", fooSelector, undefined, undefined, "Honor")
      .spreadConstraint(1, "node", "DoNotSchedule", fooSelector, undefined, "Ignore")
      .obj(),
    nodes: zonedInclusionNodes({ a: true, b: false, x: true, y: true }, true),
    existingPods: [
      existing("p-a1", "node-a", "foo"),
      existing("p-b1", "node-b", "foo"),
      existing("p-y1", "node-y", "foo"),
    ],
    want: { "node-a": U, "node-b": U, "node-x": S, "node-y": U },
  },
];

/** The four zoned nodes, those marked carrying foo=""; with `taintY`, node-y has the unschedulable taint. */
function zonedInclusionNodes(foo: Record<"a" | "b" | "x" | "y", boolean>, taintY: boolean): Node[] {
  return (["a", "b", "x", "y"] as const).map((suffix) => {
    const name = `node-${suffix}`;
    const wrapper = makeNode()
      .name(name)
      .label("zone", suffix === "a" || suffix === "b" ? "zone1" : "zone2")
      .label("node", name);
    if (foo[suffix]) wrapper.label("foo", "");
    if (suffix === "y" && taintY)
      wrapper.taints([{ key: "node.kubernetes.io/unschedulable", value: "", effect: "NoSchedule" }]);
    return wrapper.obj();
  });
}

/** A pod labelled foo and bar with a zone constraint over `zone` and a node constraint over `nodeSelector`. */
function zoneAndNode(zone: typeof fooSelector, nodeSelector: typeof fooSelector): Pod {
  const wrapper = makePod().name("p").label("foo", "");
  if (zone !== nodeSelector) wrapper.label("bar", "");
  return wrapper
    .spreadConstraint(1, "zone", "DoNotSchedule", zone)
    .spreadConstraint(1, "node", "DoNotSchedule", nodeSelector)
    .obj();
}

function twoOneZeroThree(): Pod[] {
  return [
    existing("p-a1", "node-a", "foo"),
    existing("p-a2", "node-a", "foo"),
    existing("p-b1", "node-b", "foo"),
    existing("p-y1", "node-y", "foo"),
    existing("p-y2", "node-y", "foo"),
    existing("p-y3", "node-y", "foo"),
  ];
}

function twoTwoOne(): Pod[] {
  return [
    existing("p-a1", "node-a", "foo"),
    existing("p-a2", "node-a", "foo"),
    existing("p-b1", "node-b", "foo"),
    existing("p-b2", "node-b", "foo"),
    existing("p-c1", "node-c", "foo"),
  ];
}

function run(cases: Case[]) {
  for (const c of cases) {
    test(c.name, () => {
      const got = filterCodes(podTopologySpreadFilter, c.pod, { nodes: c.nodes, pods: c.existingPods ?? [] });
      assert.deepEqual(got, c.want);
    });
  }
}

describe("PodTopologySpread Filter (TestSingleConstraint)", () => run(singleConstraint));
describe("PodTopologySpread Filter (TestMultipleConstraints)", () => run(multipleConstraints));
