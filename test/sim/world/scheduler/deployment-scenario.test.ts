// A Deployment of 50 replicas, all labelled app=web, each with a zone topology spread constraint (maxSkew 1,
// DoNotSchedule) and a required anti-affinity to app=web per hostname, on 10 nodes across 3 zones (4, 3 and 3
// nodes). The pods are scheduled one after another, each bound before the next is tried, as kube-scheduler does.
//
// What the real scheduler does, reasoned from its semantics (not from this code):
// - the anti-affinity allows one replica per node, so at most 10 run;
// - DoNotSchedule keeps the zone counts within 1 of each other after every placement, so the 10 end as 4/3/3;
// - the 11th and later replicas fit nowhere. Filters run in the default profile's order, PodTopologySpread before
//   InterPodAffinity: on the 4 nodes of the full zone the spread fails first (4 + 1 - 3 = 2 > maxSkew), on the 6
//   others the spread passes and the anti-affinity fails. Both are plain Unschedulable, so preemption is tried
//   on all 10 nodes, and finds only pods of the same priority: "No preemption victims found for incoming pod".
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod } from "../../../../sim/world/objects.ts";
import { schedule } from "../../../../sim/world/scheduler/index.ts";

const ZONE = "topology.kubernetes.io/zone";
const HOSTNAME = "kubernetes.io/hostname";
const ZONES = { "eu-west-1a": 4, "eu-west-1b": 3, "eu-west-1c": 3 };

const nodes: Node[] = Object.entries(ZONES).flatMap(([zone, count]) =>
  Array.from({ length: count }, (_, i) => {
    const name = `node-${zone.slice(-1)}${i}`;
    const resources = { cpu: "4", memory: "16Gi", pods: "110" };
    return {
      metadata: { name, labels: { [HOSTNAME]: name, [ZONE]: zone, "topology.kubernetes.io/region": "eu-west-1" } },
      spec: {},
      status: { capacity: resources, allocatable: resources },
    };
  }),
);

function replica(i: number): Pod {
  const labels = { app: "web", "pod-template-hash": "5d8f7c9b6" };
  return {
    metadata: {
      name: `web-5d8f7c9b6-${String(i).padStart(5, "0")}`,
      namespace: "default",
      labels,
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d8f7c9b6", controller: true }],
    },
    spec: {
      containers: [{ name: "web", resources: { requests: { cpu: "100m", memory: "128Mi" } } }],
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: ZONE,
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: { matchLabels: { app: "web" } },
        },
      ],
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: HOSTNAME, labelSelector: { matchLabels: { app: "web" } } },
          ],
        },
      },
    },
  };
}

const PENDING_MESSAGE =
  "0/10 nodes are available: 4 node(s) didn't match pod topology spread constraints, " +
  "6 node(s) didn't match pod anti-affinity rules. no new claims to deallocate, preemption: " +
  "0/10 nodes are available: 10 No preemption victims found for incoming pod.";

function run(seed: number): { bound: Map<string, string>; pending: Map<string, string> } {
  const pods: Pod[] = [];
  const bound = new Map<string, string>();
  const pending = new Map<string, string>();
  const zoneOf = new Map(nodes.map((node) => [node.metadata.name, node.metadata.labels?.[ZONE] ?? ""]));
  let nextStartNodeIndex = 0;
  for (let i = 0; i < 50; i++) {
    const pod = replica(i);
    const result = schedule(pod, { nodes, pods }, { seed, nextStartNodeIndex });
    nextStartNodeIndex = result.nextStartNodeIndex;
    if (!result.scheduled) {
      pending.set(pod.metadata.name, result.message);
      assert.deepEqual(result.condition, {
        type: "PodScheduled",
        status: "False",
        reason: "Unschedulable",
        message: PENDING_MESSAGE,
      });
      continue;
    }
    bound.set(pod.metadata.name, result.nodeName);
    pods.push({ ...pod, spec: { ...pod.spec, nodeName: result.nodeName }, status: { phase: "Running" } });
    const perZone = Object.keys(ZONES).map((zone) => [...bound.values()].filter((n) => zoneOf.get(n) === zone).length);
    assert.ok(Math.max(...perZone) - Math.min(...perZone) <= 1, `zone skew after ${pod.metadata.name}: ${perZone}`);
  }
  return { bound, pending };
}

test("50 replicas with zone spread and hostname anti-affinity on 10 nodes in 3 zones", () => {
  const { bound, pending } = run(1);
  assert.equal(bound.size, 10);
  assert.equal(pending.size, 40);
  // The first ten are the ones placed: nothing frees up later in the run.
  assert.deepEqual(
    [...bound.keys()],
    Array.from({ length: 10 }, (_, i) => replica(i).metadata.name),
  );
  assert.deepEqual(
    [...bound.values()].sort(),
    nodes.map((node) => node.metadata.name).sort(),
    "one replica on every node",
  );
  for (const message of pending.values()) assert.equal(message, PENDING_MESSAGE);
});

test("the same seed places the replicas the same way; the outcome does not depend on the seed", () => {
  const once = run(42);
  assert.deepEqual(run(42).bound, once.bound);
  for (const seed of [0, 7, 1234]) {
    const other = run(seed);
    assert.equal(other.bound.size, 10);
    assert.deepEqual([...other.pending.values()], Array(40).fill(PENDING_MESSAGE));
  }
});
