// Consolidation and the candidate filter, one rule at a time. Prices and sizes are the catalog's columns
// (data/SOURCE.md: onDemandUsd, allocCpuMilli): m5.large $0.096/h 1930m, m5a.large $0.086/h, m5.xlarge $0.192/h
// 3920m, m5.2xlarge $0.384/h 7910m, m5.4xlarge $0.768/h 15890m. The rules are Karpenter's as FACTS.md §b states
// them; the Balanced scores are worked out by hand in each test from the design's formula.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { NodePool } from "../../../api/index.ts";
import { fixedClock } from "../../../api/ports.ts";
import {
  ANNOTATION_DISRUPTION_MODE,
  type DisruptionOptions,
  type DisruptionPlan,
  plan,
} from "../../../controller/disruption/index.ts";
import type { InstanceType } from "../../../cloudprovider/index.ts";
import {
  catalogTypes,
  instanceTypes,
  nodePool,
  pod,
  SnapshotBuilder,
  typesByPool,
} from "../../support/disruption-cluster.ts";

const NOW = new Date("2026-01-05T14:00:00Z");
const M5 = instanceTypes(["m5.large", "m5.xlarge", "m5.2xlarge", "m5.4xlarge"]);

function run(
  b: SnapshotBuilder,
  pool: NodePool = nodePool("default"),
  options: DisruptionOptions = {},
  types: readonly InstanceType[] = M5,
  at: Date = NOW,
): DisruptionPlan {
  return plan(b.snapshot(), { nodePools: [pool] }, typesByPool([pool], types), fixedClock(at), options);
}

const only = (p: DisruptionPlan) => {
  assert.equal(p.commands.length, 1, JSON.stringify(p.blocked));
  return p.commands[0] ?? assert.fail("no command");
};
const why = (p: DisruptionPlan, node: string) => p.blocked.find((b) => b.node === node)?.message;

// An m5.2xlarge with one 500m pod: one m5.large holds it, saving 0.384 − 0.096 = $0.288/h.
const oversized = (extra: Record<string, unknown> = {}, podExtra: Record<string, unknown> = {}) =>
  new SnapshotBuilder(M5).node("big", { type: "m5.2xlarge", pods: [pod({ cpu: "500m", ...podExtra })], ...extra });

describe("consolidation: what a command does", () => {
  test("replaces a node with exactly one cheaper node, with pods moved and savings", () => {
    const c = only(run(oversized()));
    assert.equal(c.method, "single-node-consolidation");
    assert.equal(c.reason, "Underutilized");
    assert.equal(c.replacements.length, 1);
    assert.equal(c.replacements[0]?.instanceTypes[0], "m5.large");
    assert.ok(!c.replacements[0]?.instanceTypes.includes("m5.2xlarge"), "only strictly cheaper options");
    assert.equal(c.savingsPerHour.toFixed(3), "0.288");
    assert.equal(c.pods.length, 1);
    assert.equal(c.validateAt?.toISOString(), "2026-01-05T14:00:15.000Z", "acts after 15 s of re-validation");
    assert.match(
      c.message,
      /^replace big \(m5\.2xlarge on-demand, \$0\.384\/h\) with one m5\.large on-demand.*saves \$0\.288\/h$/,
    );
  });

  test("deletes a node whose pods fit on the others", () => {
    // a (m5.large, 200m) fits on b (m5.xlarge, 3 × 1000m: 920m free). Together (3200m) they would need an
    // m5.xlarge (their own type, left out for multi-node) or an m5.2xlarge ($0.384 ≥ $0.288): no multi-node command.
    const b = new SnapshotBuilder(M5)
      .node("a", { type: "m5.large", pods: [pod({ cpu: "200m" })] })
      .node("b", { type: "m5.xlarge", pods: [1, 2, 3].map(() => pod({ cpu: "1000m" })) });
    const c = only(run(b));
    assert.deepEqual(
      c.candidates.map((n) => n.node),
      ["a"],
    );
    assert.deepEqual(c.replacements, []);
    assert.equal(c.savingsPerHour, 0.096);
  });

  test("multi-node: two half-empty nodes become one smaller node", () => {
    const b = new SnapshotBuilder(M5)
      .node("x1", { type: "m5.xlarge", pods: [pod({ cpu: "500m" })] })
      .node("x2", { type: "m5.xlarge", pods: [pod({ cpu: "500m" })] });
    // The default budget (10 % of 2 nodes: 1) would allow one candidate; multi-node needs both.
    const c = only(run(b, nodePool("default", { budgets: [{ nodes: "100%" }] })));
    assert.equal(c.method, "multi-node-consolidation");
    assert.deepEqual(c.candidates.map((n) => n.node).sort(), ["x1", "x2"]);
    assert.equal(c.replacements[0]?.instanceTypes[0], "m5.large");
    assert.equal(c.savingsPerHour.toFixed(3), (0.192 * 2 - 0.096).toFixed(3));
  });

  test("WhenEmpty consolidates only empty nodes", () => {
    const p = run(oversized(), nodePool("default", { consolidationPolicy: "WhenEmpty" }));
    assert.deepEqual(p.commands, []);
    assert.equal(why(p, "big"), "NodePool default consolidates only empty nodes (WhenEmpty)");
  });
});

