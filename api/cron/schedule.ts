/**
 * Disruption-budget schedules exactly as Karpenter reads them.
 *
 * Karpenter's `Budget.IsActive` (kubernetes-sigs/karpenter pkg/apis/v1/nodepool.go) calls robfig/cron v3.0.1
 * `cron.ParseStandard("TZ=UTC " + schedule)`. This module reproduces that call's accept/reject set and its
 * occurrence computation, from robfig's parser.go (`Parse`, `normalizeFields`, `getField`, `getRange`,
 * `parseIntOrName`, `mustParseInt`, `parseDescriptor`), spec.go (`SpecSchedule.Next`, `dayMatches`) and
 * constantdelay.go (`Every`). It is not cron-parser's language: cron-parser v5 rejects `@midnight`,
 * `@every 5m`, `1,,2` and `*-5`, which robfig accepts, and accepts `L`, `1#2`, `7`, `H` and a seconds field,
 * which robfig rejects, so it is not used here.
 *
 * Parsing never throws: `parseKarpenterSchedule` returns a `ParsedSchedule` or a `ScheduleError` (check `ok`),
 * because an unparsable schedule is an ordinary state of a manifest, and Karpenter's reaction to it (fail closed)
 * is something callers report rather than crash on. Both are data: the words that describe a schedule or explain
 * an error are made by policies/schedule-text (`describeSchedule`, `scheduleErrorMessage`).
 */
import { parseRobfigSpec, type ParseFailure } from "./parse.ts";
import { goTrimSpace } from "./go-text.ts";
import { cronCanFire, cronLatestAtOrBefore, cronNext, everyNext, matcherOf, type CronFields } from "./occurrences.ts";
import { ValueError } from "../value-error.ts";

export type { CronFields } from "./occurrences.ts";

interface ScheduleBase {
  readonly ok: true;
  /** The schedule as written in the NodePool. */
  readonly schedule: string;
  /** True when robfig can never find an occurrence (e.g. `0 0 31 2 *`); Karpenter then treats the budget as active. */
  readonly neverFires: boolean;
  /**
   * robfig's `Next`: the first occurrence strictly after `after`, at whole-second precision, in UTC. `undefined`
   * where robfig returns Go's zero time: nothing within about five years of `after`. Throws ValueError for an
   * invalid Date or one outside years 1–9999.
   */
  next(after: Date): Date | undefined;
  /**
   * The last occurrence strictly before `before`, searching back about five years; `undefined` if none (and
   * always for `@every`, which has no fixed occurrences). Throws ValueError like `next`.
   */
  previous(before: Date): Date | undefined;
}

/** A five-field schedule or one of the fixed descriptors (`@daily` and so on). */
export interface CronSchedule extends ScheduleBase {
  readonly kind: "cron";
  readonly fields: CronFields;
}

/**
 * `@every <duration>`. ParseStandard enables descriptors, so robfig accepts it (its own parser_test.go
 * `TestStandardSpecSchedule` parses "@every 5m"), although Karpenter's CRD pattern rejects it. robfig counts it
 * from whatever time it is asked about, so it has no fixed occurrences.
 */
export interface EverySchedule extends ScheduleBase {
  readonly kind: "every";
  /** The delay robfig uses: at least one second, truncated to whole seconds (constantdelay.go `Every`). */
  readonly everyMs: number;
}

export type ParsedSchedule = CronSchedule | EverySchedule;

/** Why robfig rejects a schedule, as data: its error text and, for a field error, which field and range. */
export interface ScheduleError extends ParseFailure {
  readonly ok: false;
  /** The schedule as written in the NodePool (`String(value)` when it was not a string). */
  readonly schedule: string;
  /** The text robfig parsed: the schedule without surrounding Go whitespace (parser.go `Parse` trims it). */
  readonly spec: string;
  /**
   * robfig's own error text for `ParseStandard("TZ=UTC " + schedule)`, e.g. "expected exactly 5 fields, found 6:
   * [...]"; "not a string" when the value was not a string at all (see `notAString`).
   */
  readonly goError: string;
  /** True when the value was not a string, so robfig never saw it. */
  readonly notAString: boolean;
}

/** robfig/cron v3 `ParseStandard("TZ=UTC " + schedule)`, as Karpenter calls it. Never throws. */
export function parseKarpenterSchedule(schedule: string): ParsedSchedule | ScheduleError {
  if (typeof schedule !== "string") {
    const text = String(schedule);
    return { ok: false, schedule: text, spec: text, goError: "not a string", notAString: true };
  }
  // Parse strips the "TZ=UTC " prefix at its first space and trims the rest (parser.go Parse), so leading and
  // trailing Go whitespace in the user's text is ignored. A user's own TZ= prefix is then just a bad field.
  const spec = goTrimSpace(schedule);
  const result = parseRobfigSpec(spec);
  if ("goError" in result) return { ...result, ok: false, schedule, spec, notAString: false };
  return "everyMs" in result ? everySchedule(schedule, result.everyMs) : cronSchedule(schedule, result);
}

// The CRD's pattern for `schedule`, verbatim except that RE2's ASCII-only `\s` is spelled out (JavaScript's `\s`
// also matches Unicode spaces). Its alternation is unanchored on each side, so it is weak: "0 0 * * sat-sun"
// passes it and then fails in robfig, making Karpenter fail closed.
const CRD_SCHEDULE_PATTERN =
  /^(@(annually|yearly|monthly|weekly|daily|midnight|hourly))|((.+)[\t\n\f\r ](.+)[\t\n\f\r ](.+)[\t\n\f\r ](.+)[\t\n\f\r ](.+))$/;

/** Whether the API server's pattern for `spec.disruption.budgets[].schedule` admits the string. */
export function matchesScheduleCrdPattern(schedule: string): boolean {
  return CRD_SCHEDULE_PATTERN.test(schedule);
}

function cronSchedule(schedule: string, fields: CronFields): CronSchedule {
  const matcher = matcherOf(fields);
  const neverFires = !cronCanFire(matcher);
  return {
    ok: true,
    kind: "cron",
    schedule,
    fields,
    neverFires,
    next: (after) => toDate(cronNext(matcher, checkedMs(after, "after"))),
    previous: (before) => toDate(cronLatestAtOrBefore(matcher, checkedMs(before, "before") - 1)),
  };
}

function everySchedule(schedule: string, everyMs: number): EverySchedule {
  return {
    ok: true,
    kind: "every",
    schedule,
    everyMs,
    neverFires: false,
    next: (after) => toDate(everyNext(everyMs, checkedMs(after, "after"))),
    previous: (before) => {
      checkedMs(before, "before");
      return undefined;
    },
  };
}

// Years 1–9999 keep robfig's five-year search inside what a JavaScript Date can hold.
const MIN_MS = new Date(0).setUTCFullYear(1, 0, 1);
const MAX_MS = new Date(0).setUTCFullYear(10000, 0, 1) - 1;

function checkedMs(date: Date, name: string): number {
  const ms = date instanceof Date ? date.getTime() : NaN;
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) {
    throw new ValueError(`invalid ${name} time ${String(date)}: expected a valid Date between years 1 and 9999`, date);
  }
  return ms;
}

function toDate(ms: number | undefined): Date | undefined {
  return ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms);
}
