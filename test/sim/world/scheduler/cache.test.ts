// The scheduler's cache (pkg/scheduler/backend/cache `UpdateSnapshot`, `AssumePod`): NodeInfos kept across cycles
// must decide exactly as a fresh snapshot of every node and bound pod does. The oracle is the fresh snapshot
// (`new Snapshot(objects)`, the path the scheduler's own tables test), run over the same generated clusters.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod } from "../../../../sim/world/objects.ts";
import {
  schedule,
  SchedulerCache,
  Snapshot,
  type ClusterObjects,
  type ScheduleResult,
} from "../../../../sim/world/scheduler/index.ts";
import { seededRandom } from "../../../support/json-mutation.ts";
import { generatedCluster, generatedNode, ZONE } from "../../../support/scheduler-cluster.ts";

function outcome(result: ScheduleResult): string {
  if (result.scheduled) return `-> ${result.nodeName}`;
  return `unschedulable: ${result.message} candidates [${result.preemptionCandidates.join(" ")}]`;
}

function assumed(pod: Pod, nodeName: string): Pod {
  return { ...pod, spec: { ...pod.spec, nodeName } };
}

/**
 * Schedules the pending pods in passes of `passSize`, both ways, and returns both sequences of outcomes. Between
 * passes the cluster changes as the store would show it: every bound pod a new object (as a write replaces it),
 * a few pods gone, a node added, a node tainted and one moved to another zone.
 */
function bothWays(seed: number): { fresh: string[]; cached: string[] } {
  const {
    nodes: firstNodes,
    bound,
    pending,
  } = generatedCluster(seed, {
    nodes: 60,
    bound: 300,
    pending: 400,
    cpu: 4,
  });
  const random = seededRandom(seed + 1000);
  const passSize = 100;
  let nodes: Node[] = firstNodes;
  let pods: Pod[] = bound;
  const cache = new SchedulerCache();
  const fresh: string[] = [];
  const cached: string[] = [];
  let freshStart = 0;
  let cachedStart = 0;
  for (let from = 0; from < pending.length; from += passSize) {
    const objects: ClusterObjects = { nodes, pods };
    const freshPods = [...pods];
    cache.sync(objects);
    for (const pod of pending.slice(from, from + passSize)) {
      const a = schedule(pod, new Snapshot({ nodes, pods: freshPods }), { seed, nextStartNodeIndex: freshStart });
      freshStart = a.nextStartNodeIndex;
      if (a.scheduled) freshPods.push(assumed(pod, a.nodeName));
      fresh.push(`${pod.metadata.name} ${outcome(a)} @${a.nextStartNodeIndex}`);

      const b = schedule(pod, cache.updateSnapshot(), { seed, nextStartNodeIndex: cachedStart });
      cachedStart = b.nextStartNodeIndex;
      if (b.scheduled) cache.assumePod(pod, b.nodeName);
      cached.push(`${pod.metadata.name} ${outcome(b)} @${b.nextStartNodeIndex}`);
    }
    // The next pass's lists: what was bound is now stored (a new object each), a few pods deleted.
    pods = freshPods.map((pod) => structuredClone(pod)).filter(() => random() >= 0.03);
    const moved = Math.floor(random() * nodes.length);
    const tainted = Math.floor(random() * nodes.length);
    nodes = [...nodes, generatedNode(nodes.length, 4)].map((node, i) => {
      if (i === moved)
        return { ...node, metadata: { ...node.metadata, labels: { ...node.metadata.labels, [ZONE]: "us-east-1d" } } };
      if (i === tainted)
        return { ...node, spec: { ...node.spec, taints: [{ key: "maintenance", effect: "NoSchedule" as const }] } };
      return node;
    });
  }
  return { fresh, cached };
}

