/**
 * The message for a schedule Karpenter cannot parse: the plain-words hint, then robfig's own error text, so a
 * reader sees both what to write and what Karpenter's logs will say.
 */
import { parseKarpenterSchedule, type ParsedSchedule, type ScheduleError } from "../../api/index.ts";
import { ValueError } from "../../api/index.ts";
import { scheduleHint } from "./cron-hints.ts";

/** What is wrong and how to write it instead, with robfig's text: `… (robfig/cron: <goError>)`. */
export function scheduleErrorReason(error: ScheduleError): string {
  if (error.notAString) return "the schedule must be a string";
  return `${scheduleHint(error)} (robfig/cron: ${error.goError})`;
}

/** `invalid schedule "<schedule>": <reason>`. */
export function scheduleErrorMessage(error: ScheduleError): string {
  if (error.notAString) return scheduleErrorReason(error);
  return `invalid schedule ${JSON.stringify(error.schedule)}: ${scheduleErrorReason(error)}`;
}

/** Like `parseKarpenterSchedule`, but throws a ValueError (message as `scheduleErrorMessage`) when invalid. */
export function parseKarpenterScheduleOrThrow(schedule: string): ParsedSchedule {
  const parsed = parseKarpenterSchedule(schedule);
  if (!parsed.ok) throw new ValueError(scheduleErrorMessage(parsed), schedule);
  return parsed;
}
