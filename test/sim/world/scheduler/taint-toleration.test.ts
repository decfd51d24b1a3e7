// TaintToleration, checked against kubernetes/kubernetes
// pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go (commit cb6ff2d8ce3595f88570f82c7d0e6d98910afd3c),
// TestTaintTolerationFilter and TestTaintTolerationScore. The Filter's reason is the v1.35 one: since
// kubernetes/kubernetes#134740 (cherry-picked to v1.34) it no longer names the taint, so "{dedicated: user1}" in
// that commit's table reads "node(s) had untolerated taint(s)" here.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod, Taint, Toleration } from "../../../../sim/world/objects.ts";
import {
  taintTolerationFilter,
  taintTolerationScore,
} from "../../../../sim/world/scheduler/plugins/taint-toleration.ts";
import { filterStatuses, pluginScores } from "./harness.ts";

const nodeWithTaints = (name: string, taints: Taint[]): Node => ({ metadata: { name }, spec: { taints } });
const podWithTolerations = (name: string, tolerations: Toleration[]): Pod => ({
  metadata: { name },
  spec: { containers: [], tolerations },
});
const UNTOLERATED = { code: "UnschedulableAndUnresolvable", reasons: ["node(s) had untolerated taint(s)"] };
const SUCCESS = { code: "Success", reasons: [] };

describe("TaintToleration Filter (TestTaintTolerationFilter)", () => {
  const cases: [string, Pod, Node, typeof UNTOLERATED | typeof SUCCESS][] = [
    [
      "A pod having no tolerations can't be scheduled onto a node with nonempty taints",
      podWithTolerations("pod1", []),
      nodeWithTaints("nodeA", [{ key: "dedicated", value: "user1", effect: "NoSchedule" }]),
      UNTOLERATED,
    ],
    [
      "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
      podWithTolerations("pod1", [{ key: "dedicated", value: "user1", effect: "NoSchedule" }]),
      nodeWithTaints("nodeA", [{ key: "dedicated", value: "user1", effect: "NoSchedule" }]),
      SUCCESS,
    ],
    [
      "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule",
      podWithTolerations("pod1", [{ key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" }]),
      nodeWithTaints("nodeA", [{ key: "dedicated", value: "user1", effect: "NoSchedule" }]),
      UNTOLERATED,
    ],
    [
      "A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node",
      podWithTolerations("pod1", [{ key: "foo", operator: "Exists", effect: "NoSchedule" }]),
      nodeWithTaints("nodeA", [{ key: "foo", value: "bar", effect: "NoSchedule" }]),
      SUCCESS,
    ],
    [
      "A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node",
      podWithTolerations("pod1", [
        { key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" },
        { key: "foo", operator: "Exists", effect: "NoSchedule" },
      ]),
      nodeWithTaints("nodeA", [
        { key: "dedicated", value: "user2", effect: "NoSchedule" },
        { key: "foo", value: "bar", effect: "NoSchedule" },
      ]),
      SUCCESS,
    ],
    [
      "A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node",
      podWithTolerations("pod1", [{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }]),
      nodeWithTaints("nodeA", [{ key: "foo", value: "bar", effect: "NoSchedule" }]),
      UNTOLERATED,
    ],
    [
      "The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node",
      podWithTolerations("pod1", [{ key: "foo", operator: "Equal", value: "bar" }]),
      nodeWithTaints("nodeA", [{ key: "foo", value: "bar", effect: "NoSchedule" }]),
      SUCCESS,
    ],
    [
      "The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
      podWithTolerations("pod1", [{ key: "dedicated", operator: "Equal", value: "user2", effect: "NoSchedule" }]),
      nodeWithTaints("nodeA", [{ key: "dedicated", value: "user1", effect: "PreferNoSchedule" }]),
      SUCCESS,
    ],
    [
      "The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
      podWithTolerations("pod1", []),
      nodeWithTaints("nodeA", [{ key: "dedicated", value: "user1", effect: "PreferNoSchedule" }]),
      SUCCESS,
    ],
  ];
  for (const [name, pod, node, want] of cases) {
    test(name, () => {
      assert.deepEqual(filterStatuses(taintTolerationFilter, pod, { nodes: [node] }).nodeA, want);
    });
  }
});

describe("TaintToleration Score (TestTaintTolerationScore)", () => {
  const armPrefer: Taint = { key: "cpu-type", value: "arm64", effect: "PreferNoSchedule" };
  const ssdPrefer: Taint = { key: "disk-type", value: "ssd", effect: "PreferNoSchedule" };
  const cases: [string, Pod, Node[], [string, number][]][] = [
    [
      "node with taints tolerated by the pod, gets a higher score than those node with intolerable taints",
      podWithTolerations("pod1", [{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }]),
      [
        nodeWithTaints("nodeA", [{ key: "foo", value: "bar", effect: "PreferNoSchedule" }]),
        nodeWithTaints("nodeB", [{ key: "foo", value: "blah", effect: "PreferNoSchedule" }]),
      ],
      [
        ["nodeA", 100],
        ["nodeB", 0],
      ],
    ],
    [
      "the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has",
      podWithTolerations("pod1", [
        { key: "cpu-type", operator: "Equal", value: "arm64", effect: "PreferNoSchedule" },
        { key: "disk-type", operator: "Equal", value: "ssd", effect: "PreferNoSchedule" },
      ]),
      [
        nodeWithTaints("nodeA", []),
        nodeWithTaints("nodeB", [armPrefer]),
        nodeWithTaints("nodeC", [armPrefer, ssdPrefer]),
      ],
      [
        ["nodeA", 100],
        ["nodeB", 100],
        ["nodeC", 100],
      ],
    ],
    [
      "the more intolerable taints a node has, the lower score it gets.",
      podWithTolerations("pod1", [{ key: "foo", operator: "Equal", value: "bar", effect: "PreferNoSchedule" }]),
      [
        nodeWithTaints("nodeA", []),
        nodeWithTaints("nodeB", [armPrefer]),
        nodeWithTaints("nodeC", [armPrefer, ssdPrefer]),
      ],
      [
        ["nodeA", 100],
        ["nodeB", 50],
        ["nodeC", 0],
      ],
    ],
    [
      "only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function",
      podWithTolerations("pod1", [
        { key: "cpu-type", operator: "Equal", value: "arm64", effect: "NoSchedule" },
        { key: "disk-type", operator: "Equal", value: "ssd", effect: "NoSchedule" },
      ]),
      [
        nodeWithTaints("nodeA", []),
        nodeWithTaints("nodeB", [{ key: "cpu-type", value: "arm64", effect: "NoSchedule" }]),
        nodeWithTaints("nodeC", [armPrefer, ssdPrefer]),
      ],
      [
        ["nodeA", 100],
        ["nodeB", 100],
        ["nodeC", 0],
      ],
    ],
    [
      "Default behaviour No taints and tolerations, lands on node with no taints",
      podWithTolerations("pod1", []),
      [nodeWithTaints("nodeA", []), nodeWithTaints("nodeB", [armPrefer])],
      [
        ["nodeA", 100],
        ["nodeB", 0],
      ],
    ],
  ];
  for (const [name, pod, nodes, expected] of cases) {
    test(name, () => {
      const scores = pluginScores(taintTolerationScore, pod, { nodes });
      assert.deepEqual(
        scores?.map((entry) => [entry.name, entry.score]),
        expected,
      );
    });
  }
});
