/**
 * robfig/cron v3.0.1 parser.go, as `ParseStandard` runs it after Karpenter's "TZ=UTC " prefix has been stripped:
 * descriptors (`parseDescriptor`), or exactly five fields (`normalizeFields`) each parsed by `getField` /
 * `getRange` / `parseIntOrName` / `mustParseInt`, checked in robfig's order so that the first error, and its
 * text, match. Bounds and names are spec.go's.
 */
import { parseDurationNanos } from "../duration.ts";
import type { CronFields } from "./occurrences.ts";
import { goAtoi, goFields, goToLower } from "./go-text.ts";

/** robfig's error, and for field errors which field (0 = minute … 4 = day of week) and which range failed. */
export interface ParseFailure {
  readonly goError: string;
  readonly field?: number;
  readonly expr?: string;
}

/** Five fields (the fixed descriptors become fields too), an `@every` delay in milliseconds, or robfig's error. */
export type SpecResult = CronFields | { readonly everyMs: number } | ParseFailure;

/** Parses a schedule already stripped of the "TZ=UTC " prefix and trimmed, as `Parser.Parse` continues. */
export function parseRobfigSpec(spec: string): SpecResult {
  return spec.startsWith("@") ? parseDescriptor(spec) : parseFields(spec);
}

/** A field's bounds and, for month and day of week, its names (spec.go `minutes` … `dow`). */
export interface CronFieldBounds {
  readonly min: number;
  readonly max: number;
  readonly names?: ReadonlyMap<string, number>;
}

/** The three-letter names robfig knows, in order: months from 1, days from 0 (Sunday). */
export const CRON_MONTH_NAMES: readonly string[] = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];
export const CRON_DAY_NAMES: readonly string[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MINUTES: CronFieldBounds = { min: 0, max: 59 };
const HOURS: CronFieldBounds = { min: 0, max: 23 };
const DOM: CronFieldBounds = { min: 1, max: 31 };
const MONTHS: CronFieldBounds = { min: 1, max: 12, names: new Map(CRON_MONTH_NAMES.map((name, i) => [name, i + 1])) };
const DOW: CronFieldBounds = { min: 0, max: 6, names: new Map(CRON_DAY_NAMES.map((name, i) => [name, i])) };
/** Indexed by field: 0 minute, 1 hour, 2 day of month, 3 month, 4 day of week. */
export const CRON_FIELD_BOUNDS: readonly CronFieldBounds[] = [MINUTES, HOURS, DOM, MONTHS, DOW];

function parseFields(spec: string): SpecResult {
  const fields = goFields(spec);
  if (fields.length !== 5) {
    return { goError: `expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]` };
  }
  const [minute = "", hour = "", dom = "", month = "", dow = ""] = fields;
  // robfig parses the fields in order and reports the first error.
  const parsed: FieldBits[] = [];
  for (const [field, text] of [minute, hour, dom, month, dow].entries()) {
    const bits = getField(text, CRON_FIELD_BOUNDS[field] ?? MINUTES);
    if ("goError" in bits) return { ...bits, field };
    parsed.push(bits);
  }
  const [m, h, d, mo, w] = parsed as [FieldBits, FieldBits, FieldBits, FieldBits, FieldBits];
  return fieldsOf(m.values, h.values, d, mo.values, w);
}

interface FieldBits {
  readonly values: number[];
  /** robfig's starBit: a `*` or `?` range without a step above 1 was present. */
  readonly star: boolean;
}

// getField: a comma-separated list of ranges. strings.FieldsFunc drops empty items, so "1,,2" and even ","
// (no values at all) are accepted.
function getField(field: string, bounds: CronFieldBounds): FieldBits | ParseFailure {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(",").filter((part) => part !== "")) {
    const range = getRange(expr, bounds);
    if ("goError" in range) return range;
    for (const value of range.values) values.add(value);
    star ||= range.star;
  }
  return { values: [...values].sort((a, b) => a - b), star };
}

// getRange: number | number "-" number [ "/" number ], checked in robfig's order so the first error matches.
function getRange(expr: string, bounds: CronFieldBounds): FieldBits | ParseFailure {
  const result = getRangeBits(expr, bounds);
  return typeof result === "string" ? { goError: result, expr } : result;
}

