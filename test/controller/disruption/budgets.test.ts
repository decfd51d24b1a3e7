// Disruption budgets as the planner spends them, at the times and node counts the issue names. Expected values:
// Karpenter's arithmetic as FACTS.md §b states it (percentages rounded up, ceil(N × 10 %) — 1, 1, 1, 2, 10 for 1, 9,
// 10, 11, 100 nodes; disrupting nodes subtracted; no active budget means no limit; a schedule that does not parse
// blocks the whole pool), and the calendar (2026-01-05 is a Monday, checked with Date below).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fixedClock } from "../../../api/ports.ts";
import { type DisruptionPlan, plan } from "../../../controller/disruption/index.ts";
import { instanceTypes, nodePool, pod, SnapshotBuilder, typesByPool } from "../../support/disruption-cluster.ts";

const MONDAY_10 = new Date("2026-01-05T10:00:00Z");
const SATURDAY_10 = new Date("2026-01-10T10:00:00Z");
const types = instanceTypes(["m5.large", "m5.xlarge"]);

function emptyNodes(count: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
  const b = new SnapshotBuilder(types);
  for (let i = 0; i < count; i++) b.node(`n${String(i).padStart(3, "0")}`, { type: "m5.large", ...extra(i) });
  return b;
}

function run(b: SnapshotBuilder, budgets: unknown[] | undefined, at: Date): DisruptionPlan {
  const pool = nodePool("default", budgets === undefined ? {} : { budgets });
  return plan(b.snapshot(), { nodePools: [pool] }, typesByPool([pool], types), fixedClock(at));
}

const deleted = (p: DisruptionPlan) => p.commands.flatMap((c) => c.candidates.map((n) => n.node));

describe("budgets", () => {
  test("the calendar: 2026-01-05 is a Monday and 2026-01-10 a Saturday", () => {
    assert.equal(MONDAY_10.getUTCDay(), 1);
    assert.equal(SATURDAY_10.getUTCDay(), 6);
  });

  test('"0 9 * * 1-5" for 12h with nodes "0" blocks on Monday 10:00 UTC and allows on Saturday', () => {
    const budgets = [{ nodes: "0", schedule: "0 9 * * 1-5", duration: "12h" }];
    const monday = run(emptyNodes(3), budgets, MONDAY_10);
    assert.deepEqual(monday.commands, []);
    assert.deepEqual(
      monday.blocked.map((b) => b.message),
      Array(3).fill("Empty: budget 0 (`nodes: 0`, 0 9 * * 1-5 for 12h) active until 21:00 UTC"),
    );
    const saturday = run(emptyNodes(3), budgets, SATURDAY_10);
    assert.deepEqual(deleted(saturday), ["n000", "n001", "n002"]);
  });

  for (const [nodes, allowed] of [
    [1, 1],
    [9, 1],
    [10, 1],
    [11, 2],
    [100, 10],
  ] as const) {
    test(`10% of ${nodes} nodes rounds up to ${allowed}`, () => {
      const p = run(emptyNodes(nodes), [{ nodes: "10%" }], SATURDAY_10);
      assert.equal(deleted(p).length, allowed);
      assert.equal(p.blocked.filter((b) => b.kind === "budget").length, nodes - allowed);
    });
  }

  test("the default budget is 10%", () => {
    assert.equal(deleted(run(emptyNodes(11), undefined, SATURDAY_10)).length, 2);
  });

  test("nodes already disrupting are subtracted: 10% of 10 is 1, and one is already taken", () => {
    const b = emptyNodes(10, (i) => (i === 0 ? { disruptionReason: "Underutilized" } : {}));
    const p = run(b, [{ nodes: "10%" }], SATURDAY_10);
    assert.deepEqual(p.commands, []);
    const budgetBlocked = p.blocked.filter((x) => x.kind === "budget");
    assert.equal(budgetBlocked.length, 9);
    assert.equal(
      budgetBlocked[0]?.message,
      "Empty: budget 0 (`nodes: 10%`) allows 1 of 10 nodes and 1 is already disrupting",
    );
    assert.equal(p.blocked.find((x) => x.node === "n000")?.kind, "in-progress");
  });

  test("a budget scoped to Drifted does not limit Empty, and blocks drift", () => {
    const budgets = [{ nodes: "0", reasons: ["Drifted"] }];
    assert.equal(deleted(run(emptyNodes(4), budgets, SATURDAY_10)).length, 4);
    const b = new SnapshotBuilder(types).node("d", { type: "m5.large", cloudDrift: "AMIDrift", pods: [pod()] });
    const p = run(b, budgets, SATURDAY_10);
    assert.deepEqual(p.commands, []);
    assert.equal(p.blocked[0]?.message, "Drifted: budget 0 (`nodes: 0`, reasons Drifted)");
  });

  test("only scheduled budgets: unlimited outside the window, and the report says so", () => {
    const budgets = [{ nodes: "0", schedule: "0 9 * * 1-5", duration: "12h" }];
    const p = run(emptyNodes(10), budgets, SATURDAY_10);
    assert.equal(deleted(p).length, 10);
    assert.deepEqual(p.budgets, [
      "pool default, Empty: unlimited, no budget is active; outside the windows of budget 0 (`nodes: 0`, 0 9 * * 1-5 for 12h) Karpenter sets no limit",
    ]);
  });

  test("the production budgets: 10% for Underutilized and Empty, and 0 in business hours", () => {
    const budgets = [
      { nodes: "10%", reasons: ["Underutilized", "Empty"] },
      { nodes: "0", schedule: "0 9 * * mon-fri", duration: "8h" },
    ];
    const monday = run(emptyNodes(10), budgets, MONDAY_10);
    assert.deepEqual(monday.commands, []);
    assert.equal(
      monday.blocked[0]?.message,
      "Empty: budget 1 (`nodes: 0`, 0 9 * * mon-fri for 8h) active until 17:00 UTC",
    );
    assert.equal(deleted(run(emptyNodes(10), budgets, SATURDAY_10)).length, 1);
    // Drift is limited by neither on Saturday: the first budget names other reasons and the second is inactive.
    const drifted = new SnapshotBuilder(types);
    for (let i = 0; i < 3; i++) drifted.node(`d${i}`, { type: "m5.large", cloudDrift: "AMIDrift", pods: [pod()] });
    const p = run(drifted, budgets, SATURDAY_10);
    assert.equal(p.commands.length, 1, "one drift command per pass");
    assert.match(p.budgets.join("\n"), /pool default, Drifted: unlimited, no budget is active/);
  });

  test("a schedule robfig cannot parse (sat-sun wraps) blocks every reason for the pool, loudly", () => {
    const budgets = [{ nodes: "20%", schedule: "0 0 * * sat-sun", duration: "24h" }];
    const p = run(emptyNodes(5), budgets, SATURDAY_10);
    assert.deepEqual(p.commands, []);
    assert.equal(p.blocked.length, 5);
    for (const b of p.blocked) {
      assert.equal(b.kind, "budget");
      assert.match(
        b.message,
        /^Empty: budget 0 \(`nodes: 20%`, 0 0 \* \* sat-sun for 24h\) cannot be evaluated: .*sat-sun/,
      );
      assert.match(b.message, /Karpenter blocks all disruption for this NodePool/);
    }
    assert.match(p.budgets[0] ?? "", /^pool default, Empty: 0 \(blocked: /);
  });
});
