// One scheduling cycle end to end: the default profile, the FitError message with its PostFilter part, the
// PodScheduled condition, the seeded choice among tied nodes and the refusal of unreadable objects.
//
// "TestSchedulerSchedulePod" rows are ported from kubernetes/kubernetes pkg/scheduler/schedule_one_test.go (commit
// cb0f09275e56634451c727b187a2e24eedf0291e): the two that use a real plugin (PodTopologySpread). Upstream runs
// that plugin alone on nodes without allocatable resources; here the whole default profile runs, so the nodes get
// room for pods. Every other expectation in this file is reasoned from the v1.35 sources, not ported: the message
// shapes follow FitError.Error (pkg/scheduler/framework/types.go), DefaultPreemption's PostFilter ("preemption: "
// + the evaluator's own FitError, absent nodes "Preemption is not helpful for scheduling", a node with no
// lower-priority pod "No preemption victims found for incoming pod") and DynamicResources' PostFilter, which runs
// first and says "no new claims to deallocate"; the same sentences appear in FailedScheduling events of v1.34+
// clusters, e.g. "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. no new claims
// to deallocate, preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption
// victims found for incoming pod."
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod } from "../../../../sim/world/objects.ts";
import {
  NO_NODES_AVAILABLE,
  schedule,
  SchedulerInputError,
  type ClusterObjects,
  type ScheduleResult,
  type Unschedulable,
} from "../../../../sim/world/scheduler/index.ts";
import { makeLabelSelector, makeNode, makePod } from "./wrappers.ts";

const NOT_HELPFUL = "Preemption is not helpful for scheduling";
const NO_VICTIMS = "No preemption victims found for incoming pod";
const DRA = "no new claims to deallocate";

function unschedulable(result: ScheduleResult): Unschedulable {
  if (result.scheduled) throw new Error(`expected the pod to stay pending, it went to ${result.nodeName}`);
  return result;
}

function nodeName(result: ScheduleResult): string {
  if (!result.scheduled) throw new Error(`expected the pod to be scheduled: ${result.message}`);
  return result.nodeName;
}

const cluster = (nodes: Node[], pods: Pod[] = []): ClusterObjects => ({ nodes, pods });
const worker = (name: string, cpu = "2") => makeNode().name(name).capacity({ cpu, memory: "8Gi" });
const dedicated = (name: string) =>
  worker(name)
    .taints([{ key: "dedicated", value: "infra", effect: "NoSchedule" }])
    .obj();

describe("TestSchedulerSchedulePod (the rows with a real plugin)", () => {
  const node = (name: string) => makeNode().name(name).label("hostname", name).obj();
  const spread = (maxSkew: number) =>
    makePod()
      .name("p")
      .uid("p")
      .label("foo", "")
      .spreadConstraint(maxSkew, "hostname", "DoNotSchedule", makeLabelSelector().exists("foo").obj())
      .obj();
  const running = (name: string, node: string) => makePod().name(name).uid(name).label("foo", "").node(node).obj();

  test("test podtopologyspread plugin - 2 nodes with maxskew=1", () => {
    const result = schedule(spread(1), cluster([node("node1"), node("node2")], [running("pod1", "node1")]));
    assert.equal(nodeName(result), "node2");
  });
  test("test podtopologyspread plugin - 3 nodes with maxskew=2", () => {
    const pods = [running("pod1a", "node1"), running("pod1b", "node1"), running("pod2", "node2")];
    for (let seed = 0; seed < 8; seed++) {
      const result = schedule(spread(2), cluster([node("node1"), node("node2"), node("node3")], pods), { seed });
      assert.ok(["node2", "node3"].includes(nodeName(result)));
    }
  });
});

