/**
 * Plain-words descriptions of robfig/cron schedules ("at 09:00 UTC on Monday through Friday"). Everything is
 * UTC because Karpenter evaluates every budget schedule in UTC, and saying so in each sentence keeps readers
 * from assuming local time.
 */
import type { CronFields, ParsedSchedule } from "../../api/index.ts";
import { describeDuration } from "../../api/index.ts";

export const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
export const WEEKDAYS_SHORT = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
// People read weeks Monday first, so "Saturday and Sunday", not "Sunday and Saturday".
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0];

/**
 * Which days a schedule fires on, as robfig's `dayMatches` decides: when day-of-month or day-of-week carries
 * the star bit a day must match both, otherwise either.
 */
export type DayRule =
  | { readonly kind: "every" }
  | { readonly kind: "none" }
  | { readonly kind: "weekdays"; readonly weekdays: readonly number[] }
  | { readonly kind: "monthdays"; readonly monthDays: readonly number[] }
  | { readonly kind: "either" | "both"; readonly monthDays: readonly number[]; readonly weekdays: readonly number[] };

export function dayRuleOf(fields: CronFields): DayRule {
  const monthDays = fields.daysOfMonth;
  const weekdays = fields.daysOfWeek;
  const allMonthDays = monthDays.length === 31;
  const allWeekdays = weekdays.length === 7;
  if (fields.domStar || fields.dowStar) {
    if (monthDays.length === 0 || weekdays.length === 0) return { kind: "none" };
    if (allMonthDays && allWeekdays) return { kind: "every" };
    if (allMonthDays) return { kind: "weekdays", weekdays };
    if (allWeekdays) return { kind: "monthdays", monthDays };
    return { kind: "both", monthDays, weekdays };
  }
  if (allMonthDays || allWeekdays) return { kind: "every" };
  if (monthDays.length === 0 && weekdays.length === 0) return { kind: "none" };
  if (monthDays.length === 0) return { kind: "weekdays", weekdays };
  if (weekdays.length === 0) return { kind: "monthdays", monthDays };
  return { kind: "either", monthDays, weekdays };
}

/** Plain words for a parsed schedule: "at 09:00 UTC on Monday through Friday", "every day at midnight UTC". */
export function describeSchedule(schedule: ParsedSchedule): string {
  if (schedule.kind === "every") {
    return `every ${describeDuration(schedule.everyMs)}, counted from whenever it is checked (no fixed start time)`;
  }
  return describeCronFields(schedule.fields, schedule.neverFires);
}

/** Plain words for a five-field schedule. `neverFires` adds a warning that no date ever matches. */
export function describeCronFields(fields: CronFields, neverFires: boolean): string {
  for (const [name, values] of [
    ["minute", fields.minutes],
    ["hour", fields.hours],
    ["month", fields.months],
  ] as const) {
    if (values.length === 0) return `never: the ${name} field matches no value`;
  }
  const rule = dayRuleOf(fields);
  if (rule.kind === "none") return "never: no day matches the day-of-month and day-of-week fields";
  const time = timePhrase(fields.minutes, fields.hours);
  const days = dayAndMonthPhrase(fields);
  const daily = rule.kind === "every" && time.specific ? `every day ${time.text}` : time.text;
  const text = days === "" ? daily : `${daily} ${days}`;
  return neverFires ? `${text}, which never happens: no such date exists` : text;
}

/**
 * "on Monday through Friday", "on day 1 of the month in January and July", "on 1 January", "in March through
 * May" (every day of those months), or "" for every day of the year.
 */
export function dayAndMonthPhrase(fields: CronFields): string {
  const rule = dayRuleOf(fields);
  const months = fields.months;
  if (rule.kind === "monthdays" && rule.monthDays.length === 1 && months.length === 1) {
    return `on ${rule.monthDays[0]} ${MONTHS[(months[0] ?? 1) - 1]}`;
  }
  const monthText = months.length === 12 ? "" : `in ${formatValues(months, (m) => MONTHS[m - 1] ?? "", "through")}`;
  const dayText = dayPhrase(rule);
  if (dayText === "") return monthText;
  return monthText === "" ? dayText : `${dayText} ${monthText}`;
}

function dayPhrase(rule: DayRule): string {
  const monthDays = (days: readonly number[]) =>
    `${days.length === 1 ? "day" : "days"} ${formatValues(days, String, "–")} of the month`;
  switch (rule.kind) {
    case "every":
    case "none":
      return "";
    case "weekdays":
      return `on ${weekdayList(rule.weekdays)}`;
    case "monthdays":
      return `on ${monthDays(rule.monthDays)}`;
    case "either":
      return `on ${monthDays(rule.monthDays)} and on every ${weekdayList(rule.weekdays)}`;
    case "both":
      return `on ${monthDays(rule.monthDays)} when it is a ${weekdayList(rule.weekdays, "or")}`;
  }
}

