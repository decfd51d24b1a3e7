// The words that describe budget windows and schedules and hint at fixes: where messages are made.
export { budgetWindowDescription } from "./budget-window-text.ts";
export { budgetProblemMessage } from "./budget-problem-text.ts";
export { describeSchedule } from "./cron-describe.ts";
export { parseKarpenterScheduleOrThrow, scheduleErrorMessage, scheduleErrorReason } from "./schedule-error-text.ts";
export { seasonalReferenceDates, timeZoneOffsetMinutes, toUtcWindow } from "./budget-time-zone.ts";
export type { UtcEquivalent, UtcWindow } from "./budget-time-zone.ts";
