// Disruption-budget schedules and windows exactly as Karpenter evaluates them (robfig/cron v3.0.1 and
// `Budget.IsActive`). Pure: times are passed in.
export * from "./schedule.ts";
export * from "./budget-window.ts";
