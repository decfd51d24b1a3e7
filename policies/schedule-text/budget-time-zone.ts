/**
 * Local-time intent versus Karpenter's UTC-only schedules.
 *
 * Karpenter evaluates every budget schedule in UTC and rejects a TZ= prefix, so a team that means "09:00 in
 * Berlin" must write a UTC schedule, which is right for only part of the year where clocks change. This module
 * turns a schedule meant in a local IANA time zone into the UTC schedule that matches it on given dates, and
 * says whether that UTC schedule differs between the dates (daylight saving time). Offsets come from
 * `Intl.DateTimeFormat`, so the time-zone data is the runtime's own.
 */
import { dayRuleOf, formatClock, listWords } from "./cron-describe.ts";
import type { CronFields } from "../../api/index.ts";
import { ValueError } from "../../api/index.ts";
import { parseKarpenterScheduleOrThrow } from "./schedule-error-text.ts";

const DAY = 1440;

export interface UtcEquivalent {
  readonly referenceDate: Date;
  /** Local time minus UTC at the reference date, in minutes: 60 for Berlin in winter, −240 for New York in summer. */
  readonly offsetMinutes: number;
  /** The UTC schedule that fires at the same instants, or undefined when no single schedule can (see `problem`). */
  readonly utcSchedule: string | undefined;
  readonly problem: string | undefined;
  /** The schedule's times of day, local and UTC, when it has at most four: ["09:00"] and ["08:00"]. */
  readonly localTimes: readonly string[];
  readonly utcTimes: readonly string[];
  /** Days the UTC times lie after the local ones (−1: the previous day in UTC), when it is the same for all. */
  readonly dayShift: number | undefined;
}

export interface UtcWindow {
  /** The time zone as given. */
  readonly timeZone: string;
  readonly localSchedule: string;
  readonly equivalents: readonly UtcEquivalent[];
  /** The distinct offsets found, ascending. */
  readonly offsetsMinutes: readonly number[];
  /** True when the UTC equivalent differs between the reference dates: a fixed UTC schedule drifts in local time. */
  readonly drifts: boolean;
  /** Largest minus smallest offset. */
  readonly driftMinutes: number;
  /** A sentence a policy can show, e.g. "09:00 Europe/Berlin is 08:00 UTC in winter and 07:00 UTC in summer: …". */
  readonly message: string;
}

/**
 * The UTC schedules equivalent to `localSchedule` (meant in `timeZone`) at each reference date. Throws ValueError
 * for an invalid schedule or time zone, or when no reference date is given.
 */
export function toUtcWindow(localSchedule: string, timeZone: string, referenceDates: readonly Date[]): UtcWindow {
  const format = formatterFor(timeZone);
  const parsed = parseKarpenterScheduleOrThrow(localSchedule);
  if (referenceDates.length === 0) {
    throw new ValueError("no reference dates: pass at least one, e.g. seasonalReferenceDates(2025)", referenceDates);
  }
  const equivalents = referenceDates.map((date): UtcEquivalent => {
    const offsetMinutes = offsetWith(format, date);
    if (parsed.kind === "every") {
      const unchanged = { utcSchedule: localSchedule, problem: undefined, localTimes: [], utcTimes: [], dayShift: 0 };
      return { referenceDate: date, offsetMinutes, ...unchanged };
    }
    return { referenceDate: date, offsetMinutes, ...shiftToUtc(parsed.fields, offsetMinutes) };
  });
  const offsetsMinutes = [...new Set(equivalents.map((e) => e.offsetMinutes))].sort((a, b) => a - b);
  const driftMinutes = (offsetsMinutes[offsetsMinutes.length - 1] ?? 0) - (offsetsMinutes[0] ?? 0);
  const drifts = parsed.kind === "cron" && driftMinutes !== 0;
  const base = { timeZone, localSchedule, equivalents, offsetsMinutes, drifts, driftMinutes };
  return { ...base, message: messageFor(base, parsed.kind === "every") };
}

/** Mid-January and mid-July of `year` at 12:00 UTC: one date in each half of the DST year, either hemisphere. */
export function seasonalReferenceDates(year: number): Date[] {
  if (!Number.isInteger(year) || year < 1 || year > 9999) {
    throw new ValueError(`invalid year ${String(year)}: expected a whole number from 1 to 9999`, year);
  }
  return [0, 6].map((month) => new Date(new Date(0).setUTCFullYear(year, month, 15) + 12 * 3_600_000));
}