describe("the scheduler's cache", () => {
  for (const seed of [1, 2, 3]) {
    test(`binds a generated cluster's pods exactly as a fresh snapshot per pod does (seed ${seed})`, () => {
      const { fresh, cached } = bothWays(seed);
      assert.deepEqual(cached, fresh);
      // The cluster exercises every outcome — placed, unschedulable, preemption would help — or the comparison
      // would say little.
      const placed = fresh.filter((line) => line.includes(" -> ")).length;
      assert.ok(placed > 150, `${placed} placed`);
      assert.ok(placed < fresh.length - 50, `${fresh.length - placed} unschedulable`);
      assert.ok(
        fresh.some((line) => /candidates \[node/.test(line)),
        "preemption finds candidates for some",
      );
    });
  }

  test("a cycle after an assumed pod shares every NodeInfo but the pod's node's, which has moved", () => {
    const { nodes, bound, pending } = generatedCluster(7, { nodes: 10, bound: 30, pending: 1 });
    const cache = new SchedulerCache();
    cache.sync({ nodes, pods: bound });
    const before = cache.updateSnapshot();
    const [pod] = pending;
    assert.ok(pod !== undefined);
    cache.assumePod(pod, "node-4");
    const after = cache.updateSnapshot();
    assert.notEqual(after, before);
    for (const info of before.nodeInfos) {
      if (info.name === "node-4") continue;
      assert.equal(after.get(info.name), info, info.name);
    }
    const moved = after.get("node-4");
    assert.ok(moved !== undefined);
    assert.ok(moved.generation > (before.get("node-4")?.generation ?? Infinity));
    assert.deepEqual(
      moved.pods.map((info) => info.pod.metadata.name),
      [...(before.get("node-4")?.pods.map((info) => info.pod.metadata.name) ?? []), pod.metadata.name],
    );
    assert.equal(after.objects.pods.at(-1)?.spec.nodeName, "node-4", "preemption's dry run sees the assumed pod");
  });

  test("nothing moved: the same snapshot again, and a sync over the same objects rebuilds no NodeInfo", () => {
    const { nodes, bound } = generatedCluster(8, { nodes: 10, bound: 30, pending: 0 });
    const cache = new SchedulerCache();
    cache.sync({ nodes, pods: bound });
    const first = cache.updateSnapshot();
    assert.equal(cache.updateSnapshot(), first);
    cache.sync({ nodes, pods: [...bound] });
    const second = cache.updateSnapshot();
    assert.deepEqual(
      second.nodeInfos.map((info) => info.generation),
      first.nodeInfos.map((info) => info.generation),
    );
  });

  test("preemption's dry run: a snapshot without one node's victims is a fresh snapshot without them", () => {
    const { nodes, bound } = generatedCluster(10, { nodes: 12, bound: 60, pending: 0 });
    const snapshot = new Snapshot({ nodes, pods: bound });
    const node = snapshot.get("node-5");
    assert.ok(node !== undefined && node.pods.length >= 2);
    const victims = new Set(node.pods.filter((_, i) => i % 2 === 0).map((info) => info.pod));
    const reduced = snapshot.withoutPods("node-5", victims);
    const oracle = new Snapshot({ nodes, pods: bound.filter((pod) => !victims.has(pod)) });
    const shape = (s: Snapshot) => s.nodeInfos.map(({ generation: _, ...info }) => info);
    assert.deepEqual(shape(reduced), shape(oracle));
    for (const info of snapshot.nodeInfos) if (info.name !== "node-5") assert.equal(reduced.get(info.name), info);
    assert.deepEqual(reduced.objects.pods, oracle.objects.pods);
  });

  test("a node moved to another zone, added or removed changes the node tree's order as a fresh snapshot has it", () => {
    const { nodes, bound } = generatedCluster(9, { nodes: 9, bound: 20, pending: 0 });
    const cache = new SchedulerCache();
    cache.sync({ nodes, pods: bound });
    cache.updateSnapshot();
    const changed = [
      ...nodes
        .slice(1)
        .map((node) =>
          node.metadata.name === "node-2"
            ? { ...node, metadata: { ...node.metadata, labels: { ...node.metadata.labels, [ZONE]: "us-east-1a" } } }
            : node,
        ),
      generatedNode(9),
    ];
    cache.sync({ nodes: changed, pods: bound });
    const names = (snapshot: Snapshot) => snapshot.nodeInfos.map((info) => info.name);
    assert.deepEqual(names(cache.updateSnapshot()), names(new Snapshot({ nodes: changed, pods: bound })));
    assert.equal(cache.updateSnapshot().get("node-0"), undefined);
  });
});
