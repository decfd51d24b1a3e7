import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { allowedDisruptions, isBudgetActive, type DisruptionBudget } from "../../../api/cron/index.ts";
import { budgetProblemMessage } from "../../../policies/schedule-text/index.ts";

const MONDAY_10 = new Date("2025-06-09T10:00:00Z");

// The message for the budget, or "" when Karpenter can evaluate it.
function message(budget: DisruptionBudget): string {
  const activity = isBudgetActive(budget, MONDAY_10);
  return activity.status === "invalid" ? budgetProblemMessage(activity.problem) : "";
}

describe("budgetProblemMessage", () => {
  test("an unparsable schedule: the fix, robfig's error, and the fail-closed consequence", () => {
    const wrap = message({ nodes: "0", schedule: "0 0 * * sat-sun", duration: "48h" });
    assert.match(wrap, /sat,sun.*blocks all disruption/);
    assert.equal(
      wrap,
      'invalid schedule "0 0 * * sat-sun": day of week range "sat-sun" runs backwards; ranges cannot wrap around, so write "sat,sun" instead (robfig/cron: beginning of range (6) beyond end of range (0): sat-sun); Karpenter blocks all disruption for this NodePool',
    );
  });

  test("a duration the API server rejects", () => {
    assert.match(message({ nodes: "0", schedule: "@daily", duration: "1d" }), /API server would reject/);
  });

  test("duration without schedule", () => {
    assert.match(
      message({ nodes: "0", duration: "1h" }),
      /^"duration" is set without "schedule"; .*blocks all disruption/,
    );
  });

  test("allowedDisruptions names the budget that fails closed", () => {
    const budgets: DisruptionBudget[] = [
      { nodes: "10%" },
      { nodes: "5", reasons: ["Drifted"], schedule: "0 0 * * sat-sun", duration: "48h" },
    ];
    const problem = allowedDisruptions(budgets, "Empty", 100, MONDAY_10).budgets[1]?.problem;
    assert.ok(problem);
    assert.match(budgetProblemMessage(problem), /sat-sun/);
    const badNodes = allowedDisruptions([{ nodes: "ten" }], "Empty", 10, MONDAY_10).budgets[0]?.problem;
    assert.ok(badNodes);
    assert.equal(
      budgetProblemMessage(badNodes),
      'invalid nodes "ten": invalid type: string is not a percentage; Karpenter blocks all disruption for this NodePool',
    );
  });
});