/** Local time minus UTC in `timeZone` at `at`, in minutes. Throws ValueError for an invalid zone or date. */
export function timeZoneOffsetMinutes(timeZone: string, at: Date): number {
  return offsetWith(formatterFor(timeZone), at);
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const expected = 'expected an IANA time zone such as "Europe/Berlin", "America/New_York" or "UTC"';
  if (typeof timeZone !== "string" || timeZone.trim() === "") {
    throw new ValueError(`invalid time zone ${JSON.stringify(timeZone)}: ${expected}`, timeZone);
  }
  try {
    return new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch (error) {
    throw new ValueError(`invalid time zone ${JSON.stringify(timeZone)}: ${expected}`, timeZone, { cause: error });
  }
}

// The wall-clock fields in the zone, read back as if they were UTC, minus the instant itself.
function offsetWith(format: Intl.DateTimeFormat, at: Date): number {
  const ms = at instanceof Date ? at.getTime() : NaN;
  if (!Number.isFinite(ms)) throw new ValueError(`invalid reference date ${String(at)}: expected a valid Date`, at);
  const instant = Math.floor(ms / 1000) * 1000;
  const fields = new Map<string, string>(
    format.formatToParts(new Date(instant)).map((part) => [part.type, part.value]),
  );
  const field = (name: string) => Number(fields.get(name) ?? NaN);
  const year = fields.get("era") === "BC" ? 1 - field("year") : field("year");
  const wall = new Date(0);
  wall.setUTCFullYear(year, field("month") - 1, field("day"));
  wall.setUTCHours(field("hour"), field("minute"), field("second"), 0);
  const offset = Math.round((wall.getTime() - instant) / 60_000);
  if (!Number.isFinite(offset)) throw new ValueError(`cannot read the time zone offset at ${String(at)}`, at);
  return offset;
}

type Shifted = Pick<UtcEquivalent, "utcSchedule" | "problem" | "localTimes" | "utcTimes" | "dayShift">;

// Moves every (hour, minute) back by the offset. The result is one cron schedule only if the UTC times form a
// grid of hours × minutes and, when they land on another day, the days can move with them.
function shiftToUtc(fields: CronFields, offset: number): Shifted {
  const local = fields.hours.flatMap((h) => fields.minutes.map((m) => h * 60 + m));
  const utc = local.map((t) => t - offset);
  const dayShifts = new Set(utc.map((t) => Math.floor(t / DAY)));
  const utcOfDay = utc.map((t) => ((t % DAY) + DAY) % DAY);
  const few = local.length <= 4;
  const times = {
    localTimes: few ? [...local].sort((a, b) => a - b).map(formatClock) : [],
    utcTimes: few ? [...utcOfDay].sort((a, b) => a - b).map(formatClock) : [],
    dayShift: dayShifts.size === 1 ? [...dayShifts][0] : undefined,
  };
  const hours = [...new Set(utcOfDay.map((t) => Math.floor(t / 60)))].sort((a, b) => a - b);
  const minutes = [...new Set(utcOfDay.map((t) => t % 60))].sort((a, b) => a - b);
  if (hours.length * minutes.length !== new Set(utcOfDay).size) {
    return {
      ...times,
      utcSchedule: undefined,
      problem: "the offset splits the times across hours, so no single UTC schedule matches",
    };
  }
  const rule = dayRuleOf(fields);
  const everyDay = rule.kind === "every" && fields.months.length === 12;
  const [shift = 0] = dayShifts;
  const dom = fields.domStar ? "*" : cronList(fields.daysOfMonth);
  const month = fields.months.length === 12 ? "*" : cronList(fields.months);
  let dow = fields.dowStar ? "*" : cronList(fields.daysOfWeek);
  if (!everyDay && (dayShifts.size > 1 || shift !== 0)) {
    if (rule.kind !== "weekdays" || fields.months.length !== 12 || dayShifts.size > 1) {
      const problem =
        "the UTC times fall on a different day, and the day-of-month or month fields cannot move with them";
      return { ...times, utcSchedule: undefined, problem };
    }
    dow = cronList(rule.weekdays.map((d) => (((d + shift) % 7) + 7) % 7).sort((a, b) => a - b));
  }
  return {
    ...times,
    utcSchedule: `${cronList(minutes)} ${cronList(hours)} ${dom} ${month} ${dow}`,
    problem: undefined,
  };
}

// Sorted numbers as a cron list with ranges: [1, 2, 3, 5] → "1-3,5". No values is ",", which robfig reads back
// as an empty field.
function cronList(values: readonly number[]): string {
  if (values.length === 0) return ",";
  const items: string[] = [];
  for (let i = 0; i < values.length;) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === (values[j] ?? 0) + 1) j++;
    items.push(j - i >= 2 ? `${values[i]}-${values[j]}` : values.slice(i, j + 1).join(","));
    i = j + 1;
  }
  return items.join(",");
}

function messageFor(window: Omit<UtcWindow, "message">, every: boolean): string {
  const zone = window.timeZone;
  if (every)
    return `${JSON.stringify(window.localSchedule)} runs at fixed intervals, not times of day, so ${zone} makes no difference`;
  const byOffset = window.offsetsMinutes.map((offset) => window.equivalents.find((e) => e.offsetMinutes === offset));
  const first = window.equivalents[0];
  const singleTime = first !== undefined && first.localTimes.length === 1;
  const subject = singleTime ? `${first.localTimes[0]} ${zone}` : `${JSON.stringify(window.localSchedule)} in ${zone}`;
  const what = (e: UtcEquivalent | undefined) =>
    e === undefined
      ? ""
      : singleTime
        ? `${e.utcTimes[0]} UTC${e.dayShift === -1 ? " the day before" : e.dayShift === 1 ? " the day after" : ""}`
        : e.utcSchedule === undefined
          ? `not expressible in UTC (${e.problem})`
          : `${JSON.stringify(e.utcSchedule)} in UTC`;
  const problem = window.equivalents.find((e) => e.problem !== undefined)?.problem;
  const caveat = singleTime && problem !== undefined ? `; no single UTC schedule matches it, because ${problem}` : "";
  if (!window.drifts) {
    const advice = first?.utcSchedule === undefined ? "" : `: write ${JSON.stringify(first.utcSchedule)}`;
    return `${subject} is ${what(first)} on every reference date (no DST shift)${advice}${caveat}`;
  }
  // Daylight saving time always moves clocks forward in the local summer, so the larger offset is summer.
  const seasons =
    byOffset.length === 2
      ? `${what(byOffset[0])} in winter and ${what(byOffset[1])} in summer`
      : listWords(byOffset.map((e) => `${what(e)} at UTC${formatOffset(e?.offsetMinutes ?? 0)}`));
  return `${subject} is ${seasons}: a UTC schedule drifts by ${formatDrift(window.driftMinutes)} across DST${caveat}`;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "−" : "+";
  return `${sign}${formatClock(Math.abs(minutes))}`;
}

function formatDrift(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}`;
}