describe("the unschedulable message", () => {
  test("no nodes at all", () => {
    const result = unschedulable(schedule(makePod().name("p").obj(), cluster([])));
    assert.equal(result.message, NO_NODES_AVAILABLE);
    assert.equal(result.message, "no nodes available to schedule pods");
  });

  test("taints and too little cpu, nothing to preempt", () => {
    const busy = makePod().name("busy").namespace("default").node("a").req({ cpu: "1500m" }).obj();
    const pod = makePod().name("web").namespace("default").req({ cpu: "1" }).obj();
    const result = unschedulable(schedule(pod, cluster([worker("a").obj(), dedicated("b"), dedicated("c")], [busy])));
    assert.equal(
      result.message,
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint(s). " +
        `${DRA}, preemption: 0/3 nodes are available: 1 ${NO_VICTIMS}, 2 ${NOT_HELPFUL}.`,
    );
    assert.deepEqual(result.condition, {
      type: "PodScheduled",
      status: "False",
      reason: "Unschedulable",
      message: result.message,
    });
    assert.deepEqual(result.preemptionCandidates, []);
    assert.equal(result.nodeStatuses.get("a")?.code, "Unschedulable");
    assert.equal(result.nodeStatuses.get("b")?.code, "UnschedulableAndUnresolvable");
  });

  test("a request larger than any node cannot be helped by preemption", () => {
    const pod = makePod().name("greedy").namespace("default").req({ cpu: "500" }).obj();
    const result = unschedulable(schedule(pod, cluster([worker("a").obj(), worker("b").obj(), dedicated("c")])));
    assert.equal(
      result.message,
      "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 Insufficient cpu. " +
        `${DRA}, preemption: 0/3 nodes are available: 3 ${NOT_HELPFUL}.`,
    );
  });

  test("lower-priority pods that could be evicted: a candidate, and no PostFilter sentence", () => {
    const low = makePod().name("batch").namespace("default").node("a").req({ cpu: "1500m" }).priority(-10).obj();
    const pod = makePod().name("web").namespace("default").req({ cpu: "1" }).obj();
    const result = unschedulable(schedule(pod, cluster([worker("a").obj(), dedicated("b")], [low])));
    assert.equal(result.message, "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint(s).");
    assert.deepEqual(result.preemptionCandidates, ["a"]);
  });

  test("evicting every lower-priority pod would still not be enough", () => {
    const low = makePod().name("batch").namespace("default").node("a").req({ cpu: "500m" }).priority(-10).obj();
    const same = makePod().name("peer").namespace("default").node("a").req({ cpu: "1200m" }).obj();
    const pod = makePod().name("web").namespace("default").req({ cpu: "1" }).obj();
    const result = unschedulable(schedule(pod, cluster([worker("a").obj()], [low, same])));
    assert.equal(
      result.message,
      `0/1 nodes are available: 1 Insufficient cpu. ${DRA}, preemption: 0/1 nodes are available: 1 Insufficient cpu.`,
    );
  });

  test("preemptionPolicy Never", () => {
    const busy = makePod().name("busy").namespace("default").node("a").req({ cpu: "1500m" }).priority(-10).obj();
    const pod = makePod().name("web").namespace("default").req({ cpu: "1" }).preemptionPolicy("Never").obj();
    const result = unschedulable(schedule(pod, cluster([worker("a").obj()], [busy])));
    assert.equal(
      result.message,
      `0/1 nodes are available: 1 Insufficient cpu. ${DRA}, preemption: not eligible due to preemptionPolicy=Never.`,
    );
    assert.deepEqual(result.preemptionCandidates, []);
  });

  test("a PreFilter rejection is the whole histogram", () => {
    const pod = makePod().name("p").obj();
    pod.spec.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchFields: [
                { key: "metadata.name", operator: "In", values: ["a"] },
                { key: "metadata.name", operator: "In", values: ["b"] },
              ],
            },
          ],
        },
      },
    };
    const result = unschedulable(schedule(pod, cluster([worker("a").obj(), worker("b").obj()])));
    assert.equal(
      result.message,
      `0/2 nodes are available: pod affinity terms conflict. ${DRA}, preemption: 0/2 nodes are available: 2 ${NOT_HELPFUL}.`,
    );
  });

  test("nodes a PreFilter result left out count under the plugins that narrowed them", () => {
    const pod = makePod().name("p").obj();
    pod.spec.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["c"] }] }],
        },
      },
    };
    const result = unschedulable(schedule(pod, cluster([worker("a").obj(), worker("b").obj(), dedicated("c")])));
    assert.equal(
      result.message,
      "0/3 nodes are available: 1 node(s) had untolerated taint(s), 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. " +
        `${DRA}, preemption: 0/3 nodes are available: 3 ${NOT_HELPFUL}.`,
    );
    assert.equal(result.nodeStatuses.has("a"), false);
  });

  test("counts of ten or more sort before smaller ones, as Go's sort.Strings puts them", () => {
    const nodes = [
      ...Array.from({ length: 10 }, (_, i) => dedicated(`t${i}`)),
      ...Array.from({ length: 2 }, (_, i) => makeNode().name(`u${i}`).unschedulable(true).obj()),
    ];
    const result = unschedulable(schedule(makePod().name("p").obj(), cluster(nodes)));
    assert.equal(
      result.message,
      "0/12 nodes are available: 10 node(s) had untolerated taint(s), 2 node(s) were unschedulable. " +
        `${DRA}, preemption: 0/12 nodes are available: 12 ${NOT_HELPFUL}.`,
    );
  });
});

