// The disruption snapshot built from cluster state: managed nodes are those with both a Node and a NodeClaim (an
// in-flight claim (launched, not registered) and a node Karpenter did not launch are not candidates, though their capacity stays in the
// scheduler's view), each with its bound pods, its latest nomination and the cloud's drift answer; the scheduler's
// entries are keyed by the Node's name, so the planner leaves a candidate out of its own simulation. Expected values
// are the input objects' own names and times; the end-to-end case follows Karpenter's method order (an empty node
// goes by emptiness before any consolidation is considered, FACTS.md §b).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Node, NodeClaim, Pod } from "../../../api/index.ts";
import { fixedClock } from "../../../api/ports.ts";
import { disruptionSnapshot, plan } from "../../../controller/disruption/index.ts";
import { buildClusterState, type Nomination } from "../../../controller/state/index.ts";
import { instanceTypes, nodePool, typesByPool, ZONE } from "../../support/disruption-cluster.ts";

const NOW = new Date("2026-01-05T12:00:00Z");

const labels = (type: string) => ({
  "karpenter.sh/nodepool": "default",
  "node.kubernetes.io/instance-type": type,
  "karpenter.sh/capacity-type": "on-demand",
  "topology.kubernetes.io/zone": ZONE,
});

function claim(name: string, type: string, providerID: string, registered = true): NodeClaim {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: { name, labels: labels(type), creationTimestamp: "2026-01-05T10:00:00Z" },
    spec: {
      nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
      requirements: [],
      resources: { requests: { cpu: "100m", pods: "1" } },
    },
    status: {
      providerID,
      capacity: { cpu: "4", memory: "16Gi", pods: "58" },
      allocatable: { cpu: "3920m", memory: "14Gi", pods: "58" },
      conditions: registered
        ? [{ type: "Initialized", status: "True", lastTransitionTime: "2026-01-05T10:05:00Z" }]
        : [{ type: "Launched", status: "True", lastTransitionTime: "2026-01-05T11:59:00Z" }],
    },
  } as NodeClaim;
}

function node(name: string, type: string, providerID: string): Node {
  return {
    metadata: { name, labels: { ...labels(type), "kubernetes.io/hostname": name } },
    spec: { providerID },
    status: {
      capacity: { cpu: "4", memory: "16Gi", pods: "58" },
      allocatable: { cpu: "3920m", memory: "14Gi", pods: "58" },
      conditions: [{ type: "Ready", status: "True" }],
    },
  };
}

function pod(name: string, nodeName: string | undefined): Pod {
  return {
    metadata: { name, namespace: "default" },
    spec: {
      ...(nodeName === undefined ? {} : { nodeName }),
      containers: [{ name: "c", resources: { requests: { cpu: "500m", memory: "1Gi" } } }],
    },
    status:
      nodeName === undefined
        ? { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] }
        : { phase: "Running", startTime: "2026-01-05T10:06:00Z" },
  };
}

const aws = (id: string) => `aws:///${ZONE}/${id}`;

function cluster(nominations: ReadonlyMap<string, Nomination> = new Map()) {
  return buildClusterState({
    nodes: [
      node("ip-10-0-0-1.ec2.internal", "m5.xlarge", aws("i-1")),
      node("ip-10-0-0-2.ec2.internal", "m5.xlarge", aws("i-2")),
      node("self-managed", "m5.xlarge", aws("i-9")),
    ],
    nodeClaims: [
      claim("default-a", "m5.xlarge", aws("i-1")),
      claim("default-b", "m5.xlarge", aws("i-2")),
      claim("default-c", "m5.large", aws("i-3"), false),
    ],
    pods: [pod("web-1", "ip-10-0-0-2.ec2.internal"), pod("pending-1", undefined)],
    daemonSets: [],
    nominations,
    now: NOW,
  });
}

describe("disruptionSnapshot", () => {
  test("managed nodes are the Node–NodeClaim pairs, with their pods, and the scheduler's view keyed by Node name", () => {
    const snapshot = disruptionSnapshot(cluster(), []);
    assert.deepEqual(
      snapshot.nodes.map((n) => [n.node.metadata.name, n.nodeClaim.metadata.name, n.pods.map((p) => p.metadata.name)]),
      [
        ["ip-10-0-0-1.ec2.internal", "default-a", []],
        ["ip-10-0-0-2.ec2.internal", "default-b", ["web-1"]],
      ],
    );
    assert.deepEqual(snapshot.existing.map((e) => e.name).sort(), [
      "default-c",
      "ip-10-0-0-1.ec2.internal",
      "ip-10-0-0-2.ec2.internal",
      "self-managed",
    ]);
    assert.deepEqual(
      snapshot.pendingPods.map((p) => p.metadata.name),
      ["pending-1"],
    );
    assert.deepEqual(snapshot.podDisruptionBudgets, []);
  });

  test("a node is nominated at its latest nomination; cloud drift is looked up by NodeClaim name", () => {
    const nominations = new Map<string, Nomination>([
      ["default/x", { target: "default-b", createdFor: false, at: new Date("2026-01-05T11:59:40Z") }],
      ["default/y", { target: "default-b", createdFor: false, at: new Date("2026-01-05T11:59:50Z") }],
    ]);
    const pdb = { metadata: { name: "web", namespace: "default" }, spec: {}, status: { disruptionsAllowed: 1 } };
    const snapshot = disruptionSnapshot(cluster(), [pdb], {
      nominations,
      cloudDrift: new Map([["default-a", "AMIDrift" as const]]),
    });
    const [a, b] = snapshot.nodes;
    assert.equal(a?.nominatedAt, undefined);
    assert.equal(b?.nominatedAt, "2026-01-05T11:59:50.000Z");
    assert.equal(a?.cloudDrift, "AMIDrift");
    assert.equal(b?.cloudDrift, undefined);
    assert.deepEqual(snapshot.podDisruptionBudgets, [pdb]);
  });

  test("the planner over the built snapshot deletes the empty node first", () => {
    const types = instanceTypes(["m5.large", "m5.xlarge"]);
    const pool = nodePool("default", { budgets: [{ nodes: "100%" }] });
    const result = plan(
      disruptionSnapshot(cluster(), []),
      { nodePools: [pool], commit: "c1" },
      typesByPool([pool], types),
      fixedClock(NOW),
    );
    assert.deepEqual(
      result.commands.map((c) => [c.reason, c.candidates.map((x) => x.node), c.replacements.length]),
      [["Empty", ["ip-10-0-0-1.ec2.internal"], 0]],
    );
  });
});