describe("method order: one graceful method acts per pass", () => {
  // Karpenter's order (FACTS.md §b): emptiness, drift, multi-node, single-node consolidation; the first that finds
  // something acts alone. An empty node, a drifted node and an oversized node: each pass takes the next in order.
  const all = [{ nodes: "100%" }];
  const cluster = (without: string[]) => {
    const b = new SnapshotBuilder(M5);
    if (!without.includes("e")) b.node("e", { type: "m5.large" });
    if (!without.includes("d")) b.node("d", { type: "m5.large", cloudDrift: "AMIDrift", pods: [pod({ cpu: "500m" })] });
    return b.node("big", { type: "m5.2xlarge", pods: [pod({ cpu: "500m" })] });
  };
  test("emptiness first, then drift, then consolidation", () => {
    const first = run(cluster([]), nodePool("default", { budgets: all }));
    assert.deepEqual(
      first.commands.map((c) => [c.method, c.candidates.map((n) => n.node)]),
      [["emptiness", ["e"]]],
    );
    const second = run(cluster(["e"]), nodePool("default", { budgets: all }));
    assert.deepEqual(
      second.commands.map((c) => [c.method, c.candidates.map((n) => n.node)]),
      [["drift", ["d"]]],
    );
    const third = run(cluster(["e", "d"]), nodePool("default", { budgets: all }));
    assert.deepEqual(
      third.commands.map((c) => [c.reason, c.candidates.map((n) => n.node)]),
      [["Underutilized", ["big"]]],
    );
  });
});

describe("consolidation: consolidateAfter", () => {
  test("a node is not consolidated until consolidateAfter has passed since its last pod event", () => {
    const pool = nodePool("default", { consolidateAfter: "30m" });
    const waiting = run(oversized({ lastPodEventTime: "2026-01-05T13:50:00Z" }), pool);
    assert.deepEqual(waiting.commands, []);
    assert.equal(why(waiting, "big"), "under-used, but consolidateAfter 30m runs until 14:20 UTC");
    const later = new Date("2026-01-05T14:20:00Z");
    assert.equal(
      only(run(oversized({ lastPodEventTime: "2026-01-05T13:50:00Z" }), pool, {}, M5, later)).reason,
      "Underutilized",
    );
  });

  test("without pod events it counts from initialization", () => {
    const pool = nodePool("default", { consolidateAfter: "1h" });
    const p = run(oversized({ initializedAt: "2026-01-05T13:30:00Z" }), pool);
    assert.equal(why(p, "big"), "under-used, but consolidateAfter 1h runs until 14:30 UTC");
  });

  test("Never disables emptiness and consolidation, but not drift", () => {
    const pool = nodePool("default", { consolidateAfter: "Never" });
    const p = run(oversized().node("empty", { type: "m5.large" }), pool);
    assert.deepEqual(p.commands, []);
    assert.equal(why(p, "big"), "NodePool default has consolidation disabled (consolidateAfter: Never)");
    assert.equal(why(p, "empty"), "NodePool default has consolidation disabled (consolidateAfter: Never)");
    const drifted = run(oversized({ cloudDrift: "AMIDrift" }), pool);
    assert.equal(only(drifted).reason, "Drifted");
  });
});

