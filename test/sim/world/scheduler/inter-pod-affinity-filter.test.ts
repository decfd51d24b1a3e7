// InterPodAffinity's Filter (required affinity and anti-affinity, the existing pods' anti-affinity), checked against
// kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go
// (commit 072825f9a367e9ca0f73f91830945f1b7f46e0d9), TestRequiredAffinitySingleNode and TestRequiredAffinityMultipleNodes.
// A PreFilter rejection for a pod whose terms cannot be parsed keeps upstream's code and "parsing pod: " prefix;
// the rest of its words are apimachinery's and are not compared.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod, PodAffinityTerm } from "../../../../sim/world/objects.ts";
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
): { preFilter: "Skip" | PluginStatus | undefined; filter: Record<string, PluginStatus> } {
  const snapshot = new Snapshot({ nodes, pods });
  const outcome = interPodAffinityFilter.preFilter?.(pod, snapshot);
  if (outcome === undefined) throw new Error("InterPodAffinity has a PreFilter");
  if (outcome.skip === true) return { preFilter: "Skip", filter: {} };
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

  for (const [name, incoming, pods, want] of cases) {
    test(name, () => {
      const got = run(incoming, [node1], pods);
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
