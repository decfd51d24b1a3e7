// InterPodAffinity's Score (preferred terms of the pod and of existing pods, existing pods' required affinity with
// hardPodAffinityWeight 1), checked against kubernetes/kubernetes
// pkg/scheduler/framework/plugins/interpodaffinity/scoring_test.go (commit 8a4d98ac2f6dfd69fc5649b7bb23de0add56be56),
// TestPreferredAffinity.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type {
  Affinity,
  LabelSelectorRequirement,
  Namespace,
  Node,
  Pod,
  WeightedPodAffinityTerm,
} from "../../../../sim/world/objects.ts";
import { interPodAffinityScore } from "../../../../sim/world/scheduler/plugins/inter-pod-affinity/scoring.ts";
import { SchedulerInputError } from "../../../../sim/world/scheduler/input-error.ts";
import { pluginScores } from "./harness.ts";

const labelRgChina = { region: "China" };
const labelRgIndia = { region: "India" };
const labelAzAz1 = { az: "az1" };
const labelAzAz2 = { az: "az2" };
const labelRgChinaAzAz1 = { region: "China", az: "az1" };
const S1 = { security: "S1" };
const S2 = { security: "S2" };

const securityIn = (...values: string[]): LabelSelectorRequirement => ({ key: "security", operator: "In", values });
const weighted = (
  weight: number,
  topologyKey: string,
  ...matchExpressions: LabelSelectorRequirement[]
): WeightedPodAffinityTerm => ({
  weight,
  podAffinityTerm: { labelSelector: { matchExpressions }, topologyKey },
});

const stayWithS1InRegion: Affinity = {
  podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [weighted(5, "region", securityIn("S1"))] },
};
const stayWithS2InRegion: Affinity = {
  podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [weighted(6, "region", securityIn("S2"))] },
};
const affinity3: Affinity = {
  podAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      weighted(8, "region", { key: "security", operator: "NotIn", values: ["S1"] }, securityIn("S2")),
      weighted(2, "region", { key: "security", operator: "Exists" }, { key: "wrongkey", operator: "DoesNotExist" }),
    ],
  },
};
const hardAffinity: Affinity = {
  podAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [
      { labelSelector: { matchExpressions: [securityIn("S1", "value2")] }, topologyKey: "region" },
      {
        labelSelector: {
          matchExpressions: [
            { key: "security", operator: "Exists" },
            { key: "wrongkey", operator: "DoesNotExist" },
          ],
        },
        topologyKey: "region",
      },
    ],
  },
};
const awayFromS1InAz: Affinity = {
  podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [weighted(5, "az", securityIn("S1"))] },
};
const awayFromS2InAz: Affinity = {
  podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [weighted(5, "az", securityIn("S2"))] },
};
const stayWithS1InRegionAwayFromS2InAz: Affinity = {
  podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [weighted(8, "region", securityIn("S1"))] },
  podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [weighted(5, "az", securityIn("S2"))] },
};
const team1Selected = (): WeightedPodAffinityTerm => ({
  weight: 5,
  podAffinityTerm: {
    labelSelector: { matchExpressions: [securityIn("S1")] },
    topologyKey: "region",
    namespaces: ["subteam2.team2"],
    namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["team1"] }] },
  },
});
const affinityNamespaceSelector: Affinity = {
  podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [team1Selected()] },
};
const antiAffinityNamespaceSelector: Affinity = {
  podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [team1Selected()] },
};

const namespaces: Namespace[] = [
  { metadata: { name: "subteam1.team1", labels: { team: "team1" } } },
  { metadata: { name: "subteam2.team1", labels: { team: "team1" } } },
  { metadata: { name: "subteam1.team2", labels: { team: "team2" } } },
  { metadata: { name: "subteam2.team2", labels: { team: "team2" } } },
];

/** &v1.Pod{Spec: {NodeName, Affinity}, ObjectMeta: {Labels, Namespace}}. */
function pod(nodeName: string, labels?: Record<string, string>, affinity?: Affinity, namespace?: string): Pod {
  const result: Pod = { metadata: { name: "" }, spec: { containers: [] } };
  if (nodeName !== "") result.spec.nodeName = nodeName;
  if (labels !== undefined) result.metadata.labels = labels;
  if (affinity !== undefined) result.spec.affinity = affinity;
  if (namespace !== undefined) result.metadata.namespace = namespace;
  return result;
}
const node = (name: string, labels: Record<string, string>): Node => ({ metadata: { name, labels } });