describe("candidates: do-not-disrupt, PDBs, nomination", () => {
  test("do-not-disrupt with a duration blocks until the pod's start plus the duration", () => {
    const annotated = () =>
      oversized(
        {},
        {
          name: "api-7",
          namespace: "payments",
          startTime: "2026-01-05T12:00:00Z",
          annotations: { "karpenter.sh/do-not-disrupt": "3h" },
        },
      );
    const p = run(annotated());
    assert.deepEqual(p.commands, []);
    assert.equal(why(p, "big"), "pod payments/api-7 has do-not-disrupt until 15:00 UTC");
    assert.equal(only(run(annotated(), undefined, {}, M5, new Date("2026-01-05T15:00:00Z"))).reason, "Underutilized");
  });

  test('do-not-disrupt "true" blocks for good; a value that is no duration is ignored, as Karpenter ignores it', () => {
    const p = run(oversized({}, { name: "db-0", annotations: { "karpenter.sh/do-not-disrupt": "true" } }));
    assert.equal(why(p, "big"), "pod default/db-0 has do-not-disrupt");
    assert.equal(
      only(run(oversized({}, { annotations: { "karpenter.sh/do-not-disrupt": "soon" } }))).reason,
      "Underutilized",
    );
  });

  test("a node annotated do-not-disrupt is no candidate", () => {
    const p = run(oversized({ nodeAnnotations: { "karpenter.sh/do-not-disrupt": "true" } }));
    assert.deepEqual(p.commands, []);
    assert.equal(why(p, "big"), "the node has karpenter.sh/do-not-disrupt");
  });

  test("a PDB that allows 0 disruptions blocks its pods' node", () => {
    const b = oversized({}, { name: "checkout-1", labels: { app: "checkout" } }).pdb(
      "checkout",
      { app: "checkout" },
      0,
    );
    const p = run(b);
    assert.deepEqual(p.commands, []);
    assert.equal(why(p, "big"), "PDB checkout allows 0 disruptions (pod default/checkout-1)");
    assert.equal(p.blocked[0]?.kind, "pdb");
  });

  test("a pod under two PDBs blocks, even when both allow disruptions", () => {
    const b = oversized({}, { name: "web-1", labels: { app: "web", tier: "front" } })
      .pdb("web", { app: "web" }, 1)
      .pdb("front", { tier: "front" }, 1);
    const p = run(b);
    assert.match(why(p, "big") ?? "", /^pod default\/web-1 is selected by 2 PDBs \(front, web\)/);
  });

  test("an unready pod under an AlwaysAllow PDB does not block", () => {
    const b = oversized({}, { labels: { app: "w" }, ready: false }).pdb("w", { app: "w" }, 0, {
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    });
    assert.equal(only(run(b)).reason, "Underutilized");
  });

  test("a node nominated for pending pods in the last 20 s is no candidate", () => {
    const p = run(oversized({ nominatedAt: "2026-01-05T13:59:55Z" }));
    assert.equal(why(p, "big"), "nominated for pending pods 5 s ago; not a candidate for 20 s");
    assert.equal(only(run(oversized({ nominatedAt: "2026-01-05T13:59:40Z" }))).reason, "Underutilized");
  });

  test("a node not yet initialized is no candidate", () => {
    assert.equal(why(run(oversized({ initializedAt: null })), "big"), "the node is not initialized yet");
  });
});

