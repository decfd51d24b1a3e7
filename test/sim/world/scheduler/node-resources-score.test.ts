// The default resource scores, checked against kubernetes/kubernetes:
// - NodeResourcesFit's LeastAllocated strategy: pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go
//   TestLeastAllocatedScoringStrategy (commit 8519d3399f10be33a45da368a48ee763acbe3999), the rows with the default
//   resources (cpu and memory, weight 1);
// - NodeResourcesBalancedAllocation: balanced_allocation_test.go TestNodeResourcesBalancedAllocation (the v1.35 table,
//   with the best-effort Skip and SignPod), the rows with the default resources.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod, ResourceList } from "../../../../sim/world/objects.ts";
import { balancedAllocationScore } from "../../../../sim/world/scheduler/plugins/balanced-allocation.ts";
import { nodeResourcesFitScore } from "../../../../sim/world/scheduler/plugins/node-resources-fit.ts";
import { pluginScores } from "./harness.ts";
import { makeNode, makePod } from "./wrappers.ts";

const nodeWith = (name: string, capacity: ResourceList): Node => makeNode().name(name).capacity(capacity).obj();

describe("NodeResourcesFit Score, LeastAllocated (TestLeastAllocatedScoringStrategy)", () => {
  const cases: [string, Pod, Node[], Pod[], [string, number][]][] = [
    [
      "nothing scheduled, nothing requested",
      makePod().obj(),
      [nodeWith("node1", { cpu: "4000", memory: "10000" }), nodeWith("node2", { cpu: "4000", memory: "10000" })],
      [],
      [
        ["node1", 100],
        ["node2", 100],
      ],
    ],
    [
      "nothing scheduled, resources requested, differently sized nodes",
      makePod().req({ cpu: "1000", memory: "2000" }).req({ cpu: "2000", memory: "3000" }).obj(),
      [nodeWith("node1", { cpu: "4000", memory: "10000" }), nodeWith("node2", { cpu: "6000", memory: "10000" })],
      [],
      [
        ["node1", 37],
        ["node2", 50],
      ],
    ],
    [
      "no resources requested, pods scheduled",
      makePod().obj(),
      [nodeWith("node1", { cpu: "4000", memory: "10000" }), nodeWith("node2", { cpu: "4000", memory: "10000" })],
      [
        makePod().node("node1").obj(),
        makePod().node("node1").obj(),
        makePod().node("node2").obj(),
        makePod().node("node2").obj(),
      ],
      [
        ["node1", 100],
        ["node2", 100],
      ],
    ],
    [
      "no resources requested, pods scheduled with resources",
      makePod().obj(),
      [nodeWith("node1", { cpu: "10000", memory: "20000" }), nodeWith("node2", { cpu: "10000", memory: "20000" })],
      [
        makePod().node("node1").req({ cpu: "3000", memory: "0" }).obj(),
        makePod().node("node1").req({ cpu: "3000", memory: "0" }).obj(),
        makePod().node("node2").req({ cpu: "3000", memory: "0" }).obj(),
        makePod().node("node2").req({ cpu: "3000", memory: "5000" }).obj(),
      ],
      [
        ["node1", 70],
        ["node2", 57],
      ],
    ],
    [
      "resources requested, pods scheduled with resources",
      makePod().req({ cpu: "1000", memory: "2000" }).req({ cpu: "2000", memory: "3000" }).obj(),
      [nodeWith("node1", { cpu: "10000", memory: "20000" }), nodeWith("node2", { cpu: "10000", memory: "20000" })],
      [
        makePod().node("node1").req({ cpu: "3000", memory: "0" }).obj(),
        makePod().node("node2").req({ cpu: "3000", memory: "5000" }).obj(),
      ],
      [
        ["node1", 57],
        ["node2", 45],
      ],
    ],
    [
      "resources requested, pods scheduled with resources, differently sized nodes",
      makePod().req({ cpu: "1000", memory: "2000" }).req({ cpu: "2000", memory: "3000" }).obj(),
      [nodeWith("node1", { cpu: "10000", memory: "20000" }), nodeWith("node2", { cpu: "10000", memory: "50000" })],
      [
        makePod().node("node1").req({ cpu: "3000", memory: "0" }).obj(),
        makePod().node("node2").req({ cpu: "3000", memory: "5000" }).obj(),
      ],
      [
        ["node1", 57],
        ["node2", 60],
      ],
    ],
    [
      "requested resources exceed node capacity",
      makePod().req({ cpu: "3000", memory: "0" }).obj(),
      [nodeWith("node1", { cpu: "4000", memory: "10000" }), nodeWith("node2", { cpu: "4000", memory: "10000" })],
      [
        makePod().node("node1").req({ cpu: "3000", memory: "0" }).obj(),
        makePod().node("node2").req({ cpu: "3000", memory: "5000" }).obj(),
      ],
      [
        ["node1", 50],
        ["node2", 25],
      ],
    ],
    [
      "zero node resources, pods scheduled with resources",
      makePod().obj(),
      [makeNode().name("node1").obj(), makeNode().name("node2").obj()],
      [
        makePod().node("node1").req({ cpu: "3000", memory: "0" }).obj(),
        makePod().node("node2").req({ cpu: "3000", memory: "5000" }).obj(),
      ],
      [
        ["node1", 0],
        ["node2", 0],
      ],
    ],
  ];
  for (const [name, pod, nodes, pods, expected] of cases) {
    test(name, () => {
      const scores = pluginScores(nodeResourcesFitScore, pod, { nodes, pods });
      assert.deepEqual(
        scores?.map((s) => [s.name, s.score]),
        expected,
      );
    });
  }
});

