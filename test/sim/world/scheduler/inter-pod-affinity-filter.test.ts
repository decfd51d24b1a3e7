// InterPodAffinity's Filter (required affinity and anti-affinity, the existing pods' anti-affinity), checked against
// kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go
// (commit 072825f9a367e9ca0f73f91830945f1b7f46e0d9), TestRequiredAffinitySingleNode and TestRequiredAffinityMultipleNodes.
// A PreFilter rejection for a pod whose terms cannot be parsed keeps upstream's code and "parsing pod: " prefix;
// the rest of its words are apimachinery's and are not compared.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Namespace, Node, Pod, PodAffinityTerm } from "../../../../sim/world/objects.ts";
import { interPodAffinityFilter } from "../../../../sim/world/scheduler/plugins/inter-pod-affinity/filtering.ts";
import { Snapshot } from "../../../../sim/world/scheduler/snapshot.ts";
import type { PluginStatus } from "./harness.ts";
import { makePod } from "./wrappers.ts";

const AFFINITY = "node(s) didn't match pod affinity rules";
const ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
const EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
const affinityFails: PluginStatus = { code: "UnschedulableAndUnresolvable", reasons: [AFFINITY] };
const antiAffinityFails: PluginStatus = { code: "Unschedulable", reasons: [ANTI_AFFINITY] };
const existingAntiAffinityFails: PluginStatus = { code: "Unschedulable", reasons: [EXISTING_ANTI_AFFINITY] };
const SUCCESS: PluginStatus = { code: "Success", reasons: [] };

/** createPodWithAffinityTerms. */
function podWithTerms(
  namespace: string,
  nodeName: string,
  labels: Record<string, string>,
  affinity?: PodAffinityTerm[],
  antiAffinity?: PodAffinityTerm[],
): Pod {
  const pod: Pod = {
    metadata: { name: "", namespace, labels },
    spec: {
      containers: [],
      affinity: {
        podAffinity: affinity === undefined ? {} : { requiredDuringSchedulingIgnoredDuringExecution: affinity },
        podAntiAffinity:
          antiAffinity === undefined ? {} : { requiredDuringSchedulingIgnoredDuringExecution: antiAffinity },
      },
    },
  };
  if (nodeName !== "") pod.spec.nodeName = nodeName;
  return pod;
}

/** PreFilter, then Filter on each node unless PreFilter skipped or rejected. */
function run(
  pod: Pod,
  nodes: Node[],
  pods: Pod[],
  namespaces: Namespace[] = [],
): { preFilter: "Skip" | PluginStatus | undefined; filter: Record<string, PluginStatus> } {
  const snapshot = new Snapshot({ nodes, pods, namespaces });
  const outcome = interPodAffinityFilter.preFilter?.(pod, snapshot);
  if (outcome === undefined) throw new Error("InterPodAffinity has a PreFilter");
  if (outcome.code === "Skip") return { preFilter: "Skip", filter: {} };
  if (outcome.status !== undefined) {
    return { preFilter: { code: outcome.status.code, reasons: [...outcome.status.reasons] }, filter: {} };
  }
  const filter: Record<string, PluginStatus> = {};
  for (const nodeInfo of snapshot.nodeInfos) {
    const status = interPodAffinityFilter.filter(pod, nodeInfo, outcome.state);
    filter[nodeInfo.name] = status === undefined ? SUCCESS : { code: status.code, reasons: [...status.reasons] };
  }
  return { preFilter: undefined, filter };
}