describe("no churn", () => {
  const priced = instanceTypes(["m5.large", "m5a.large"]);
  const small = () => new SnapshotBuilder(priced).node("n", { type: "m5.large", pods: [pod({ cpu: "500m" })] });

  test("never the same instance type at the same price", () => {
    const p = run(new SnapshotBuilder(M5).node("n", { type: "m5.large", pods: [pod({ cpu: "500m" })] }));
    assert.deepEqual(p.commands, []);
    assert.equal(
      why(p, "n"),
      "cannot consolidate: no cheaper replacement: its pods need a node of $0.096/h, it costs $0.096/h",
    );
  });

  test("a replacement must save at least the margin: m5.large → m5a.large saves $0.010/h, 10.4 %", () => {
    assert.equal(only(run(small(), undefined, {}, priced)).replacements[0]?.instanceTypes[0], "m5a.large");
    assert.equal(only(run(small(), undefined, { marginPercent: 10 }, priced)).reason, "Underutilized");
    const p = run(small(), undefined, { marginPercent: 15 }, priced);
    assert.deepEqual(p.commands, []);
    assert.equal(why(p, "n"), "cannot consolidate: replacement would save $0.010/h, below the 15 % margin");
  });
});

describe("spot", () => {
  const spotPool = () =>
    nodePool(
      "default",
      {},
      { requirements: [{ key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] }] },
    );

  test("on-demand to spot: the replacement is pinned to spot", () => {
    const types = instanceTypes(["m5.large", "m5.xlarge"], { "m5.large": 0.04 });
    const b = new SnapshotBuilder(types).node("od", { type: "m5.xlarge", pods: [pod({ cpu: "500m" })] });
    const c = only(run(b, spotPool(), {}, types));
    assert.equal(c.replacements[0]?.capacityType, "spot");
    assert.deepEqual(c.replacements[0]?.requirements.valuesFor("karpenter.sh/capacity-type").values, ["spot"]);
  });

  test("spot to spot is off by default, and needs 15 cheaper spot types for one node", () => {
    const types = instanceTypes(["m5.large", "m5.xlarge"], { "m5.large": 0.04, "m5.xlarge": 0.07 });
    const b = () =>
      new SnapshotBuilder(types).node("s", { type: "m5.xlarge", capacityType: "spot", pods: [pod({ cpu: "500m" })] });
    const off = run(b(), spotPool(), {}, types);
    assert.equal(
      why(off, "s"),
      "cannot consolidate: spot-to-spot consolidation is disabled (a spot node is replaced only by deleting it)",
    );
    const on = run(b(), spotPool(), { spotToSpot: true }, types);
    assert.equal(
      why(on, "s"),
      "cannot consolidate: SpotToSpotConsolidation requires 15 cheaper instance type options than the current candidate to consolidate, got 1",
    );
  });

  test("with enough cheaper spot types it launches with the 15 cheapest", () => {
    // Twenty catalog types with 2 vCPUs or more, spot at $0.010 + $0.001 × i, all cheaper than the node's $0.07.
    const names = catalogTypes
      .filter((t) => /\.(large|xlarge)$/.test(t.name) && t.name !== "m5.2xlarge")
      .slice(0, 20)
      .map((t) => t.name);
    assert.equal(names.length, 20);
    const spot = Object.fromEntries(names.map((n, i) => [n, 0.01 + 0.001 * i]));
    const types = instanceTypes([...new Set([...names, "m5.2xlarge"])], { ...spot, "m5.2xlarge": 0.07 });
    const b = new SnapshotBuilder(types).node("s", {
      type: "m5.2xlarge",
      capacityType: "spot",
      pods: [pod({ cpu: "500m" })],
    });
    const c = only(run(b, spotPool(), { spotToSpot: true }, types));
    assert.equal(c.replacements[0]?.instanceTypes.length, 15);
    assert.equal(c.replacements[0]?.capacityType, "spot");
  });
});

