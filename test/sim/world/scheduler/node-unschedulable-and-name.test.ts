// NodeUnschedulable and NodeName, checked against kubernetes/kubernetes
// pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable_test.go TestNodeUnschedulable
// (commit b574b11f6b28f06e17333bb110e9374db3259bad) and
// pkg/scheduler/framework/plugins/nodename/node_name_test.go TestNodeName (commit 96a58e4b8a59fab0b3735b1ae0cf92eeab6fc49c).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod } from "../../../../sim/world/objects.ts";
import { nodeName } from "../../../../sim/world/scheduler/plugins/node-name.ts";
import { nodeUnschedulable } from "../../../../sim/world/scheduler/plugins/node-unschedulable.ts";
import { filterStatuses } from "./harness.ts";
import { makeNode, makePod } from "./wrappers.ts";

const SUCCESS = { code: "Success", reasons: [] };

describe("NodeUnschedulable (TestNodeUnschedulable)", () => {
  const node = (unschedulable: boolean): Node => ({ metadata: { name: "n" }, spec: { unschedulable } });
  const cases: [string, Pod, Node, object][] = [
    [
      "Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)",
      makePod().obj(),
      node(true),
      { code: "UnschedulableAndUnresolvable", reasons: ["node(s) were unschedulable"] },
    ],
    ["Schedule pod to normal node", makePod().obj(), node(false), SUCCESS],
    [
      "Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)",
      {
        metadata: { name: "" },
        spec: { containers: [], tolerations: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }] },
      },
      node(true),
      SUCCESS,
    ],
  ];
  for (const [name, pod, n, want] of cases) {
    test(name, () => assert.deepEqual(filterStatuses(nodeUnschedulable, pod, { nodes: [n] }).n, want));
  }
});

describe("NodeName (TestNodeName)", () => {
  const cases: [string, Pod, Node, object][] = [
    ["no host specified", makePod().obj(), makeNode().obj(), SUCCESS],
    ["host matches", makePod().node("foo").obj(), makeNode().name("foo").obj(), SUCCESS],
    [
      "host doesn't match",
      makePod().node("bar").obj(),
      makeNode().name("foo").obj(),
      { code: "UnschedulableAndUnresolvable", reasons: ["node(s) didn't match the requested node name"] },
    ],
  ];
  for (const [name, pod, n, want] of cases) {
    test(name, () => assert.deepEqual(filterStatuses(nodeName, pod, { nodes: [n] })[n.metadata.name], want));
  }
});