const cases: [name: string, incoming: Pod, pods: Pod[], nodes: Node[], want: [string, number][]][] = [
  [
    "Affinity: pod that matches topology key & pods in nodes will get high score comparing to others which doesn't match either pods in nodes or in topology key",
    pod("", S1, stayWithS1InRegion),
    [pod("node1", S1), pod("node2", S2), pod("node3", S1)],
    [node("node1", labelRgChina), node("node2", labelRgIndia), node("node3", labelAzAz1)],
    [
      ["node1", 100],
      ["node2", 0],
      ["node3", 0],
    ],
  ],
  [
    "All the nodes that have the same topology key & label value with one of them has an existing pod that match the affinity rules, have the same score",
    pod("", undefined, stayWithS1InRegion),
    [pod("node1", S1)],
    [node("node1", labelRgChina), node("node2", labelRgChinaAzAz1), node("node3", labelRgIndia)],
    [
      ["node1", 100],
      ["node2", 100],
      ["node3", 0],
    ],
  ],
  [
    "Affinity: nodes in one region has more matching pods comparing to other region, so the region which has more matches will get high score",
    pod("", S1, stayWithS2InRegion),
    [pod("node1", S2), pod("node1", S2), pod("node2", S2), pod("node3", S2), pod("node4", S2), pod("node5", S2)],
    [
      node("node1", labelRgChina),
      node("node2", labelRgIndia),
      node("node3", labelRgChina),
      node("node4", labelRgChina),
      node("node5", labelRgIndia),
    ],
    [
      ["node1", 100],
      ["node2", 0],
      ["node3", 100],
      ["node4", 100],
      ["node5", 0],
    ],
  ],
  [
    "Affinity: different Label operators and values for pod affinity scheduling preference, including some match failures ",
    pod("", S1, affinity3),
    [pod("node1", S1), pod("node2", S2), pod("node3", S1)],
    [node("node1", labelRgChina), node("node2", labelRgIndia), node("node3", labelAzAz1)],
    [
      ["node1", 20],
      ["node2", 100],
      ["node3", 0],
    ],
  ],
  [
    "Affinity symmetry: considered only the preferredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry",
    pod("", S2),
    [pod("node1", S1, stayWithS1InRegion), pod("node2", S2, stayWithS2InRegion)],
    [node("node1", labelRgChina), node("node2", labelRgIndia), node("node3", labelAzAz1)],
    [
      ["node1", 0],
      ["node2", 100],
      ["node3", 0],
    ],
  ],
  [
    "Affinity symmetry with namespace selector",
    pod("", S1, undefined, "subteam1.team1"),
    [pod("node1", S1, affinityNamespaceSelector), pod("node2", S2, stayWithS2InRegion)],
    [node("node1", labelRgChina), node("node2", labelRgIndia), node("node3", labelAzAz1)],
    [
      ["node1", 100],
      ["node2", 0],
      ["node3", 0],
    ],
  ],
  [
    "AntiAffinity symmetry with namespace selector",
    pod("", S1, undefined, "subteam1.team1"),
    [pod("node1", S1, antiAffinityNamespaceSelector), pod("node2", S2, stayWithS2InRegion)],
    [node("node1", labelRgChina), node("node2", labelRgIndia), node("node3", labelAzAz1)],
    [
      ["node1", 0],
      ["node2", 100],
      ["node3", 100],
    ],
  ],
  [
    "Affinity symmetry: considered RequiredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry",
    pod("", S1),
    [pod("node1", S1, hardAffinity), pod("node2", S2, hardAffinity)],
    [node("node1", labelRgChina), node("node2", labelRgIndia), node("node3", labelAzAz1)],
    [
      ["node1", 100],
      ["node2", 100],
      ["node3", 0],
    ],
  ],
  [
    "Anti Affinity: pod that does not match existing pods in node will get high score ",
    pod("", S1, awayFromS1InAz),
    [pod("node1", S1), pod("node2", S2)],
    [node("node1", labelAzAz1), node("node2", labelRgChina)],
    [
      ["node1", 0],
      ["node2", 100],
    ],
  ],
  [
    "Anti Affinity: pod that does not match topology key & match the pods in nodes will get higher score comparing to others ",
    pod("", S1, awayFromS1InAz),
    [pod("node1", S1), pod("node2", S1)],
    [node("node1", labelAzAz1), node("node2", labelRgChina)],
    [
      ["node1", 0],
      ["node2", 100],
    ],
  ],
  [
    "Anti Affinity: one node has more matching pods comparing to other node, so the node which has more unmatches will get high score",
    pod("", S1, awayFromS1InAz),
    [pod("node1", S1), pod("node1", S1), pod("node2", S2)],
    [node("node1", labelAzAz1), node("node2", labelRgIndia)],
    [
      ["node1", 0],
      ["node2", 100],
    ],
  ],
  [
    "Anti Affinity symmetry: the existing pods in node which has anti affinity match will get high score",
    pod("", S2),
    [pod("node1", S1, awayFromS2InAz), pod("node2", S2, awayFromS1InAz)],
    [node("node1", labelAzAz1), node("node2", labelAzAz2)],
    [
      ["node1", 0],
      ["node2", 100],
    ],
  ],
  [
    "Affinity and Anti Affinity: considered only preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity",
    pod("", S1, stayWithS1InRegionAwayFromS2InAz),
    [pod("node1", S1), pod("node2", S1)],
    [node("node1", labelRgChina), node("node2", labelAzAz1)],
    [
      ["node1", 100],
      ["node2", 0],
    ],
  ],
  [
    "Affinity and Anti Affinity: considering both affinity and anti-affinity, the pod to schedule and existing pods have the same labels",
    pod("", S1, stayWithS1InRegionAwayFromS2InAz),
    [
      pod("node1", S1),
      pod("node1", S1),
      pod("node2", S1),
      pod("node3", S1),
      pod("node3", S1),
      pod("node4", S1),
      pod("node5", S1),
    ],
    [
      node("node1", labelRgChinaAzAz1),
      node("node2", labelRgIndia),
      node("node3", labelRgChina),
      node("node4", labelRgChina),
      node("node5", labelRgIndia),
    ],
    [
      ["node1", 100],
      ["node2", 0],
      ["node3", 100],
      ["node4", 100],
      ["node5", 0],
    ],
  ],
  [
    "Affinity and Anti Affinity and symmetry: considered only preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity & symmetry",
    pod("", S1, stayWithS1InRegionAwayFromS2InAz),
    [
      pod("node1", S1),
      pod("node2", S2),
      pod("node3", undefined, stayWithS1InRegionAwayFromS2InAz),
      pod("node4", undefined, awayFromS1InAz),
    ],
    [node("node1", labelRgChina), node("node2", labelAzAz1), node("node3", labelRgIndia), node("node4", labelAzAz2)],
    [
      ["node1", 100],
      ["node2", 0],
      ["node3", 100],
      ["node4", 0],
    ],
  ],
  [
    "Avoid panic when partial nodes in a topology don't have pods with affinity",
    pod("", S1),
    [pod("node1", S1), pod("node2", undefined, stayWithS1InRegionAwayFromS2InAz)],
    [node("node1", labelRgChina), node("node2", labelRgChina)],
    [
      ["node1", 0],
      ["node2", 0],
    ],
  ],
];

describe("InterPodAffinity Score (TestPreferredAffinity)", () => {
  test("all nodes are same priority as Affinity is nil", () => {
    const nodes = [node("node1", labelRgChina), node("node2", labelRgIndia), node("node3", labelAzAz1)];
    assert.equal(pluginScores(interPodAffinityScore, pod("", S1), { nodes }), undefined);
  });

  for (const [name, incoming, pods, nodes, want] of cases) {
    test(name, () => {
      const scores = pluginScores(interPodAffinityScore, incoming, { nodes, pods, more: { namespaces } });
      assert.deepEqual(
        scores?.map((s) => [s.name, s.score]),
        want,
      );
    });
  }

  test("invalid Affinity fails PreScore", () => {
    const invalid: Affinity = {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [weighted(8, "region", securityIn("{{.bad-value.}}"))],
      },
    };
    const nodes = [node("node1", labelRgChina), node("node2", labelRgChina)];
    assert.throws(
      () => pluginScores(interPodAffinityScore, pod("", undefined, invalid), { nodes }),
      (error: unknown) => error instanceof SchedulerInputError && error.message.includes('"{{.bad-value.}}"'),
    );
  });
});