describe("Balanced", () => {
  test("approves a move whose share of savings outweighs half its share of disruption", () => {
    // Three m5.xlarge with 3 × 1000m pods (920m free each) and x with one 500m pod: x can be deleted.
    // Pool cost 4 × 0.192 = 0.768, saving 0.192: 25 %. Disruption: x's 1 pod of the pool's 10: 10 %.
    // Score 0.25 / 0.10 = 2.5 ≥ 1/2.
    const b = new SnapshotBuilder(M5).node("x", { type: "m5.xlarge", pods: [pod({ cpu: "500m" })] });
    for (const n of ["b1", "b2", "b3"])
      b.node(n, { type: "m5.xlarge", pods: [1, 2, 3].map(() => pod({ cpu: "1000m" })) });
    const c = only(run(b, nodePool("default", { consolidationPolicy: "Balanced" })));
    assert.deepEqual(
      c.candidates.map((n) => n.node),
      ["x"],
    );
    assert.deepEqual(c.replacements, []);
  });

  test("rejects a move that disrupts much for little", () => {
    // y: m5.2xlarge with 10 × 370m pods (3700m) → one m5.xlarge, saving 0.384 − 0.192 = 0.192.
    // z: m5.4xlarge with 2 × 7900m pods, 90m free: nothing moves onto it, nothing cheaper holds it.
    // Pool cost 0.384 + 0.768 = 1.152: saving 16.7 %. Disruption: 10 of 12 pods, 83.3 %. Score 0.2 < 1/2.
    const b = new SnapshotBuilder(M5)
      .node("y", { type: "m5.2xlarge", pods: Array.from({ length: 10 }, () => pod({ cpu: "370m" })) })
      .node("z", { type: "m5.4xlarge", pods: [pod({ cpu: "7900m" }), pod({ cpu: "7900m" })] });
    const all = [{ nodes: "100%" }];
    const p = run(b, nodePool("default", { consolidationPolicy: "Balanced", budgets: all }));
    assert.deepEqual(p.commands, []);
    assert.equal(
      why(p, "y"),
      "Balanced policy rejects the move: score 0.20 below 1/2 (saves 16.7 % of the pool's cost for 83.3 % of its disruption cost)",
    );
    assert.equal(p.blocked.find((x) => x.node === "y")?.kind, "balanced");
    // The same cluster under WhenEmptyOrUnderutilized replaces y.
    assert.equal(only(run(b, nodePool("default", { budgets: all }))).candidates[0]?.node, "y");
  });
});

describe("expiration and dry-run", () => {
  test("an expired node is deleted outside budgets, PDBs and do-not-disrupt: the forceful path", () => {
    // Created 2025-12-01, expireAfter 720h (30 days): expired on 2025-12-31.
    const b = oversized(
      { createdAt: "2025-12-01T00:00:00Z", claimSpec: { expireAfter: "720h" } },
      { labels: { app: "c" } },
    ).pdb("c", { app: "c" }, 0);
    const p = run(b, nodePool("default", { budgets: [{ nodes: "0" }] }));
    const c = only(p);
    assert.equal(c.reason, "Expired");
    assert.equal(c.forceful, true);
    assert.equal(c.validateAt, undefined);
    assert.deepEqual(c.replacements, []);
    assert.match(c.message, /expireAfter 720h passed at 2025-12-31T00:00:00\.000Z/);
  });

  test("--dry-run, or a pool annotated poolkeeper.dev/disruption: dry-run, marks commands as reports only", () => {
    assert.equal(only(run(oversized())).dryRun, false);
    assert.equal(only(run(oversized(), undefined, { dryRun: true })).dryRun, true);
    const annotated = nodePool("default", {}, { annotations: { [ANNOTATION_DISRUPTION_MODE]: "dry-run" } });
    assert.equal(only(run(oversized(), annotated)).dryRun, true);
  });

  test("a dry-run pool's report takes no turn: another pool's command acts in the same pass", () => {
    // Two pools with an empty m5.large each ($0.096/h); one annotated dry-run. Emptiness would put both nodes in one
    // command; the dry-run pool's node is only reported, and the other's deletion is not held back by it.
    const dry = nodePool("dry", {}, { annotations: { [ANNOTATION_DISRUPTION_MODE]: "dry-run" } });
    const live = nodePool("live");
    const b = new SnapshotBuilder(M5)
      .node("a", { type: "m5.large", pool: "dry" })
      .node("b", { type: "m5.large", pool: "live" });
    const p = plan(b.snapshot(), { nodePools: [dry, live] }, typesByPool([dry, live], M5), fixedClock(NOW));
    assert.deepEqual(
      p.commands.map((c) => [c.candidates.map((n) => n.node), c.dryRun, c.message]),
      [
        [["b"], false, "delete 1 empty node (b): saves $0.096/h"],
        [["a"], true, "delete 1 empty node (a): saves $0.096/h"],
      ],
    );
  });
});
