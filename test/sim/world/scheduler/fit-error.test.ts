// The FitError message and the node walk, checked against kubernetes/kubernetes:
// - pkg/scheduler/framework/types_test.go (commit 98be7dfc5da8533f62c063206c5751e884d6294d), TestFitError_Error;
// - pkg/scheduler/schedule_one_test.go (commit cb0f09275e56634451c727b187a2e24eedf0291e), TestNumFeasibleNodesToFind
//   and TestFairEvaluationForNodes;
// - pkg/scheduler/internal/cache/node_tree_test.go (commit f0032816cae31e46af116d0e13e6151cac8eb638),
//   TestNodeTree_AddNode (zone keys), TestNodeTree_List and TestNodeTreeMultiOperations ("add more nodes to an
//   exhausted zone"). That file's LabelZoneRegion / LabelZoneFailureDomain are the beta labels.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node } from "../../../../sim/world/objects.ts";
import { fitErrorMessage } from "../../../../sim/world/scheduler/fit-error.ts";
import type { Status } from "../../../../sim/world/scheduler/framework.ts";
import { nodeTreeOrder, numFeasibleNodesToFind, zoneKey } from "../../../../sim/world/scheduler/node-tree.ts";
import { schedule } from "../../../../sim/world/scheduler/index.ts";
import { makeNode, makePod } from "./wrappers.ts";

const unschedulable = (reason: string): Status => ({ code: "Unschedulable", reasons: [reason] });

describe("FitError.Error (TestFitError_Error)", () => {
  const preFilterFailed = new Map([
    ["node1", unschedulable("Node(s) failed PreFilter plugin FalsePreFilter")],
    ["node2", unschedulable("Node(s) failed PreFilter plugin FalsePreFilter")],
    ["node3", unschedulable("Node(s) failed PreFilter plugin FalsePreFilter")],
  ]);
  const oneFilter = new Map([
    ["node1", unschedulable("Node(s) failed Filter plugin FalseFilter-1")],
    ["node2", unschedulable("Node(s) failed Filter plugin FalseFilter-1")],
    ["node3", unschedulable("Node(s) failed Filter plugin FalseFilter-1")],
  ]);
  const twoFilters = new Map([
    ["node1", unschedulable("Node(s) failed Filter plugin FalseFilter-1")],
    ["node2", unschedulable("Node(s) failed Filter plugin FalseFilter-1")],
    ["node3", unschedulable("Node(s) failed Filter plugin FalseFilter-2")],
  ]);
  const postFilter = "Error running PostFilter plugin FailedPostFilter";
  const rows: [string, number, Parameters<typeof fitErrorMessage>[1], string][] = [
    [
      "nodes failed Prefilter plugin",
      3,
      { preFilterMessage: "Node(s) failed PreFilter plugin FalsePreFilter", nodeStatuses: preFilterFailed },
      "0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter.",
    ],
    [
      "nodes failed Prefilter plugin and the preemption also failed",
      3,
      {
        preFilterMessage: "Node(s) failed PreFilter plugin FalsePreFilter",
        nodeStatuses: preFilterFailed,
        postFilterMessage: postFilter,
      },
      "0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter. Error running PostFilter plugin FailedPostFilter",
    ],
    [
      "nodes failed one Filter plugin with an empty PostFilterMsg",
      3,
      { nodeStatuses: oneFilter },
      "0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1.",
    ],
    [
      "nodes failed one Filter plugin with a non-empty PostFilterMsg",
      3,
      { nodeStatuses: oneFilter, postFilterMessage: postFilter },
      "0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1. Error running PostFilter plugin FailedPostFilter",
    ],
    [
      "nodes failed two Filter plugins with an empty PostFilterMsg",
      3,
      { nodeStatuses: twoFilters },
      "0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, 2 Node(s) failed Filter plugin FalseFilter-1.",
    ],
    [
      "nodes failed two Filter plugins with a non-empty PostFilterMsg",
      3,
      { nodeStatuses: twoFilters, postFilterMessage: postFilter },
      "0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, 2 Node(s) failed Filter plugin FalseFilter-1. Error running PostFilter plugin FailedPostFilter",
    ],
    [
      "failed to Permit on node",
      1,
      { nodeStatuses: new Map([["node1", unschedulable("Node failed Permit plugin Permit-1")]]) },
      "0/1 nodes are available: 1 Node failed Permit plugin Permit-1.",
    ],
    [
      "failed to Reserve on node",
      1,
      { nodeStatuses: new Map([["node1", unschedulable("Node failed Reserve plugin Reserve-1")]]) },
      "0/1 nodes are available: 1 Node failed Reserve plugin Reserve-1.",
    ],
  ];
  for (const [name, numAllNodes, diagnosis, want] of rows) {
    test(name, () => assert.equal(fitErrorMessage(numAllNodes, diagnosis), want));
  }
});

