import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  allowedDisruptions,
  DEFAULT_BUDGETS,
  isBudgetActive,
  scaledNodes,
  type BudgetActivity,
  type DisruptionBudget,
} from "../../../api/cron/index.ts";
import { ValueError } from "../../../api/value-error.ts";

const at = (iso: string) => new Date(iso);
const active = (budget: DisruptionBudget, iso: string) => isBudgetActive(budget, at(iso)).active;

// 2025-06-06 is a Friday, 2025-06-09 a Monday.
const WORKDAY_FREEZE: DisruptionBudget = { nodes: "0", schedule: "0 9 * * mon-fri", duration: "8h" };
const NIGHTLY: DisruptionBudget = { nodes: "0", schedule: "0 22 * * *", duration: "4h" };

describe("isBudgetActive (Karpenter Budget.IsActive)", () => {
  test("no schedule and no duration: always active", () => {
    assert.deepEqual(isBudgetActive({ nodes: "10%" }, at("2025-06-09T00:00:00Z")), { status: "always", active: true });
  });

  test("window edges: active from h, inactive from exactly h + duration", () => {
    assert.equal(active(WORKDAY_FREEZE, "2025-06-09T08:59:59.999Z"), false);
    assert.equal(active(WORKDAY_FREEZE, "2025-06-09T09:00:00.000Z"), true);
    assert.equal(active(WORKDAY_FREEZE, "2025-06-09T16:59:59.999Z"), true);
    // Karpenter asks for Next(now − duration), strictly after, so the run at exactly now − duration is not found.
    assert.equal(active(WORKDAY_FREEZE, "2025-06-09T17:00:00.000Z"), false);
    assert.equal(active(WORKDAY_FREEZE, "2025-06-09T17:00:00.001Z"), false);
    assert.equal(active(WORKDAY_FREEZE, "2025-06-07T10:00:00Z"), false, "Saturday");
  });

  test("reports the window and the next start", () => {
    const during = isBudgetActive(WORKDAY_FREEZE, at("2025-06-09T10:00:00Z"));
    assert.equal(during.status, "active");
    assert.equal(during.status === "active" ? during.windowStart?.toISOString() : "", "2025-06-09T09:00:00.000Z");
    assert.equal(during.status === "active" ? during.activeUntil?.toISOString() : "", "2025-06-09T17:00:00.000Z");
    const weekend = isBudgetActive(WORKDAY_FREEZE, at("2025-06-07T10:00:00Z"));
    assert.deepEqual(weekend, { status: "inactive", active: false, nextStart: at("2025-06-09T09:00:00Z") });
  });

  test("overnight windows cross midnight", () => {
    assert.equal(active(NIGHTLY, "2025-06-09T21:59:59Z"), false);
    assert.equal(active(NIGHTLY, "2025-06-09T22:00:00Z"), true);
    assert.equal(active(NIGHTLY, "2025-06-10T00:30:00Z"), true);
    assert.equal(active(NIGHTLY, "2025-06-10T01:59:59Z"), true);
    assert.equal(active(NIGHTLY, "2025-06-10T02:00:00Z"), false);
    const weekend: DisruptionBudget = { nodes: "0", schedule: "0 22 * * fri", duration: "56h" };
    assert.equal(active(weekend, "2025-06-08T12:00:00Z"), true, "Sunday noon");
    assert.equal(active(weekend, "2025-06-09T05:59:00Z"), true, "Monday 05:59");
    assert.equal(active(weekend, "2025-06-09T06:00:00Z"), false, "Monday 06:00");
  });

  test("overlapping windows extend activeUntil", () => {
    const every5: DisruptionBudget = { nodes: "1", schedule: "*/5 * * * *", duration: "10m" };
    const result = isBudgetActive(every5, at("2025-06-09T10:00:00Z"));
    assert.equal(result.status, "active");
    assert.equal(result.status === "active" ? result.activeUntil : "x", undefined);
    const twice: DisruptionBudget = { nodes: "1", schedule: "0 9,12 * * *", duration: "4h" };
    const merged = isBudgetActive(twice, at("2025-06-09T10:00:00Z"));
    assert.equal(merged.status === "active" ? merged.activeUntil?.toISOString() : "", "2025-06-09T16:00:00.000Z");
  });

  test("a schedule without duration has a zero-length window: never active", () => {
    const noDuration: DisruptionBudget = { nodes: "0", schedule: "0 9 * * *" };
    assert.deepEqual(isBudgetActive(noDuration, at("2025-06-09T09:00:00Z")), {
      status: "inactive",
      active: false,
      nextStart: undefined,
    });
  });

  test("a schedule robfig never finds a run for is always active", () => {
    const result = isBudgetActive({ nodes: "0", schedule: "0 0 31 2 *", duration: "1h" }, at("2025-06-09T09:00:00Z"));
    assert.equal(result.active, true);
    assert.equal(result.status === "active" && result.neverFires, true);
  });

  test("@every is either always or never active", () => {
    assert.equal(active({ nodes: "0", schedule: "@every 1h", duration: "2h" }, "2025-06-09T09:17:23.456Z"), true);
    assert.equal(active({ nodes: "0", schedule: "@every 2h", duration: "2h" }, "2025-06-09T09:17:23.456Z"), true);
    assert.equal(active({ nodes: "0", schedule: "@every 3h", duration: "2h" }, "2025-06-09T09:17:23.456Z"), false);
  });

  test("unparsable schedules, and duration without schedule, are invalid", () => {
    const invalid = (budget: DisruptionBudget): BudgetActivity => isBudgetActive(budget, at("2025-06-09T09:00:00Z"));
    // The words for these problems are policies/schedule-text's (test/policies/schedule-text/budget-problem-text).
    const wrap = invalid({ nodes: "0", schedule: "0 0 * * sat-sun", duration: "48h" });
    assert.equal(wrap.status, "invalid");
    const wrapProblem = wrap.status === "invalid" ? wrap.problem : undefined;
    assert.equal(
      wrapProblem?.kind === "schedule" && wrapProblem.error.goError,
      "beginning of range (6) beyond end of range (0): sat-sun",
    );
    assert.equal(invalid({ nodes: "0", duration: "1h" }).status, "invalid");
    assert.deepEqual(invalid({ nodes: "0", duration: "1h" }), {
      status: "invalid",
      active: false,
      problem: { kind: "duration-without-schedule" },
    });
    const badDuration = invalid({ nodes: "0", schedule: "@daily", duration: "1d" });
    const durationProblem = badDuration.status === "invalid" ? badDuration.problem : undefined;
    assert.equal(durationProblem?.kind, "duration");
    assert.equal(durationProblem?.kind === "duration" && durationProblem.duration, "1d");
  });

  test("an invalid now is a ValueError", () => {
    assert.throws(() => isBudgetActive(WORKDAY_FREEZE, new Date(NaN)), ValueError);
  });
});

