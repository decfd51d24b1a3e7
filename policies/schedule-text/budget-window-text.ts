/**
 * Plain words for the time a scheduled disruption budget covers: "Mon–Fri 09:00–21:00 UTC".
 *
 * For schedules that repeat every week (every month allowed, and days chosen only by weekday) the active
 * windows are computed over one week, merged where they overlap or touch, and grouped by weekday, so the text
 * says what is actually active, including windows that cross midnight or last longer than a day. Other
 * schedules get a simpler sentence, or "for 8h after each run of '<schedule>' (<description>)".
 */
import { describeDuration, parseBudgetDuration } from "../../api/index.ts";
import {
  dayAndMonthPhrase,
  dayRuleOf,
  describeSchedule,
  formatClock,
  WEEKDAYS_SHORT,
  weekdayShortList,
} from "./cron-describe.ts";
import type { CronFields } from "../../api/index.ts";
import { parseKarpenterScheduleOrThrow } from "./schedule-error-text.ts";

const DAY = 1440;
const WEEK = 7 * DAY;

/**
 * Plain words for when a budget with this schedule and duration is active, in UTC. Throws ValueError (with
 * the plain-words reason) if the schedule or the duration is invalid.
 */
export function budgetWindowDescription(schedule: string, durationText: string): string {
  const parsed = parseKarpenterScheduleOrThrow(schedule);
  const durationMs = parseBudgetDuration(durationText);
  const minutes = durationMs / 60_000;
  const quoted = JSON.stringify(schedule);
  if (parsed.kind === "every") {
    const every = describeDuration(parsed.everyMs);
    return parsed.everyMs <= durationMs
      ? `always: robfig counts ${quoted} from the moment Karpenter checks, and a run ${every} later always falls within the last ${describeDuration(durationMs)}`
      : `never: robfig counts ${quoted} from the moment Karpenter checks, and a run ${every} later never falls within the last ${describeDuration(durationMs)}`;
  }
  if (parsed.neverFires) {
    return `always: ${quoted} never runs, and Karpenter treats a schedule with no next run as active`;
  }
  if (minutes === 0) return "never: a window of zero length is never active";
  const text = weeklyWindows(parsed.fields, minutes) ?? singleTimeWindow(parsed.fields, minutes);
  return text ?? `for ${durationText} after each run of ${quoted} (${describeSchedule(parsed)})`;
}

interface Interval {
  start: number;
  end: number;
}

// Schedules whose days depend only on the weekday repeat every week: describe their merged windows.
function weeklyWindows(fields: CronFields, duration: number): string | undefined {
  const rule = dayRuleOf(fields);
  if (fields.months.length !== 12 || (rule.kind !== "every" && rule.kind !== "weekdays")) return undefined;
  const weekdays = rule.kind === "every" ? [0, 1, 2, 3, 4, 5, 6] : rule.weekdays;
  const starts = weekdays.flatMap((day) =>
    fields.hours.flatMap((h) => fields.minutes.map((m) => day * DAY + h * 60 + m)),
  );
  starts.sort((a, b) => a - b);
  const merged = mergeCircular(starts, duration);
  if (merged === "always") return "always: each window starts before the previous one ends";
  if (merged.some((interval) => interval.end - interval.start >= DAY)) {
    return merged.length > 3 ? undefined : `${merged.map(spanText).join("; ")} UTC`;
  }
  return groupedByWeekday(merged);
}

// Windows [start, start + duration) on a one-week circle, merged where they overlap or touch.
function mergeCircular(starts: readonly number[], duration: number): Interval[] | "always" {
  if (duration >= WEEK) return "always";
  const merged: Interval[] = [];
  for (const start of starts) {
    const last = merged[merged.length - 1];
    if (last !== undefined && start <= last.end) last.end = Math.max(last.end, start + duration);
    else merged.push({ start, end: start + duration });
  }
  // The last window may run past the end of the week into the first ones.
  for (let last = merged[merged.length - 1]; last !== undefined && merged.length > 1;) {
    const first = merged[0];
    if (first === undefined || last.end < first.start + WEEK) break;
    last.end = Math.max(last.end, first.end + WEEK);
    merged.shift();
  }
  const only = merged[0];
  return merged.length === 1 && only !== undefined && only.end - only.start >= WEEK ? "always" : merged;
}

