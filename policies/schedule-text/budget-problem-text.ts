/**
 * The message for a disruption budget Karpenter cannot evaluate (`BudgetProblem`); Karpenter then allows no
 * disruption at all for the NodePool (`MustGetAllowedDisruptions` fails closed).
 */
import type { BudgetProblem } from "../../api/index.ts";
import { scheduleErrorMessage } from "./schedule-error-text.ts";

export function budgetProblemMessage(problem: BudgetProblem): string {
  switch (problem.kind) {
    case "duration-without-schedule":
      return (
        '"duration" is set without "schedule"; Karpenter then parses an empty schedule, fails, and blocks all ' +
        "disruption for the NodePool (the API server's rule \"'schedule' must be set with 'duration'\" normally stops this)"
      );
    case "schedule":
      return `${scheduleErrorMessage(problem.error)}; Karpenter blocks all disruption for this NodePool`;
    case "duration":
      return `${problem.reason}; the API server would reject this NodePool`;
    case "nodes":
      return `invalid nodes ${JSON.stringify(problem.nodes)}: ${problem.goError}; Karpenter blocks all disruption for this NodePool`;
  }
}
