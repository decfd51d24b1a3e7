// The status files' live fields from cluster state, counted as Karpenter's NodePool counter counts status.resources
// and status.nodes (core:pkg/controllers/state/cluster.go `updateNodePoolResources`, v1.14.1): a node being deleted
// counts nothing; a NodeClaim with no capacity yet (not launched) is no node; a node's capacity (not allocatable) is
// what it uses; an initialized node counts its Node's capacity. Prices are the catalog's on-demand column
// (data/SOURCE.md: m5.large $0.096/h, m5.xlarge $0.192/h); a spot node without a known price is counted unpriced.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node, NodeClaim } from "../../../api/index.ts";
import { buildClusterState, poolLiveStatus } from "../../../controller/state/index.ts";
import { launchedPrice } from "../../../controller/provisioning/index.ts";
import { instanceTypes, ZONE } from "../../support/disruption-cluster.ts";

const NOW = new Date("2026-01-05T12:00:00Z");
const TYPES = instanceTypes(["m5.large", "m5.xlarge"]);

function claim(name: string, type: string | undefined, extra: { capacityType?: string; deleting?: boolean } = {}) {
  const launched = type !== undefined;
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: {
      name,
      labels: {
        "karpenter.sh/nodepool": "default",
        ...(launched
          ? {
              "node.kubernetes.io/instance-type": type,
              "topology.kubernetes.io/zone": ZONE,
              "karpenter.sh/capacity-type": extra.capacityType ?? "on-demand",
            }
          : {}),
      },
      ...(extra.deleting === true ? { deletionTimestamp: "2026-01-05T11:59:00Z" } : {}),
    },
    spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" }, requirements: [] },
    status: launched
      ? {
          providerID: `aws:///${ZONE}/i-${name}`,
          capacity: type === "m5.large" ? { cpu: "2", memory: "7577Mi" } : { cpu: "4", memory: "15155Mi" },
          conditions: [{ type: "Initialized", status: "True", lastTransitionTime: "2026-01-05T10:00:00Z" }],
        }
      : {},
  } as NodeClaim;
}

// The kubelet of node "a" reports 7680Mi, more than the NodeClaim's estimate: the Node's figure counts.
const nodeA: Node = {
  metadata: { name: "a", labels: { "karpenter.sh/nodepool": "default" } },
  spec: { providerID: `aws:///${ZONE}/i-a` },
  status: { capacity: { cpu: "2", memory: "7680Mi" } },
};

test("nodes, capacity and $/h of a pool, as Karpenter's NodePool counter counts them", () => {
  const state = buildClusterState({
    nodes: [nodeA],
    nodeClaims: [
      claim("a", "m5.large"),
      claim("b", "m5.xlarge"),
      claim("c", "m5.large", { capacityType: "spot" }),
      claim("going", "m5.xlarge", { deleting: true }),
      claim("unlaunched", undefined),
    ],
    pods: [],
    daemonSets: [],
    nominations: new Map(),
    now: NOW,
  });
  const live = poolLiveStatus(state.nodes, (_pool, labels) => launchedPrice(TYPES, labels));
  assert.deepEqual(live.get("default"), {
    nodes: {
      byInstanceType: { "m5.large": 2, "m5.xlarge": 1 },
      byZone: { [ZONE]: 3 },
      byCapacityType: { "on-demand": 2, spot: 1 },
    },
    // 2 + 4 + 2 CPU; 7680Mi + 15155Mi + 7577Mi = 30412Mi
    usage: { cpu: "8", memory: "30412Mi", nodes: 3 },
    hourlyCostUsd: 0.288,
    unpricedNodes: 1,
  });
  assert.deepEqual([...live.keys()], ["default"]);
});