// "Sat 00:00 – Mon 00:00" for windows of a day or more.
function spanText(interval: Interval): string {
  const at = (minute: number) => `${WEEKDAYS_SHORT[Math.floor(minute / DAY) % 7] ?? ""} ${formatClock(minute % DAY)}`;
  return `${at(interval.start)} – ${at(interval.end)}`;
}

// Groups weekdays whose windows are identical: "Mon–Fri 09:00–21:00 UTC", "daily 22:00–02:00 UTC (next day)".
function groupedByWeekday(merged: readonly Interval[]): string | undefined {
  const byDay = new Map<number, Interval[]>();
  for (const interval of merged) {
    const day = Math.floor(interval.start / DAY) % 7;
    const local = { start: interval.start % DAY, end: (interval.start % DAY) + (interval.end - interval.start) };
    byDay.set(day, [...(byDay.get(day) ?? []), local]);
  }
  const groups = new Map<string, { days: number[]; windows: Interval[] }>();
  for (const [day, windows] of byDay) {
    const key = JSON.stringify(windows);
    const group = groups.get(key) ?? { days: [], windows };
    group.days.push(day);
    groups.set(key, group);
  }
  if (groups.size > 3) return undefined;
  const texts: string[] = [];
  for (const { days, windows } of groups.values()) {
    const text = windowsText(windows);
    if (text === undefined) return undefined;
    const label = weekdayShortList(days);
    texts.push(text.hourly && label === "daily" ? text.text : `${label} ${text.text}`);
  }
  const single = groups.size === 1 && merged.length > 0 && [...groups.values()][0]?.windows.length === 1;
  const nextDay = texts.length === 1 && single && texts[0]?.endsWith(NEXT_DAY);
  // One window: "daily 22:00–02:00 UTC (next day)"; several: the marker stays with its window.
  if (nextDay) return `${texts[0]?.slice(0, -NEXT_DAY.length)} UTC${NEXT_DAY}`;
  return `${texts.join("; ")} UTC`;
}

const NEXT_DAY = " (next day)";

function windowsText(windows: readonly Interval[]): { text: string; hourly: boolean } | undefined {
  const hourly = hourlyWindows(windows);
  if (hourly !== undefined) {
    const minute = (m: number) => `:${String(m % 60).padStart(2, "0")}`;
    return { text: `hourly ${hourly.map((w) => `${minute(w.start)}–${minute(w.end)}`).join(" and ")}`, hourly: true };
  }
  if (windows.length > 2) return undefined;
  const text = windows
    .map(
      (w) => `${formatClock(w.start)}–${formatClock(w.end > DAY ? w.end - DAY : w.end)}${w.end > DAY ? NEXT_DAY : ""}`,
    )
    .join(" and ");
  return { text, hourly: false };
}

// If the windows repeat every hour of the day, the ones in the first hour; else undefined.
function hourlyWindows(windows: readonly Interval[]): Interval[] | undefined {
  const first = windows.filter((w) => w.start < 60);
  if (first.length === 0 || windows.length !== first.length * 24) return undefined;
  const key = (w: Interval) => `${w.start % 60}/${w.end - w.start}`;
  const expected = new Set(first.map(key));
  return windows.every((w) => expected.has(key(w))) ? first : undefined;
}

// One run a day at a fixed time, on days chosen by date or month: "on day 1 of the month, 02:00–06:00 UTC".
function singleTimeWindow(fields: CronFields, duration: number): string | undefined {
  const [hour] = fields.hours;
  const [minute] = fields.minutes;
  if (fields.hours.length !== 1 || fields.minutes.length !== 1 || hour === undefined || minute === undefined)
    return undefined;
  if (duration >= DAY) return undefined;
  const start = hour * 60 + minute;
  const end = start + duration;
  const range = `${formatClock(start)}–${formatClock(end > DAY ? end - DAY : end)} UTC${end > DAY ? NEXT_DAY : ""}`;
  const days = dayAndMonthPhrase(fields);
  return days === "" ? `daily ${range}` : `${days}, ${range}`;
}
