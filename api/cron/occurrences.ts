/**
 * When a parsed robfig/cron schedule fires, in UTC.
 *
 * `cronNext` is a line-by-line port of robfig/cron v3 spec.go `SpecSchedule.Next`, kept literal rather than
 * clever so that its edge cases carry over: it starts at the next whole second, gives up after about five
 * years (robfig's `yearLimit`) and then returns Go's zero time, which Karpenter's `!next.After(now)` reads as
 * "active". Karpenter always passes UTC, so the daylight-saving corrections in robfig's day loop never apply.
 * Times are epoch milliseconds; callers check their range (years 1–9999).
 */

/** The values a five-field schedule matches. Every list is sorted; an empty list matches nothing. */
export interface CronFields {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  /** 1–31. */
  readonly daysOfMonth: readonly number[];
  /** 1–12. */
  readonly months: readonly number[];
  /** 0–6, Sunday is 0. */
  readonly daysOfWeek: readonly number[];
  /**
   * robfig's star bit for day-of-month and day-of-week: set when the field contains `*` or `?` without a step
   * above 1. If either is set a day must match both fields, otherwise either (spec.go `dayMatches`), so
   * `0 0 1 * 1` fires on the 1st and on every Monday, while `0 0 * * 1` fires on Mondays only.
   */
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

/** Lookup tables for the fields, indexed by value. */
export interface CronMatcher {
  readonly minute: readonly boolean[];
  readonly hour: readonly boolean[];
  readonly dom: readonly boolean[];
  readonly month: readonly boolean[];
  readonly dow: readonly boolean[];
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

export function matcherOf(fields: CronFields): CronMatcher {
  const table = (values: readonly number[], size: number) => {
    const result = new Array<boolean>(size).fill(false);
    for (const value of values) result[value] = true;
    return result;
  };
  return {
    minute: table(fields.minutes, 60),
    hour: table(fields.hours, 24),
    dom: table(fields.daysOfMonth, 32),
    month: table(fields.months, 13),
    dow: table(fields.daysOfWeek, 7),
    domStar: fields.domStar,
    dowStar: fields.dowStar,
  };
}

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

interface Parts {
  year: number;
  /** 1–12, as Go's time.Month. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

function parts(ms: number): Parts {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

// Go's time.Date in UTC: out-of-range months, days and hours roll over. setUTCFullYear, unlike Date.UTC,
// does not map years 0–99 to 1900–1999.
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function floorTo(ms: number, unit: number): number {
  return Math.floor(ms / unit) * unit;
}

/** spec.go `dayMatches`. */
export function dayMatches(m: CronMatcher, day: number, weekday: number): boolean {
  const domMatch = m.dom[day] === true;
  const dowMatch = m.dow[weekday] === true;
  return m.domStar || m.dowStar ? domMatch && dowMatch : domMatch || dowMatch;
}

// With no minute, hour or month at all (possible: robfig accepts "," as a field) robfig's Next walks every
// minute for five years before giving up; the answer is the same zero time, so skip the walk.
function emptyTimeField(m: CronMatcher): boolean {
  return !m.minute.includes(true) || !m.hour.includes(true) || !m.month.includes(true);
}

/** robfig `SpecSchedule.Next` in UTC: the first occurrence strictly after `afterMs`, or undefined (Go's zero time). */
export function cronNext(m: CronMatcher, afterMs: number): number | undefined {
  if (emptyTimeField(m)) return undefined;
  // "Start at the earliest possible time (the upcoming second)."
  let t = floorTo(afterMs, SECOND_MS) + SECOND_MS;
  let added = false;
  const yearLimit = parts(t).year + 5;
  wrap: for (;;) {
    let p = parts(t);
    if (p.year > yearLimit) return undefined;
    while (m.month[p.month] !== true) {
      if (!added) {
        added = true;
        t = utc(p.year, p.month, 1, 0, 0, 0);
        p = parts(t);
      }
      t = utc(p.year, p.month + 1, p.day, p.hour, p.minute, p.second);
      p = parts(t);
      if (p.month === 1) continue wrap;
    }
    while (!dayMatches(m, p.day, p.weekday)) {
      if (!added) {
        added = true;
        t = utc(p.year, p.month, p.day, 0, 0, 0);
        p = parts(t);
      }
      t = utc(p.year, p.month, p.day + 1, p.hour, p.minute, p.second);
      p = parts(t);
      if (p.day === 1) continue wrap;
    }
    while (m.hour[p.hour] !== true) {
      if (!added) {
        added = true;
        t = utc(p.year, p.month, p.day, p.hour, 0, 0);
      }
      t += HOUR_MS;
      p = parts(t);
      if (p.hour === 0) continue wrap;
    }
    while (m.minute[p.minute] !== true) {
      if (!added) {
        added = true;
        t = floorTo(t, MINUTE_MS);
      }
      t += MINUTE_MS;
      p = parts(t);
      if (p.minute === 0) continue wrap;
    }
    // ParseStandard's seconds field is always "0".
    while (p.second !== 0) {
      if (!added) {
        added = true;
        t = floorTo(t, SECOND_MS);
      }
      t += SECOND_MS;
      p = parts(t);
      if (p.second === 0) continue wrap;
    }
    return t;
  }
}

// How far back `cronLatestAtOrBefore` looks: robfig's five years, plus a day for the partial first year.
const LOOKBACK_DAYS = 5 * 366 + 1;

/** The last occurrence at or before `atMs`, looking back about five years; undefined if none. */
export function cronLatestAtOrBefore(m: CronMatcher, atMs: number): number | undefined {
  if (emptyTimeField(m)) return undefined;
  // Occurrences fall on whole minutes (seconds field "0").
  const at = parts(floorTo(atMs, MINUTE_MS));
  const firstDay = utc(at.year, at.month, at.day, 0, 0, 0);
  for (let i = 0; i <= LOOKBACK_DAYS; i++) {
    // UTC days are exactly 24h long (no leap seconds in JavaScript time).
    const dayStart = firstDay - i * DAY_MS;
    const day = parts(dayStart);
    if (m.month[day.month] !== true || !dayMatches(m, day.day, day.weekday)) continue;
    for (let hour = i === 0 ? at.hour : 23; hour >= 0; hour--) {
      if (m.hour[hour] !== true) continue;
      for (let minute = i === 0 && hour === at.hour ? at.minute : 59; minute >= 0; minute--) {
        if (m.minute[minute] === true) return dayStart + hour * HOUR_MS + minute * MINUTE_MS;
      }
    }
  }
  return undefined;
}

/**
 * Whether the schedule fires in any year. 2000–2027 is one full 28-year cycle of the calendar between 1901 and
 * 2099, so it holds every combination of date and weekday, 29 February on each weekday included.
 */
export function cronCanFire(m: CronMatcher): boolean {
  if (emptyTimeField(m)) return false;
  const start = utc(2000, 1, 1, 0, 0, 0);
  const end = utc(2028, 1, 1, 0, 0, 0);
  for (let t = start; t < end; t += DAY_MS) {
    const p = parts(t);
    if (m.month[p.month] === true && dayMatches(m, p.day, p.weekday)) return true;
  }
  return false;
}

/** constantdelay.go `ConstantDelaySchedule.Next`: `t + delay - t.Nanosecond()`. */
export function everyNext(everyMs: number, afterMs: number): number {
  return floorTo(afterMs, SECOND_MS) + everyMs;
}
