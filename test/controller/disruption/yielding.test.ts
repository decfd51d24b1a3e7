// The disruption pass hands the event loop back between simulations, decides the same as the one-go planner, and
// keeps Karpenter's consolidation time limits on the pass's clock: multi-node 1 min, returning the last command that
// held; single-node 3 min, with no command (FACTS.md §b; multinodeconsolidation.go
// `MultiNodeConsolidationTimeoutDuration`, singlenodeconsolidation.go `SingleNodeConsolidationTimeoutDuration`).
// Sizes are the catalog's (data/SOURCE.md): m5.large allocates 1930m, so a 1200m pod leaves 730m, too little for
// another such pod, and with m5.large the only type no replacement is cheaper. Turns are counted, never timed. The
// counter is Karpenter's `karpenter_voluntary_disruption_consolidation_timeouts_total{consolidation_type}`.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Clock } from "../../../api/index.ts";
import { fixedClock } from "../../../api/ports.ts";
import { Registry } from "prom-client";
import {
  createDisruptionMetrics,
  type DisruptionPlan,
  plan,
  planSteps,
  planYielding,
  recordPlan,
  type Steps,
} from "../../../controller/disruption/index.ts";
import { instanceTypes, nodePool, pod, SnapshotBuilder, typesByPool } from "../../support/disruption-cluster.ts";

const NOW = new Date("2026-01-05T14:00:00Z");
const LARGE = instanceTypes(["m5.large"]);
const POOL = nodePool("default", { budgets: [{ nodes: "100%" }] });
const DESIRED = { nodePools: [POOL] };
const BY_POOL = typesByPool([POOL], LARGE);

/** `count` busy m5.large nodes none of which can go: every consolidation simulation is tried and refused. */
function busy(count: number): SnapshotBuilder {
  const b = new SnapshotBuilder(LARGE);
  for (let i = 0; i < count; i++)
    b.node(`n${String(i).padStart(3, "0")}`, { type: "m5.large", pods: [pod({ cpu: "1200m" })] });
  return b;
}

/** Runs the planner's steps, moving a settable clock by `advance(i)` ms at the i-th pause; returns the plan and pauses. */
function drive(steps: (clock: Clock) => Steps<DisruptionPlan>, advance: (pause: number) => number) {
  let now = NOW.getTime();
  const gen = steps({ now: () => new Date(now) });
  let pauses = 0;
  for (;;) {
    const step = gen.next();
    if (step.done === true) return { plan: step.value, pauses };
    now += advance(pauses);
    pauses += 1;
  }
}

/** Counts the event loop's check phases (setImmediate) until stopped. */
function countTurns() {
  let turns = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      stopped = true;
      return turns;
    },
  };
}

describe("disruption pass: the event loop is served during a long pass", () => {
  const snapshot = busy(100).snapshot();

  test("the one-go planner holds the loop: no turn runs inside it (the probe can fail)", () => {
    const turns = countTurns();
    plan(snapshot, DESIRED, BY_POOL, fixedClock(NOW));
    assert.equal(turns.stop(), 0);
  });

  test("the yielding pass lets an immediate scheduled at its start run, turn after turn, before it ends", async () => {
    const { pauses } = drive(
      (clock) => planSteps(snapshot, DESIRED, BY_POOL, clock),
      () => 0,
    );
    // Multi-node's all-at-once and its binary search over 100, then single-node over each of the 100.
    assert.ok(pauses > 100, `${pauses} pauses`);
    const turns = countTurns();
    await planYielding(snapshot, DESIRED, BY_POOL, fixedClock(NOW), {}, { sliceMs: 0 });
    assert.ok(turns.stop() >= pauses / 2, "a turn of the loop between pauses");
  });

  test("decisions are the same, yielding or not", async () => {
    const consolidating = busy(6)
      .node("big", { type: "m5.large", pods: [pod({ cpu: "100m" })] })
      .snapshot();
    for (const s of [snapshot, consolidating]) {
      const once = plan(s, DESIRED, BY_POOL, fixedClock(NOW));
      assert.deepEqual(await planYielding(s, DESIRED, BY_POOL, fixedClock(NOW), {}, { sliceMs: 0 }), once);
      assert.deepEqual(await planYielding(s, DESIRED, BY_POOL, fixedClock(NOW)), once);
    }
    const [command] = plan(consolidating, DESIRED, BY_POOL, fixedClock(NOW)).commands;
    assert.ok(command !== undefined, "the second snapshot has a command to agree on");
  });
});