function getRangeBits(expr: string, bounds: CronFieldBounds): FieldBits | string {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = (rangeAndStep[0] ?? "").split("-");
  const low = lowAndHigh[0] ?? "";
  let start: bigint;
  let end: bigint;
  let star = false;
  if (low === "*" || low === "?") {
    // robfig does not look at anything after the star's hyphen: "*-5" means "*".
    start = BigInt(bounds.min);
    end = BigInt(bounds.max);
    star = true;
  } else {
    const first = parseIntOrName(low, bounds.names);
    if (typeof first === "string") return first;
    start = first;
    if (lowAndHigh.length === 1) {
      end = start;
    } else if (lowAndHigh.length === 2) {
      const second = parseIntOrName(lowAndHigh[1] ?? "", bounds.names);
      if (typeof second === "string") return second;
      end = second;
    } else {
      return `too many hyphens: ${expr}`;
    }
  }
  let step = 1n;
  if (rangeAndStep.length === 2) {
    const parsedStep = mustParseInt(rangeAndStep[1] ?? "");
    if (typeof parsedStep === "string") return parsedStep;
    step = parsedStep;
    // "N/step" means "N-max/step"; a step above 1 clears the star bit, "*/1" keeps it.
    if (lowAndHigh.length === 1) end = BigInt(bounds.max);
    if (step > 1n) star = false;
  } else if (rangeAndStep.length > 2) {
    return `too many slashes: ${expr}`;
  }
  if (start < BigInt(bounds.min)) return `beginning of range (${start}) below minimum (${bounds.min}): ${expr}`;
  if (end > BigInt(bounds.max)) return `end of range (${end}) above maximum (${bounds.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0n) return `step of range should be a positive number: ${expr}`;
  const values: number[] = [];
  for (let i = Number(start); i <= Number(end); i += Number(step)) values.push(i);
  return { values, star };
}

function parseIntOrName(expr: string, names: ReadonlyMap<string, number> | undefined): bigint | string {
  const named = names?.get(goToLower(expr));
  return named === undefined ? mustParseInt(expr) : BigInt(named);
}

// mustParseInt: strconv.Atoi, then a check for negatives. Returns robfig's error text on failure.
function mustParseInt(expr: string): bigint | string {
  const num = goAtoi(expr);
  if (typeof num === "string") return `failed to parse int from ${expr}: ${num}`;
  if (num < 0n) return `negative number (${num}) not allowed: ${expr}`;
  return num;
}

function parseDescriptor(spec: string): SpecResult {
  const all = (b: CronFieldBounds) => ({ values: range(b.min, b.max), star: true });
  const one = (value: number) => ({ values: [value], star: false });
  switch (spec) {
    case "@yearly":
    case "@annually":
      return fieldsOf([0], [0], one(1), [1], all(DOW));
    case "@monthly":
      return fieldsOf([0], [0], one(1), range(1, 12), all(DOW));
    case "@weekly":
      return fieldsOf([0], [0], all(DOM), range(1, 12), one(0));
    case "@daily":
    case "@midnight":
      return fieldsOf([0], [0], all(DOM), range(1, 12), all(DOW));
    case "@hourly":
      return fieldsOf([0], range(0, 23), all(DOM), range(1, 12), all(DOW));
  }
  const every = "@every ";
  if (!spec.startsWith(every)) return { goError: `unrecognized descriptor: ${spec}` };
  const text = spec.slice(every.length);
  let nanos: bigint;
  try {
    nanos = parseDurationNanos(text);
  } catch {
    return { goError: `failed to parse duration ${spec}: ${goDurationError(text)}` };
  }
  // Every(): below one second becomes one second (zero and negative included); the rest is truncated to seconds.
  const second = 1_000_000_000n;
  const delay = nanos < second ? second : nanos - (nanos % second);
  return { everyMs: Number(delay / 1_000_000n) };
}

// Go's time.ParseDuration error text for input it rejects (the value itself comes from duration.ts, which
// implements the same grammar): an unknown or missing unit is reported as such, anything else as invalid.
function goDurationError(text: string): string {
  const quoted = JSON.stringify(text);
  let rest = text.replace(/^[-+]/, "");
  while (rest !== "") {
    const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(rest);
    if (number === null || (number[1] === "" && (number[2] ?? "") === "")) break;
    rest = rest.slice(number[0].length);
    const unit = /^[^.0-9]*/.exec(rest)?.[0] ?? "";
    if (unit === "") return `time: missing unit in duration ${quoted}`;
    if (!GO_DURATION_UNITS.has(unit)) return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
    rest = rest.slice(unit.length);
  }
  return `time: invalid duration ${quoted}`;
}

const GO_DURATION_UNITS = new Set(["ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h"]);

function fieldsOf(minutes: number[], hours: number[], dom: FieldBits, months: number[], dow: FieldBits): CronFields {
  return {
    minutes,
    hours,
    daysOfMonth: dom.values,
    months,
    daysOfWeek: dow.values,
    domStar: dom.star,
    dowStar: dow.star,
  };
}

function range(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}