describe("NodeResourcesBalancedAllocation Score (TestNodeResourcesBalancedAllocation)", () => {
  // makeNode(name, milliCPU, memory, nil) from noderesources/test_util.go.
  const node = (name: string, milliCPU: number, memory: number) =>
    nodeWith(name, { cpu: `${milliCPU}m`, memory: `${memory}` });
  const cpuOnly = (nodeName: string) =>
    makePod().node(nodeName).req({ cpu: "1000m", memory: "0" }).req({ cpu: "2000m", memory: "0" }).obj();
  const cpuAndMemory = (nodeName: string) =>
    makePod().node(nodeName).req({ cpu: "1000m", memory: "2000" }).req({ cpu: "2000m", memory: "3000" }).obj();
  const incoming = (pod: Pod): Pod => ({ ...pod, spec: { ...pod.spec, nodeName: undefined } });

  test("nothing scheduled, nothing requested, skip in PreScore", () => {
    const nodes = [node("node1", 4000, 10000), node("node2", 4000, 10000)];
    assert.equal(pluginScores(balancedAllocationScore, makePod().obj(), { nodes }), undefined);
  });

  const cases: [string, Pod, Node[], Pod[], [string, number][]][] = [
    [
      "nothing scheduled, resources requested, differently sized nodes",
      incoming(cpuAndMemory("node2")),
      [node("node1", 4000, 10000), node("node2", 6000, 10000)],
      [],
      [
        ["node1", 87],
        ["node2", 100],
      ],
    ],
    [
      "resources requested, pods scheduled with resources",
      incoming(cpuAndMemory("node2")),
      [node("node1", 10000, 20000), node("node2", 10000, 20000)],
      [cpuOnly("node1"), cpuAndMemory("node2")],
      [
        ["node1", 82],
        ["node2", 95],
      ],
    ],
    [
      "resources requested, pods scheduled with resources, differently sized nodes",
      incoming(cpuAndMemory("node2")),
      [node("node1", 10000, 20000), node("node2", 10000, 50000)],
      [cpuOnly("node1"), cpuAndMemory("node2")],
      [
        ["node1", 82],
        ["node2", 80],
      ],
    ],
    [
      "requested resources at node capacity",
      incoming(cpuOnly("node1")),
      [node("node1", 6000, 10000), node("node2", 6000, 10000)],
      [cpuOnly("node1"), cpuAndMemory("node2")],
      [
        ["node1", 50],
        ["node2", 75],
      ],
    ],
  ];
  for (const [name, pod, nodes, pods, expected] of cases) {
    test(name, () => {
      const scores = pluginScores(balancedAllocationScore, pod, { nodes, pods });
      assert.deepEqual(
        scores?.map((s) => [s.name, s.score]),
        expected,
      );
    });
  }
});