describe("allowedDisruptions (Karpenter MustGetAllowedDisruptions)", () => {
  const MONDAY_10 = at("2025-06-09T10:00:00Z");
  const SATURDAY = at("2025-06-07T10:00:00Z");

  test("percentages round up", () => {
    const allowed = (nodes: string, numNodes: number) =>
      allowedDisruptions([{ nodes }], "Drifted", numNodes, MONDAY_10).allowed;
    assert.equal(allowed("10%", 15), 2);
    assert.equal(allowed("10%", 10), 1);
    assert.equal(allowed("10%", 1), 1);
    assert.equal(allowed("10%", 0), 0);
    assert.equal(allowed("1%", 101), 2);
    assert.equal(allowed("0%", 50), 0);
    assert.equal(allowed("100%", 7), 7);
    assert.equal(allowed("3", 100), 3);
    assert.equal(allowed("0", 100), 0);
  });

  test("the default budget is 10%", () => {
    assert.equal(allowedDisruptions(DEFAULT_BUDGETS, "Empty", 25, MONDAY_10).allowed, 3);
  });

  test("reason filtering", () => {
    const budgets: DisruptionBudget[] = [
      { nodes: "0", reasons: ["Drifted"] },
      { nodes: "5", reasons: ["Underutilized", "Empty"] },
    ];
    assert.equal(allowedDisruptions(budgets, "Drifted", 50, MONDAY_10).allowed, 0);
    assert.equal(allowedDisruptions(budgets, "Underutilized", 50, MONDAY_10).allowed, 5);
    assert.equal(
      allowedDisruptions([{ nodes: "0", reasons: ["Drifted"] }], "Empty", 50, MONDAY_10).allowed,
      "unlimited",
    );
    // `reasons: []` is not nil in Go, and contains no reason: the budget limits nothing.
    assert.equal(allowedDisruptions([{ nodes: "0", reasons: [] }], "Empty", 50, MONDAY_10).allowed, "unlimited");
  });

  test("the most restrictive active budget wins", () => {
    const budgets: DisruptionBudget[] = [{ nodes: "20%" }, { nodes: "3" }, { ...WORKDAY_FREEZE, nodes: "1" }];
    const result = allowedDisruptions(budgets, "Drifted", 50, MONDAY_10);
    assert.equal(result.allowed, 1);
    assert.deepEqual(
      result.activeBudgets.map((b) => [b.index, b.allowed]),
      [
        [0, 10],
        [1, 3],
        [2, 1],
      ],
    );
    assert.equal(allowedDisruptions(budgets, "Drifted", 50, SATURDAY).allowed, 3);
  });

  test("no active budget: unlimited, the scheduled-only surprise", () => {
    const result = allowedDisruptions([WORKDAY_FREEZE], "Underutilized", 50, SATURDAY);
    assert.equal(result.allowed, "unlimited");
    assert.equal(result.failClosed, false);
    assert.deepEqual(result.activeBudgets, []);
    assert.equal(result.budgets[0]?.allowed, "unlimited");
    assert.equal(allowedDisruptions([], "Underutilized", 50, SATURDAY).allowed, "unlimited");
    assert.equal(allowedDisruptions([WORKDAY_FREEZE], "Underutilized", 50, MONDAY_10).allowed, 0);
  });

  test("fail closed: one unparsable schedule blocks every reason, active or not", () => {
    const budgets: DisruptionBudget[] = [
      { nodes: "10%" },
      { nodes: "5", reasons: ["Drifted"], schedule: "0 0 * * sat-sun", duration: "48h" },
    ];
    for (const reason of ["Drifted", "Underutilized", "Empty"]) {
      const result = allowedDisruptions(budgets, reason, 100, MONDAY_10);
      assert.equal(result.allowed, 0, reason);
      assert.equal(result.failClosed, true);
      const problem = result.budgets[1]?.problem;
      assert.equal(problem?.kind === "schedule" && problem.error.expr, "sat-sun");
    }
  });

  test("a bad nodes value fails closed only while its budget is active", () => {
    const budgets: DisruptionBudget[] = [{ nodes: "ten", schedule: "0 9 * * mon-fri", duration: "8h" }];
    assert.equal(allowedDisruptions(budgets, "Empty", 10, MONDAY_10).failClosed, true);
    assert.deepEqual(allowedDisruptions(budgets, "Empty", 10, MONDAY_10).budgets[0]?.problem, {
      kind: "nodes",
      nodes: "ten",
      goError: "invalid type: string is not a percentage",
    });
    assert.equal(allowedDisruptions(budgets, "Empty", 10, SATURDAY).allowed, "unlimited");
  });

  test("invalid node counts are a ValueError", () => {
    assert.throws(() => allowedDisruptions([], "Empty", -1, MONDAY_10), ValueError);
    assert.throws(() => allowedDisruptions([], "Empty", 1.5, MONDAY_10), ValueError);
    assert.throws(() => allowedDisruptions([], "Empty", NaN, MONDAY_10), ValueError);
  });
});

describe("scaledNodes (intstr as Karpenter uses it)", () => {
  test("counts, percentages and errors", () => {
    assert.equal(scaledNodes("5", 3), 5);
    assert.equal(scaledNodes("+5", 3), 5);
    assert.equal(scaledNodes("150%", 10), 15);
    assert.equal(scaledNodes("4294967301", 10), 5, "intstr.FromInt keeps 32 bits");
    assert.equal(scaledNodes("ten", 10), "invalid type: string is not a percentage");
    assert.match(String(scaledNodes("x%", 10)), /^invalid value "x%"/);
    assert.match(String(scaledNodes("", 10)), /not a percentage/);
  });
});