describe("numFeasibleNodesToFind (TestNumFeasibleNodesToFind)", () => {
  const rows: [string, number, number, number][] = [
    ["not set percentageOfNodesToScore and nodes number not more than 50", 0, 10, 10],
    ["set percentageOfNodesToScore and nodes number not more than 50", 40, 10, 10],
    ["not set percentageOfNodesToScore and nodes number more than 50", 0, 1000, 420],
    ["set percentageOfNodesToScore and nodes number more than 50", 40, 1000, 400],
    ["not set percentageOfNodesToScore and nodes number more than 50*125", 0, 6000, 300],
    ["set percentageOfNodesToScore and nodes number more than 50*125", 40, 6000, 2400],
  ];
  for (const [name, percentage, numAllNodes, want] of rows) {
    test(name, () => assert.equal(numFeasibleNodesToFind(numAllNodes, percentage), want));
  }
});

test("the search resumes where the last one stopped (TestFairEvaluationForNodes)", () => {
  // Upstream filters with a single always-true plugin; the stand-in runs the default profile, which these nodes
  // (room for 32 pods each) and a request-free pod pass as well.
  const numAllNodes = 500;
  const nodes = Array.from({ length: numAllNodes }, (_, i) => makeNode().name(String(i)).obj());
  const percentageOfNodesToScore = 30; // numAllNodes % nodesToFind != 0
  const nodesToFind = numFeasibleNodesToFind(numAllNodes, percentageOfNodesToScore);
  assert.equal(nodesToFind, 150);
  let nextStartNodeIndex = 0;
  for (let i = 0; i < 2 * (Math.trunc(numAllNodes / nodesToFind) + 1); i++) {
    const result = schedule(
      makePod().name("p").obj(),
      { nodes, pods: [] },
      { nextStartNodeIndex, percentageOfNodesToScore },
    );
    assert.ok(result.scheduled);
    assert.equal(result.feasibleNodes, nodesToFind);
    assert.equal(result.nextStartNodeIndex, ((i + 1) * nodesToFind) % numAllNodes);
    nextStartNodeIndex = result.nextStartNodeIndex;
  }
});

describe("the order nodes are walked in (TestNodeTree_*)", () => {
  const REGION = "failure-domain.beta.kubernetes.io/region";
  const ZONE = "failure-domain.beta.kubernetes.io/zone";
  const node = (name: string, labels: Record<string, string> = {}): Node => ({ metadata: { name, labels } });
  const allNodes = [
    node("node-0"),
    node("node-1", { [REGION]: "region-1" }),
    node("node-2", { [ZONE]: "zone-2" }),
    node("node-3", { [REGION]: "region-1", [ZONE]: "zone-2" }),
    node("node-4", { [REGION]: "region-1", [ZONE]: "zone-2" }),
    node("node-5", { [REGION]: "region-1", [ZONE]: "zone-3" }),
    node("node-6", { [REGION]: "region-2", [ZONE]: "zone-2" }),
    node("node-7", { [REGION]: "region-2", [ZONE]: "zone-2" }),
    node("node-8", { [REGION]: "region-2", [ZONE]: "zone-2" }),
    node("node-9", {
      "topology.kubernetes.io/region": "region-2",
      "topology.kubernetes.io/zone": "zone-2",
      [REGION]: "region-2",
      [ZONE]: "zone-2",
    }),
    node("node-10", { [REGION]: "region-2", [ZONE]: "zone-3" }),
  ];
  const names = (nodes: readonly Node[]) => nodes.map((n) => n.metadata.name);
  const at = (...indexes: number[]) => indexes.map((i) => allNodes[i] as Node);

  test("zone keys (TestNodeTree_AddNode)", () => {
    assert.deepEqual(
      allNodes.map((n) => zoneKey(n)),
      [
        "",
        "region-1:\x00:",
        ":\x00:zone-2",
        "region-1:\x00:zone-2",
        "region-1:\x00:zone-2",
        "region-1:\x00:zone-3",
        "region-2:\x00:zone-2",
        "region-2:\x00:zone-2",
        "region-2:\x00:zone-2",
        "region-2:\x00:zone-2",
        "region-2:\x00:zone-3",
      ],
    );
  });
  const rows: [string, Node[], string[]][] = [
    ["empty tree", [], []],
    ["one node", at(0), ["node-0"]],
    ["four nodes", at(0, 1, 2, 3), ["node-0", "node-1", "node-2", "node-3"]],
    [
      "all nodes",
      at(0, 1, 2, 3, 4, 5, 6, 7, 8),
      ["node-0", "node-1", "node-2", "node-3", "node-5", "node-6", "node-4", "node-7", "node-8"],
    ],
    [
      "add more nodes to an exhausted zone (TestNodeTreeMultiOperations)",
      at(4, 5, 6, 7, 8, 3),
      ["node-4", "node-5", "node-6", "node-3", "node-7", "node-8"],
    ],
  ];
  for (const [name, nodes, want] of rows) test(name, () => assert.deepEqual(names(nodeTreeOrder(nodes)), want));
});