describe("disruption pass: consolidation's time limits on the pass's clock", () => {
  test("single-node gives up after 3 min with no command; the rest are not evaluated; both are counted", async () => {
    // 5 busy nodes. Pause 1 follows multi-node's all-at-once; each later pause one single-node simulation. With
    // 1 min between pauses multi-node is out of time at its first check (61 s > 60 s) and single-node, begun at
    // 61 s, has evaluated 3 candidates at 244 s > 61 + 180 s.
    const snapshot = busy(5).snapshot();
    const { plan: p } = drive(
      (clock) => planSteps(snapshot, DESIRED, BY_POOL, clock),
      () => 61_000,
    );
    assert.deepEqual(p.commands, []);
    assert.deepEqual(p.timeouts, [
      {
        method: "multi-node-consolidation",
        message: "multi-node consolidation stopped after 1 minute: no command found, the last batch tried had 3 nodes",
      },
      {
        method: "single-node-consolidation",
        message: "single-node consolidation stopped after 3 minutes, having evaluated 3 of 5 candidates",
      },
    ]);
    const registry = new Registry();
    const metrics = createDisruptionMetrics(registry);
    recordPlan(metrics, p);
    const counted = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === "poolkeeper_voluntary_disruption_consolidation_timeouts_total",
    );
    assert.deepEqual(
      counted?.values.map((v) => `${String(v.labels["consolidation_type"])} ${v.value}`),
      ["multi 1", "single 1"],
    );
    const kinds = p.blocked.map((b) => `${b.node} ${b.kind}`);
    assert.deepEqual(kinds, [
      "n000 no-cheaper",
      "n001 no-cheaper",
      "n002 no-cheaper",
      "n003 not-evaluated",
      "n004 not-evaluated",
    ]);
    assert.match(p.blocked[4]?.message ?? "", /^not evaluated: single-node consolidation stopped after 3 minutes/);
  });

  test("within the limits every candidate is evaluated and nothing is reported", () => {
    const p = plan(busy(5).snapshot(), DESIRED, BY_POOL, fixedClock(NOW));
    assert.deepEqual(p.timeouts, []);
    assert.ok(
      p.blocked.every((b) => b.kind === "no-cheaper"),
      JSON.stringify(p.blocked),
    );
  });

  test("multi-node out of time returns the last command that held", () => {
    // a–f hold a 300m pod each, y and z an 1800m pod (130m left); a multi-node replacement is never of the
    // candidates' own type, m5.large. All eight cannot go. The binary search over 2..7 tries 4 first: a–d's 1200m
    // fit on e (1630m free), a delete. Given time it refuses a–f (1800m fit on no node left, and need an m5.large)
    // and takes a–e (1500m onto f); out of time after the 4, it returns the delete of a–d.
    const b = new SnapshotBuilder(LARGE);
    for (const name of ["a", "b", "c", "d", "e", "f"]) b.node(name, { type: "m5.large", pods: [pod({ cpu: "300m" })] });
    for (const name of ["y", "z"]) b.node(name, { type: "m5.large", pods: [pod({ cpu: "1800m" })] });
    const snapshot = b.snapshot();
    const names = (p: DisruptionPlan) => p.commands.map((c) => c.candidates.map((n) => n.node).join(","));

    const unhurried = plan(snapshot, DESIRED, BY_POOL, fixedClock(NOW));
    assert.deepEqual(names(unhurried), ["a,b,c,d,e"]);
    assert.equal(unhurried.commands[0]?.method, "multi-node-consolidation");

    const { plan: hurried } = drive(
      (clock) => planSteps(snapshot, DESIRED, BY_POOL, clock),
      (i) => (i === 1 ? 61_000 : 0),
    );
    assert.deepEqual(names(hurried), ["a,b,c,d"]);
    assert.deepEqual(hurried.commands[0]?.replacements, []);
    assert.deepEqual(
      hurried.timeouts.map((t) => t.message),
      ["multi-node consolidation stopped after 1 minute: returning the last command that held (4 nodes)"],
    );
  });
});