function timePhrase(minutes: readonly number[], hours: readonly number[]): { text: string; specific: boolean } {
  const allHours = hours.length === 24;
  if (!allHours && minutes.length * hours.length <= 4) {
    const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
    return { text: `at ${listWords(times.map((t) => (t === 0 ? "midnight" : formatClock(t))))} UTC`, specific: true };
  }
  const minuteStep = progressionStep(minutes, 60);
  if (allHours) {
    if (minutes.length === 60) return { text: "every minute", specific: false };
    if (minuteStep !== undefined) return { text: `every ${minuteStep} minutes`, specific: false };
    const which = minutes.length === 1 ? "minute" : "minutes";
    return { text: `at ${which} ${formatValues(minutes, String, "–")} of every hour`, specific: false };
  }
  const hourStep = progressionStep(hours, 24);
  const [firstHour = 0] = hours;
  const lastHour = hours[hours.length - 1] ?? 0;
  if (minutes.length === 60 && lastHour - firstHour === hours.length - 1) {
    return {
      text: `every minute from ${formatClock(firstHour * 60)} to ${formatClock(lastHour * 60 + 59)} UTC`,
      specific: false,
    };
  }
  if (hourStep !== undefined && minutes.length === 1) {
    const [minute = 0] = minutes;
    const first = formatClock(minute);
    const last = formatClock(lastHour * 60 + minute);
    return {
      text: `at minute ${minute} of every ${ordinal(hourStep)} hour (${first}, … ${last} UTC)`,
      specific: false,
    };
  }
  const minuteText = `${minutes.length === 1 ? "minute" : "minutes"} ${formatValues(minutes, String, "–")}`;
  const hourText = `${hours.length === 1 ? "hour" : "hours"} ${formatValues(hours, String, "–")}`;
  return { text: `at ${minuteText} past ${hourText} UTC`, specific: false };
}

// The step of a progression 0, s, 2s, … that covers a cycle evenly ("*/15" in minutes), if that is what it is.
function progressionStep(values: readonly number[], cycle: number): number | undefined {
  const step = values[1];
  if (values[0] !== 0 || step === undefined || cycle % step !== 0 || values.length !== cycle / step) return undefined;
  return values.every((value, i) => value === i * step) ? step : undefined;
}

function ordinal(n: number): string {
  const suffix =
    n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th";
  return `${n}${suffix}`;
}

/** "Monday through Friday", "Saturday and Sunday", "Monday, Wednesday and Friday". */
export function weekdayList(weekdays: readonly number[], conjunction = "and"): string {
  if (weekdays.length === 7) return "every day";
  const items = weekdayRuns(weekdays).flatMap((run) =>
    run.length >= 3
      ? [`${WEEKDAYS[run[0] ?? 0]} through ${WEEKDAYS[run[run.length - 1] ?? 0]}`]
      : run.map((d) => WEEKDAYS[d] ?? ""),
  );
  return listWords(items, conjunction);
}

/** "Mon–Fri", "Sat, Sun", "daily". */
export function weekdayShortList(weekdays: readonly number[]): string {
  if (weekdays.length === 7) return "daily";
  return weekdayRuns(weekdays)
    .flatMap((run) =>
      run.length >= 3
        ? [`${WEEKDAYS_SHORT[run[0] ?? 0]}–${WEEKDAYS_SHORT[run[run.length - 1] ?? 0]}`]
        : run.map((d) => WEEKDAYS_SHORT[d] ?? ""),
    )
    .join(", ");
}

// Consecutive days in Monday-first order: {5, 6, 0} is one run, Friday through Sunday.
function weekdayRuns(weekdays: readonly number[]): number[][] {
  const result: number[][] = [];
  let previous = -2;
  for (const [index, day] of WEEK_ORDER.entries()) {
    if (!weekdays.includes(day)) continue;
    const current = result[result.length - 1];
    if (current !== undefined && index === previous + 1) current.push(day);
    else result.push([day]);
    previous = index;
  }
  return result;
}

/** Sorted numbers as words, runs of three or more joined: [1, 2, 3, 15] → "1–3 and 15". */
export function formatValues(values: readonly number[], format: (value: number) => string, joiner: string): string {
  const items: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === (values[j] ?? 0) + 1) j++;
    const first = values[i] ?? 0;
    const last = values[j] ?? 0;
    if (j - i >= 2) {
      items.push(
        joiner === "through" ? `${format(first)} through ${format(last)}` : `${format(first)}${joiner}${format(last)}`,
      );
      i = j + 1;
    } else {
      items.push(format(first));
      i++;
    }
  }
  return listWords(items);
}

/** "a", "a and b", "a, b and c". */
export function listWords(items: readonly string[], conjunction = "and"): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} ${conjunction} ${items[items.length - 1] ?? ""}`;
}

/** Minutes since midnight as "09:05"; 1440 is "24:00". */
export function formatClock(minuteOfDay: number): string {
  const hours = Math.floor(minuteOfDay / 60);
  const minutes = minuteOfDay % 60;
  return `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;
}