describe("InterPodAffinity Filter (TestRequiredAffinitySingleNode)", () => {
  const podLabel = { service: "securityscan" };
  const podLabel2 = { security: "S1" };
  const pod = makePod().labels(podLabel).node("node1").obj();
  const node1: Node = { metadata: { name: "node1", labels: { region: "r1", zone: "z11" } } };

  const cases: [name: string, pod: Pod, pods: Pod[], want: "Skip" | PluginStatus][] = [
    [
      "A pod that has no required pod affinity scheduling rules can schedule onto a node with no existing pods",
      makePod().obj(),
      [],
      "Skip",
    ],
    [
      "satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In operator that matches the existing pod",
      makePod()
        .namespace("")
        .labels(podLabel2)
        .podAffinityIn("service", "region", ["securityscan", "value2"], "PodAffinityWithRequiredReq")
        .obj(),
      [pod],
      SUCCESS,
    ],
    [
      "satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using not in operator in labelSelector that matches the existing pod",
      makePod()
        .namespace("")
        .labels(podLabel2)
        .podAffinityNotIn("service", "region", ["securityscan3", "value3"], "PodAffinityWithRequiredReq")
        .obj(),
      [pod],
      SUCCESS,
    ],
    [
      "Does not satisfy the PodAffinity with labelSelector because of diff Namespace",
      podWithTerms("", "", podLabel2, [
        {
          labelSelector: { matchExpressions: [{ key: "service", operator: "In", values: ["securityscan", "value2"] }] },
          namespaces: ["DiffNameSpace"],
          topologyKey: "",
        },
      ]),
      [makePod().namespace("ns").label("service", "securityscan").node("node1").obj()],
      affinityFails,
    ],
    [
      "Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod",
      makePod()
        .namespace("")
        .labels(podLabel)
        .podAffinityIn("service", "", ["antivirusscan", "value2"], "PodAffinityWithRequiredReq")
        .obj(),
      [pod],
      affinityFails,
    ],
    [
      "satisfies the PodAffinity with different label Operators in multiple RequiredDuringSchedulingIgnoredDuringExecution ",
      podWithTerms("", "", podLabel2, [
        {
          labelSelector: {
            matchExpressions: [
              { key: "service", operator: "Exists" },
              { key: "wrongkey", operator: "DoesNotExist" },
            ],
          },
          topologyKey: "region",
        },
        {
          labelSelector: {
            matchExpressions: [
              { key: "service", operator: "In", values: ["securityscan"] },
              { key: "service", operator: "NotIn", values: ["WrongValue"] },
            ],
          },
          topologyKey: "region",
        },
      ]),
      [pod],
      SUCCESS,
    ],
    [
      "The labelSelector requirements(items of matchExpressions) are ANDed, the pod cannot schedule onto the node because one of the matchExpression item don't match.",
      podWithTerms("", "", podLabel2, [
        {
          labelSelector: {
            matchExpressions: [
              { key: "service", operator: "Exists" },
              { key: "wrongkey", operator: "DoesNotExist" },
            ],
          },
          topologyKey: "region",
        },
        {
          labelSelector: {
            matchExpressions: [
              { key: "service", operator: "In", values: ["securityscan2"] },
              { key: "service", operator: "NotIn", values: ["WrongValue"] },
            ],
          },
          topologyKey: "region",
        },
      ]),
      [pod],
      affinityFails,
    ],
    [
      "satisfies the PodAffinity and PodAntiAffinity with the existing pod",
      makePod()
        .namespace("")
        .labels(podLabel2)
        .podAffinityIn("service", "region", ["securityscan", "value2"], "PodAffinityWithRequiredReq")
        .podAntiAffinityIn("service", "node", ["antivirusscan", "value2"], "PodAntiAffinityWithRequiredReq")
        .obj(),
      [pod],
      SUCCESS,
    ],
    [
      "satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the existing pod",
      makePod()
        .namespace("")
        .labels(podLabel2)
        .podAffinityIn("service", "region", ["securityscan", "value2"], "PodAffinityWithRequiredReq")
        .podAntiAffinityIn("service", "node", ["antivirusscan", "value2"], "PodAntiAffinityWithRequiredReq")
        .obj(),
      [
        makePod()
          .namespace("")
          .node("node1")
          .labels(podLabel)
          .podAntiAffinityIn("service", "node", ["antivirusscan", "value2"], "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      SUCCESS,
    ],
    [
      "satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod",
      makePod()
        .namespace("")
        .labels(podLabel2)
        .podAffinityIn("service", "region", ["securityscan", "value2"], "PodAffinityWithRequiredReq")
        .podAntiAffinityIn("service", "zone", ["securityscan", "value2"], "PodAntiAffinityWithRequiredReq")
        .obj(),
      [pod],
      antiAffinityFails,
    ],
    [
      "satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity symmetry with the existing pod",
      makePod()
        .namespace("")
        .labels(podLabel)
        .podAffinityIn("service", "region", ["securityscan", "value2"], "PodAffinityWithRequiredReq")
        .podAntiAffinityIn("service", "node", ["antivirusscan", "value2"], "PodAntiAffinityWithRequiredReq")
        .obj(),
      [
        makePod()
          .namespace("")
          .labels(podLabel)
          .node("node1")
          .podAntiAffinityIn("service", "zone", ["securityscan", "value2"], "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      existingAntiAffinityFails,
    ],
    [
      "pod matches its own Label in PodAffinity and that matches the existing pod Labels",
      makePod()
        .namespace("")
        .labels(podLabel)
        .podAffinityNotIn("service", "region", ["securityscan", "value2"], "PodAffinityWithRequiredReq")
        .obj(),
      [makePod().label("service", "securityscan").node("node2").obj()],
      affinityFails,
    ],
    [
      "verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. doesn't satisfy PodAntiAffinity symmetry with the existing pod",
      makePod().labels(podLabel).obj(),
      [
        makePod()
          .namespace("")
          .node("node1")
          .labels(podLabel)
          .podAntiAffinityIn("service", "zone", ["securityscan", "value2"], "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      existingAntiAffinityFails,
    ],
    [
      "verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. satisfy PodAntiAffinity symmetry with the existing pod",
      makePod().labels(podLabel).obj(),
      [
        makePod()
          .namespace("")
          .node("node1")
          .labels(podLabel)
          .podAntiAffinity(
            "zone",
            { matchExpressions: [{ key: "service", operator: "NotIn", values: ["securityscan", "value2"] }] },
            "PodAntiAffinityWithRequiredReq",
          )
          .obj(),
      ],
      "Skip",
    ],
    [
      "satisfies the PodAntiAffinity with existing pod but doesn't satisfy PodAntiAffinity symmetry with incoming pod",
      makePod()
        .namespace("")
        .labels(podLabel)
        .podAntiAffinityExists("service", "region", "PodAntiAffinityWithRequiredReq")
        .podAntiAffinityExists("security", "region", "PodAntiAffinityWithRequiredReq")
        .obj(),
      [
        makePod()
          .namespace("")
          .node("node1")
          .labels(podLabel2)
          .podAntiAffinityExists("security", "zone", "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      antiAffinityFails,
    ],
    [
      "PodAntiAffinity symmetry check a1: incoming pod and existing pod partially match each other on AffinityTerms",
      makePod()
        .namespace("")
        .labels(podLabel)
        .podAntiAffinityExists("service", "zone", "PodAntiAffinityWithRequiredReq")
        .podAntiAffinityExists("security", "zone", "PodAntiAffinityWithRequiredReq")
        .obj(),
      [
        makePod()
          .namespace("")
          .node("node1")
          .labels(podLabel2)
          .podAntiAffinityExists("security", "zone", "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      antiAffinityFails,
    ],
    [
      "PodAntiAffinity symmetry check a2: incoming pod and existing pod partially match each other on AffinityTerms",
      makePod()
        .namespace("")
        .labels(podLabel2)
        .podAntiAffinityExists("security", "zone", "PodAntiAffinityWithRequiredReq")
        .obj(),
      [
        makePod()
          .namespace("")
          .node("node1")
          .labels(podLabel)
          .podAntiAffinityExists("service", "zone", "PodAntiAffinityWithRequiredReq")
          .podAntiAffinityExists("security", "zone", "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      existingAntiAffinityFails,
    ],
    [
      "PodAntiAffinity symmetry check b1: incoming pod and existing pod partially match each other on AffinityTerms",
      makePod()
        .namespace("")
        .labels({ abc: "", xyz: "" })
        .podAntiAffinityExists("abc", "zone", "PodAntiAffinityWithRequiredReq")
        .podAntiAffinityExists("def", "zone", "PodAntiAffinityWithRequiredReq")
        .obj(),
      [
        makePod()
          .namespace("")
          .node("node1")
          .labels({ def: "", xyz: "" })
          .podAntiAffinityExists("abc", "zone", "PodAntiAffinityWithRequiredReq")
          .podAntiAffinityExists("def", "zone", "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      antiAffinityFails,
    ],
    [
      "PodAntiAffinity symmetry check b2: incoming pod and existing pod partially match each other on AffinityTerms",
      makePod()
        .namespace("")
        .labels({ def: "", xyz: "" })
        .podAntiAffinityExists("abc", "zone", "PodAntiAffinityWithRequiredReq")
        .podAntiAffinityExists("def", "zone", "PodAntiAffinityWithRequiredReq")
        .obj(),
      [
        makePod()
          .namespace("")
          .node("node1")
          .labels({ abc: "", xyz: "" })
          .podAntiAffinityExists("abc", "zone", "PodAntiAffinityWithRequiredReq")
          .podAntiAffinityExists("def", "zone", "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      antiAffinityFails,
    ],
  ];

  // The namespaces SetupPluginWithInformers is given in the upstream test.
  const namespaces: Namespace[] = [
    { metadata: { name: "subteam1.team1", labels: { team: "team1" } } },
    { metadata: { name: "subteam2.team1", labels: { team: "team1" } } },
    { metadata: { name: "subteam1.team2", labels: { team: "team2" } } },
    { metadata: { name: "subteam2.team2", labels: { team: "team2" } } },
  ];
  const securityscanTerm = (
    topologyKey: string,
    namespaceSelector: PodAffinityTerm["namespaceSelector"],
  ): PodAffinityTerm => ({
    labelSelector: { matchExpressions: [{ key: "service", operator: "In", values: ["securityscan", "value2"] }] },
    namespaceSelector,
    topologyKey,
  });
  const team1 = { matchExpressions: [{ key: "team", operator: "In" as const, values: ["team1"] }] };
  const inNamespace = (namespace: string): Pod => ({
    metadata: { name: "", namespace, labels: podLabel },
    spec: { containers: [], nodeName: "node1" },
  });
  cases.push(
    [
      "affinity with NamespaceSelector",
      podWithTerms("", "", podLabel2, [securityscanTerm("region", team1)]),
      [inNamespace("subteam1.team1")],
      SUCCESS,
    ],
    [
      "affinity with non-matching NamespaceSelector",
      podWithTerms("", "", podLabel2, [securityscanTerm("region", team1)]),
      [inNamespace("subteam1.team2")],
      affinityFails,
    ],
    [
      "anti-affinity with matching NamespaceSelector",
      podWithTerms("subteam1.team1", "", podLabel2, undefined, [securityscanTerm("zone", team1)]),
      [inNamespace("subteam2.team1")],
      antiAffinityFails,
    ],
    [
      "anti-affinity with matching all NamespaceSelector",
      podWithTerms("subteam1.team1", "", podLabel2, undefined, [securityscanTerm("zone", {})]),
      [inNamespace("subteam2.team1")],
      antiAffinityFails,
    ],
    [
      "anti-affinity with non-matching NamespaceSelector",
      podWithTerms("subteam1.team1", "", podLabel2, undefined, [securityscanTerm("zone", team1)]),
      [inNamespace("subteam1.team2")],
      SUCCESS,
    ],
  );

  for (const [name, incoming, pods, want] of cases) {
    test(name, () => {
      const got = run(incoming, [node1], pods, namespaces);
      if (want === "Skip") assert.equal(got.preFilter, "Skip");
      else assert.deepEqual(got, { preFilter: undefined, filter: { node1: want } });
    });
  }

  test("PodAffinity fails PreFilter with an invalid affinity label syntax", () => {
    const incoming = makePod()
      .namespace("")
      .labels(podLabel)
      .podAffinityIn("service", "region", ["{{.bad-value.}}"], "PodAffinityWithRequiredReq")
      .podAffinityIn("service", "node", ["antivirusscan", "value2"], "PodAffinityWithRequiredReq")
      .obj();
    const got = run(incoming, [node1], []);
    assert.ok(got.preFilter !== undefined && got.preFilter !== "Skip");
    assert.equal(got.preFilter.code, "UnschedulableAndUnresolvable");
    assert.match(got.preFilter.reasons[0] ?? "", /^parsing pod: .*"\{\{\.bad-value\.\}\}" is not a valid label value/);
  });
});

describe("InterPodAffinity Filter (TestRequiredAffinityMultipleNodes)", () => {
  const node = (name: string, labels: Record<string, string>): Node => ({ metadata: { name, labels } });
  const labelRgChina = { region: "China" };
  const labelRgChinaAzAz1 = { region: "China", az: "az1" };
  const labelRgIndia = { region: "India" };
  const rzh = (name: string, region: string, zone: string) => node(name, { region, zone, hostname: name });
  const ok = SUCCESS;
  const cases: [name: string, pod: Pod, pods: Pod[], nodes: Node[], want: "Skip" | PluginStatus[]][] = [
    [
      "A pod can be scheduled onto all the nodes that have the same topology key & label value with one of them has an existing pod that matches the affinity rules",
      makePod().namespace("").podAffinityIn("foo", "region", ["bar"], "PodAffinityWithRequiredReq").obj(),
      [makePod().name("p1").node("node1").labels({ foo: "bar" }).obj()],
      [node("node1", labelRgChina), node("node2", labelRgChinaAzAz1), node("node3", labelRgIndia)],
      [ok, ok, affinityFails],
    ],
    [
      "The affinity rule is to schedule all of the pods of this collection to the same zone. The first pod of the collection should not be blocked from being scheduled onto any node, even there's no existing pod that matches the rule anywhere.",
      makePod()
        .namespace("")
        .labels({ foo: "bar", service: "securityscan" })
        .podAffinityIn("foo", "zone", ["bar"], "PodAffinityWithRequiredReq")
        .podAffinityIn("service", "zone", ["securityscan"], "PodAffinityWithRequiredReq")
        .obj(),
      [makePod().name("p1").node("nodeA").labels({ foo: "bar" }).obj()],
      [node("nodeA", { zone: "az1", hostname: "h1" }), node("nodeB", { zone: "az2", hostname: "h2" })],
      [ok, ok],
    ],
    [
      "The first pod of the collection can only be scheduled on nodes labelled with the requested topology keys",
      makePod()
        .namespace("")
        .labels({ foo: "bar", service: "securityscan" })
        .podAffinityIn("foo", "zone", ["bar"], "PodAffinityWithRequiredReq")
        .podAffinityIn("service", "zone", ["securityscan"], "PodAffinityWithRequiredReq")
        .obj(),
      [makePod().name("p1").node("nodeA").labels({ foo: "bar" }).obj()],
      [node("nodeA", { zoneLabel: "az1", hostname: "h1" }), node("nodeB", { zoneLabel: "az2", hostname: "h2" })],
      [affinityFails, affinityFails],
    ],
    [
      "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB.",
      makePod().namespace("").podAntiAffinityIn("foo", "region", ["abc"], "PodAntiAffinityWithRequiredReq").obj(),
      [makePod().node("nodeA").labels({ foo: "abc" }).obj()],
      [node("nodeA", { region: "r1", hostname: "nodeA" }), node("nodeB", { region: "r1", hostname: "nodeB" })],
      [antiAffinityFails, antiAffinityFails],
    ],
    [
      "This test ensures that anti-affinity matches a pod when any term of the anti-affinity rule matches a pod.",
      makePod()
        .namespace("")
        .podAntiAffinityIn("foo", "region", ["abc"], "PodAntiAffinityWithRequiredReq")
        .podAntiAffinityIn("service", "zone", ["securityscan"], "PodAntiAffinityWithRequiredReq")
        .obj(),
      [makePod().node("nodeA").labels({ foo: "abc", service: "securityscan" }).obj()],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z2")],
      [antiAffinityFails, antiAffinityFails],
    ],
    [
      "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB but can be scheduled onto nodeC",
      makePod().namespace("").podAntiAffinityIn("foo", "region", ["abc"], "PodAntiAffinityWithRequiredReq").obj(),
      [makePod().node("nodeA").labels({ foo: "abc" }).obj()],
      [node("nodeA", labelRgChina), node("nodeB", labelRgChinaAzAz1), node("nodeC", labelRgIndia)],
      [antiAffinityFails, antiAffinityFails, ok],
    ],
    [
      "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA, nodeB, but can be scheduled onto nodeC (NodeC has an existing pod that match the inter pod affinity rule but in different namespace)",
      makePod()
        .namespace("NS1")
        .labels({ foo: "123" })
        .podAntiAffinityIn("foo", "region", ["bar"], "PodAntiAffinityWithRequiredReq")
        .obj(),
      [
        makePod().node("nodeA").namespace("NS1").labels({ foo: "bar" }).obj(),
        makePod()
          .node("nodeC")
          .namespace("NS2")
          .podAntiAffinityIn("foo", "region", ["123"], "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      [node("nodeA", labelRgChina), node("nodeB", labelRgChinaAzAz1), node("nodeC", labelRgIndia)],
      [antiAffinityFails, antiAffinityFails, ok],
    ],
    [
      "Test existing pod's anti-affinity: if an existing pod has a term with invalid topologyKey, labelSelector of the term is firstly checked, and then topologyKey of the term is also checked",
      makePod().label("foo", "").obj(),
      [
        makePod()
          .node("nodeA")
          .namespace("")
          .podAntiAffinityExists("foo", "invalid-node-label", "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z1")],
      "Skip",
    ],
    [
      "Test incoming pod's anti-affinity: even if labelSelector matches, we still check if topologyKey matches",
      makePod()
        .node("nodeA")
        .namespace("")
        .podAntiAffinityExists("foo", "invalid-node-label", "PodAntiAffinityWithRequiredReq")
        .obj(),
      [makePod().node("nodeA").labels({ foo: "" }).obj()],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z1")],
      [ok, ok],
    ],
    [
      "Test existing pod's anti-affinity: incoming pod wouldn't considered as a fit as it violates each existingPod's terms on all nodes",
      makePod().label("foo", "").label("bar", "").obj(),
      [
        makePod()
          .node("nodeA")
          .namespace("")
          .podAntiAffinityExists("foo", "zone", "PodAntiAffinityWithRequiredReq")
          .obj(),
        makePod()
          .node("nodeA")
          .namespace("")
          .podAntiAffinityExists("bar", "region", "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z2")],
      [existingAntiAffinityFails, existingAntiAffinityFails],
    ],
    [
      "Test incoming pod's anti-affinity: incoming pod wouldn't considered as a fit as it at least violates one anti-affinity rule of existingPod",
      makePod()
        .namespace("")
        .podAntiAffinityExists("foo", "zone", "PodAntiAffinityWithRequiredReq")
        .podAntiAffinityExists("bar", "region", "PodAntiAffinityWithRequiredReq")
        .obj(),
      [makePod().node("nodeA").labels({ foo: "" }).obj(), makePod().node("nodeB").labels({ bar: "" }).obj()],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z2")],
      [antiAffinityFails, antiAffinityFails],
    ],
    [
      "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey",
      makePod().label("foo", "").label("bar", "").obj(),
      [
        makePod()
          .node("nodeA")
          .namespace("")
          .podAntiAffinityExists("foo", "invalid-node-label", "PodAntiAffinityWithRequiredReq")
          .podAntiAffinityExists("bar", "zone", "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z2")],
      [existingAntiAffinityFails, ok],
    ],
    [
      "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey",
      makePod()
        .namespace("")
        .podAntiAffinityExists("foo", "invalid-node-label", "PodAntiAffinityWithRequiredReq")
        .podAntiAffinityExists("bar", "zone", "PodAntiAffinityWithRequiredReq")
        .obj(),
      [makePod().name("podA").node("nodeA").labels({ foo: "", bar: "" }).obj()],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z2")],
      [antiAffinityFails, ok],
    ],
    [
      "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey",
      makePod().label("foo", "").label("bar", "").obj(),
      [
        makePod()
          .namespace("")
          .node("nodeA")
          .podAntiAffinityExists("foo", "region", "PodAntiAffinityWithRequiredReq")
          .podAntiAffinityExists("bar", "zone", "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z2")],
      [existingAntiAffinityFails, existingAntiAffinityFails],
    ],
    [
      "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey",
      makePod()
        .namespace("")
        .podAntiAffinityExists("foo", "region", "PodAntiAffinityWithRequiredReq")
        .podAntiAffinityExists("bar", "zone", "PodAntiAffinityWithRequiredReq")
        .obj(),
      [makePod().node("nodeA").labels({ foo: "", bar: "" }).obj()],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z2")],
      [antiAffinityFails, antiAffinityFails],
    ],
    [
      "Test existing pod's anti-affinity: existingPod on nodeA and nodeB has at least one anti-affinity term matches incoming pod, so incoming pod can only be scheduled to nodeC",
      makePod().label("foo", "").label("bar", "").obj(),
      [
        makePod()
          .node("nodeA")
          .namespace("")
          .podAntiAffinityExists("foo", "zone", "PodAntiAffinityWithRequiredReq")
          .podAntiAffinityExists("labelA", "zone", "PodAntiAffinityWithRequiredReq")
          .obj(),
        makePod()
          .node("nodeB")
          .namespace("")
          .podAntiAffinityExists("bar", "zone", "PodAntiAffinityWithRequiredReq")
          .podAntiAffinityExists("labelB", "zone", "PodAntiAffinityWithRequiredReq")
          .obj(),
      ],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z2"), rzh("nodeC", "r1", "z3")],
      [existingAntiAffinityFails, existingAntiAffinityFails, ok],
    ],
    [
      "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match",
      makePod()
        .namespace("")
        .podAffinityExists("foo", "region", "PodAffinityWithRequiredReq")
        .podAffinityExists("bar", "zone", "PodAffinityWithRequiredReq")
        .obj(),
      [makePod().name("pod1").labels({ foo: "", bar: "" }).node("nodeA").obj()],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z1")],
      [ok, ok],
    ],
    [
      "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match, and the match logic should be satisfied on the same pod",
      makePod()
        .namespace("")
        .podAffinityExists("foo", "region", "PodAffinityWithRequiredReq")
        .podAffinityExists("bar", "zone", "PodAffinityWithRequiredReq")
        .obj(),
      [
        makePod().node("nodeA").name("pod1").namespace("").labels({ foo: "" }).obj(),
        makePod().node("nodeB").name("pod2").namespace("").labels({ bar: "" }).obj(),
      ],
      [rzh("nodeA", "r1", "z1"), rzh("nodeB", "r1", "z2")],
      [affinityFails, affinityFails],
    ],
  ];
  for (const [name, incoming, pods, nodes, want] of cases) {
    test(name, () => {
      const got = run(incoming, nodes, pods, [{ metadata: { name: "NS1" } }]);
      if (want === "Skip") {
        assert.equal(got.preFilter, "Skip");
        return;
      }
      assert.deepEqual(got, {
        preFilter: undefined,
        filter: Object.fromEntries(nodes.map((n, i) => [n.metadata.name, want[i]])),
      });
    });
  }
});