describe("what the world must provide", () => {
  test("a NotReady node is kept out by its node.kubernetes.io/not-ready taint, as the node lifecycle controller sets it", () => {
    const notReady = worker("a")
      .taints([{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }])
      .obj();
    const result = unschedulable(schedule(makePod().name("p").obj(), cluster([notReady])));
    assert.match(result.message, /^0\/1 nodes are available: 1 node\(s\) had untolerated taint\(s\)\./);
  });

  test("the pod-count limit", () => {
    const full = makeNode().name("a").capacity({ pods: "1" }).obj();
    const existing = makePod().name("x").node("a").obj();
    const result = unschedulable(schedule(makePod().name("p").obj(), cluster([full], [existing])));
    assert.equal(
      result.message,
      `0/1 nodes are available: 1 Too many pods. ${DRA}, preemption: 0/1 nodes are available: 1 ${NO_VICTIMS}.`,
    );
  });

  test("finished pods free their node", () => {
    const done = makePod().name("x").node("a").req({ cpu: "2" }).obj();
    done.status = { phase: "Succeeded" };
    const result = schedule(makePod().name("p").req({ cpu: "1" }).obj(), cluster([worker("a").obj()], [done]));
    assert.equal(nodeName(result), "a");
  });
});

describe("choosing a node", () => {
  test("the least allocated node wins", () => {
    const busy = makePod().name("x").node("a").req({ cpu: "1500m", memory: "6Gi" }).obj();
    const pod = makePod().name("p").req({ cpu: "100m", memory: "100Mi" }).obj();
    const result = schedule(pod, cluster([worker("a").obj(), worker("b").obj()], [busy]));
    assert.equal(nodeName(result), "b");
    assert.ok(result.scheduled);
    assert.equal(result.feasibleNodes, 2);
    assert.deepEqual(
      result.scores.map((entry) => entry.name),
      ["a", "b"],
    );
  });

  test("ties are broken by the seed: the same inputs give the same node, other pods spread over the tie", () => {
    const nodes = Array.from({ length: 4 }, (_, i) => worker(`n${i}`).obj());
    const pod = (name: string) => makePod().name(name).namespace("default").obj();
    const first = nodeName(schedule(pod("web-0"), cluster(nodes), { seed: 7 }));
    for (let i = 0; i < 5; i++) assert.equal(nodeName(schedule(pod("web-0"), cluster(nodes), { seed: 7 })), first);
    const chosen = new Set<string>();
    for (let i = 0; i < 40; i++) chosen.add(nodeName(schedule(pod(`web-${i}`), cluster(nodes), { seed: 7 })));
    assert.equal(chosen.size, 4, "the draw reaches every tied node");
    const seeds = new Set<string>();
    for (let seed = 0; seed < 40; seed++) seeds.add(nodeName(schedule(pod("web-0"), cluster(nodes), { seed })));
    assert.equal(seeds.size, 4, "the seed changes the draw");
  });

  test("a single feasible node is taken without scoring", () => {
    const result = schedule(makePod().name("p").obj(), cluster([worker("a").obj(), dedicated("b")]));
    assert.ok(result.scheduled);
    assert.equal(result.nodeName, "a");
    assert.equal(result.evaluatedNodes, 2);
    assert.deepEqual(result.scores, []);
  });
});

describe("objects the API server would have refused", () => {
  test("a pod with an unreadable quantity is named with the field", () => {
    const pod = makePod().name("p").namespace("default").req({ cpu: "abc" }).obj();
    assert.throws(
      () => schedule(pod, cluster([worker("a").obj()])),
      (error: unknown) =>
        error instanceof SchedulerInputError &&
        error.message.startsWith('Pod default/p: spec.containers[0].resources.requests.cpu: invalid quantity "abc"'),
    );
  });

  test("a node with an unreadable allocatable", () => {
    const node = makeNode().name("a").capacity({ cpu: "x" }).obj();
    assert.throws(
      () => schedule(makePod().name("p").obj(), cluster([node])),
      (error: unknown) =>
        error instanceof SchedulerInputError && error.message.startsWith("Node a: status.allocatable.cpu:"),
    );
  });
});
