// Disruption-budget schedules and windows exactly as Karpenter evaluates them (robfig/cron v3.0.1 and
// `Budget.IsActive`). Pure: times are passed in. Everything here is data; the words are policies/schedule-text's.
export {
  matchesScheduleCrdPattern,
  parseKarpenterSchedule,
  type CronFields,
  type CronSchedule,
  type EverySchedule,
  type ParsedSchedule,
  type ScheduleError,
} from "./schedule.ts";
export {
  allowedDisruptions,
  DEFAULT_BUDGETS,
  isBudgetActive,
  scaledNodes,
  type AllowedDisruptions,
  type BudgetActivity,
  type BudgetEvaluation,
  type BudgetProblem,
  type DisruptionBudget,
  type DisruptionReason,
} from "./budget-window.ts";
export { CRON_DAY_NAMES, CRON_FIELD_BOUNDS, CRON_MONTH_NAMES, type CronFieldBounds } from "./parse.ts";
