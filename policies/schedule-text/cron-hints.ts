/**
 * Plain-words explanations of robfig/cron parse errors, aimed at the mistakes people make when they write
 * Karpenter budget schedules in another cron dialect (Quartz, Jenkins, Vixie cron, Kubernetes CronJob's TZ=).
 */
import { CRON_DAY_NAMES, CRON_FIELD_BOUNDS, CRON_MONTH_NAMES, type ScheduleError } from "../../api/index.ts";

const FIELD_NAMES = ["minute", "hour", "day of month", "month", "day of week"];
const FIELD_RANGES = ["0–59", "0–23", "1–31", "1–12 or JAN–DEC", "0–6 or SUN–SAT (Sunday is 0)"];
const DESCRIPTORS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const FULL_DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const FULL_MONTH_NAMES = [
  "january",
  "february",
  "march",
  "april",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

/** Why robfig rejected the schedule and what to write instead. */
export function scheduleHint(failure: ScheduleError): string {
  const spec = failure.spec;
  if (/^(CRON_)?TZ=/.test(spec)) {
    return (
      "Karpenter always evaluates schedules in UTC by prefixing them with TZ=UTC, so a TZ= or CRON_TZ= prefix " +
      "of your own is read as an extra field; remove it and write the times in UTC"
    );
  }
  const fieldCount = /^expected exactly 5 fields, found (\d+)/.exec(failure.goError)?.[1];
  if (fieldCount !== undefined) return fieldCountHint(Number(fieldCount));
  if (failure.goError.startsWith("unrecognized descriptor")) return descriptorHint(spec);
  if (failure.goError.startsWith("failed to parse duration")) {
    return '"@every" needs a Go duration such as "30m" or "1h30m" after a single space';
  }
  const field = failure.field ?? 0;
  const name = FIELD_NAMES[field] ?? "field";
  const expr = failure.expr ?? "";
  const allowed = `${name} values are ${FIELD_RANGES[field] ?? ""}`;
  const start = Number(/^beginning of range \((\d+)\) beyond end/.exec(failure.goError)?.[1] ?? NaN);
  if (start > (CRON_FIELD_BOUNDS[field]?.max ?? Infinity)) return `"${expr}" is out of range: ${allowed}`;
  if (failure.goError.startsWith("beginning of range") && failure.goError.includes("beyond end")) {
    return `${name} range "${expr}" runs backwards; ranges cannot wrap around, ${wrapSuggestion(field, expr)}`;
  }
  if (failure.goError.includes("above maximum") || failure.goError.includes("below minimum")) {
    if (field === 4 && /(^|[^0-9])7($|[^0-9])/.test(expr)) {
      return `day of week 7 is not accepted: robfig/cron numbers the days 0–6 with Sunday as 0 (write 0 or SUN)`;
    }
    return `"${expr}" is out of range: ${allowed}`;
  }
  if (failure.goError.startsWith("step of range") || failure.goError.startsWith("negative number")) {
    return `the step in "${expr}" must be a positive whole number`;
  }
  if (failure.goError.startsWith("too many")) return `"${expr}" is not a value, range or range/step; ${allowed}`;
  return tokenHint(expr, field, allowed);
}

function fieldCountHint(count: number): string {
  if (count === 0) return "the schedule is empty; write five fields or a descriptor such as @daily";
  const layout = "minute, hour, day of month, month and day of week";
  if (count === 6) {
    return `it has 6 fields, but Karpenter takes exactly 5 (${layout}): there is no seconds or year field`;
  }
  return `it has ${count} field${count === 1 ? "" : "s"}, but Karpenter takes exactly 5 (${layout})`;
}

function descriptorHint(spec: string): string {
  const lower = spec.toLowerCase();
  if (DESCRIPTORS.includes(lower)) return `descriptors are case-sensitive: write "${lower}"`;
  if (lower === "@every") return '"@every" needs a duration, e.g. "@every 1h"';
  if (lower === "@reboot") return "@reboot has no meaning for a budget schedule and robfig/cron does not accept it";
  return `unknown descriptor; use one of ${DESCRIPTORS.join(", ")} or five fields`;
}

// For a wrapping range such as "sat-sun" or "22-2", the two ranges that cover the same values.
function wrapSuggestion(field: number, expr: string): string {
  const [low = "", high = ""] = expr.split("/")[0]?.split("-") ?? [];
  const bounds = CRON_FIELD_BOUNDS[field];
  if (bounds === undefined || expr.includes("/")) return "so split it into two ranges";
  const named = /^[a-z]+$/i.test(low) || /^[a-z]+$/i.test(high);
  const names = field === 3 ? CRON_MONTH_NAMES : field === 4 ? CRON_DAY_NAMES : undefined;
  const token = (value: number) =>
    named && names !== undefined ? (names[field === 3 ? value - 1 : value] ?? "") : String(value);
  const part = (from: string, to: string) => (from.toLowerCase() === to.toLowerCase() ? from : `${from}-${to}`);
  return `so write "${part(low, token(bounds.max))},${part(token(bounds.min), high)}" instead`;
}

function tokenHint(expr: string, field: number, allowed: string): string {
  const word = expr.toLowerCase();
  if (/^l$|^lw$|^\d*l$|^\d+w$|#|^l-\d+$/i.test(expr)) {
    return `"${expr}" is Quartz syntax (L, W and # for last day, nearest weekday and nth weekday), which robfig/cron does not support; ${allowed}`;
  }
  if (/^h(\(|$)/i.test(expr)) return `"${expr}" is Jenkins' hashed H, which robfig/cron does not support; ${allowed}`;
  if (FULL_DAY_NAMES.includes(word) || FULL_MONTH_NAMES.includes(word)) {
    return `"${expr}" is not accepted: use three-letter names such as MON or JAN`;
  }
  if (CRON_DAY_NAMES.includes(word) || CRON_MONTH_NAMES.includes(word)) {
    return `"${expr}" is a name, but names are only accepted in the month (JAN–DEC) and day-of-week (SUN–SAT) fields; ${allowed}`;
  }
  return `"${expr}" is not a number${field >= 3 ? " or name" : ""}; ${allowed}`;
}
