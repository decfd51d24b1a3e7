/**
 * Durations as Go's `time.ParseDuration` reads them, and the stricter forms Karpenter's CRDs accept.
 *
 * Values are returned in milliseconds as a number. Whole milliseconds are exact (up to Go's limit of about 292
 * years); a sub-millisecond remainder ("1ns", "1.5us") is kept as a fraction of a millisecond, so it is exact only
 * as far as a float is. `parseDurationNanos` gives the exact nanosecond count as a bigint.
 */
import { ValueError } from "./value-error.ts";

/** What Karpenter's `expireAfter`/`consolidateAfter` hold: a duration, or `Never`. */
export type KarpenterDuration = { readonly never: true } | { readonly never: false; readonly ms: number };

export interface KarpenterDurationOptions {
  /** `expireAfter` and `consolidateAfter` accept "Never"; `terminationGracePeriod` does not. */
  allowNever: boolean;
  /** Names the field in error messages, e.g. "expireAfter". */
  field?: string;
}

const NS = 1n;
const US = 1000n * NS;
const MS = 1000n * US;
const SECOND = 1000n * MS;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;
const DAY = 24n * HOUR;

// Go accepts both the micro sign U+00B5 and the Greek mu U+03BC. Maps, not objects, so "constructor" is no unit.
const GO_UNITS: ReadonlyMap<string, bigint> = new Map([
  ["ns", NS],
  ["us", US],
  ["\u00b5s", US],
  ["\u03bcs", US],
  ["ms", MS],
  ["s", SECOND],
  ["m", MINUTE],
  ["h", HOUR],
]);

// Units people write that Go does not know; used only to suggest a fix.
const DAY_UNITS: ReadonlyMap<string, bigint> = new Map([
  ["d", DAY],
  ["day", DAY],
  ["days", DAY],
]);
const WEEK_UNITS: ReadonlyMap<string, bigint> = new Map([
  ["w", 7n * DAY],
  ["week", 7n * DAY],
  ["weeks", 7n * DAY],
]);
const SPELLED_UNITS: ReadonlyMap<string, string> = new Map([
  ["sec", "s"],
  ["secs", "s"],
  ["second", "s"],
  ["seconds", "s"],
  ["min", "m"],
  ["mins", "m"],
  ["minute", "m"],
  ["minutes", "m"],
  ["hr", "h"],
  ["hrs", "h"],
  ["hour", "h"],
  ["hours", "h"],
  ["H", "h"],
  ["S", "s"],
  ["MS", "ms"],
  ["NS", "ns"],
  ["US", "us"],
]);

const GO_MAX = 2n ** 63n - 1n;
const GO_EXPECTED = 'expected a Go duration such as "300ms", "1.5h" or "2h45m" (units ns, us, µs, ms, s, m, h)';

// The CRD patterns, verbatim.
const KARPENTER_PATTERN = /^([0-9]+(s|m|h))+$/;
const BUDGET_PATTERN = /^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$/;

/** Go `time.ParseDuration`, in milliseconds. Throws ValueError. */
export function parseDuration(input: string): number {
  return nanosToMs(parseDurationNanos(input));
}

/** Go `time.ParseDuration`, as an exact count of nanoseconds (Go's `time.Duration`). Throws ValueError. */
export function parseDurationNanos(input: string): bigint {
  if (typeof input !== "string") {
    throw new ValueError(`invalid duration ${String(input)}: expected a string such as "1h30m"`, input);
  }
  const result = scan(input, GO_UNITS);
  if (result.ok) return result.nanos;
  throw new ValueError(`invalid duration "${input}": ${problemOf(input, result)}`, input);
}

const parsedKarpenterDurations = new Map<string, KarpenterDuration>();

/**
 * A Karpenter `expireAfter`/`consolidateAfter` (`^(([0-9]+(s|m|h))+|Never)$`, with `allowNever`) or
 * `terminationGracePeriod` (`^([0-9]+(s|m|h))+$`). Throws ValueError.
 */
export function parseKarpenterDuration(input: string, options: KarpenterDurationOptions): KarpenterDuration {
  const field = options.field ?? "duration";
  const expected = `expected whole hours, minutes or seconds such as "720h", "1h30m" or "30s"${
    options.allowNever ? ', or "Never"' : ""
  }`;
  if (typeof input !== "string") throw new ValueError(`invalid ${field} ${String(input)}: ${expected}`, input);
  if (input === "Never") {
    if (options.allowNever) return { never: true };
    throw new ValueError(`invalid ${field} "Never": ${field} does not accept "Never"; ${expected}`, input);
  }
  if (KARPENTER_PATTERN.test(input)) {
    // Pools repeat the same few values ("720h", "0s"): each valid one is parsed once.
    let parsed = parsedKarpenterDurations.get(input);
    if (!parsed) {
      parsed = Object.freeze({ never: false as const, ms: nanosToMs(goOrThrow(input, field)) });
      if (parsedKarpenterDurations.size >= 1024) parsedKarpenterDurations.clear();
      parsedKarpenterDurations.set(input, parsed);
    }
    return parsed;
  }
  const hint = /^never$/i.test(input) && options.allowNever ? 'did you mean "Never"?' : strictHint(input, SECOND);
  throw new ValueError(`invalid ${field} "${input}": ${expected}${hint === undefined ? "" : `; ${hint}`}`, input);
}

/** A disruption budget `duration` (`^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$`), in milliseconds. Throws ValueError. */
export function parseBudgetDuration(input: string, options: { field?: string } = {}): number {
  const field = options.field ?? "budget duration";
  const expected = 'expected whole hours and/or minutes such as "10m", "1h" or "1h30m"';
  if (typeof input !== "string") throw new ValueError(`invalid ${field} ${String(input)}: ${expected}`, input);
  if (BUDGET_PATTERN.test(input)) return nanosToMs(goOrThrow(input, field));
  const hint = strictHint(input, MINUTE);
  throw new ValueError(`invalid ${field} "${input}": ${expected}${hint === undefined ? "" : `; ${hint}`}`, input);
}

/** Go's `Duration.String()`: "1h30m0s", "720h0m0s", "30s", "1.5ms", "0s". `ms` is rounded to the nanosecond. */
export function formatDuration(ms: number): string {
  return formatDurationNanos(msToNanos(ms));
}

/** Go's `Duration.String()` for an exact nanosecond count. */
export function formatDurationNanos(nanos: bigint): string {
  const sign = nanos < 0n ? "-" : "";
  const u = nanos < 0n ? -nanos : nanos;
  if (u === 0n) return "0s";
  if (u < US) return `${sign}${u}ns`;
  if (u < MS) return `${sign}${withFraction(u, 3)}µs`;
  if (u < SECOND) return `${sign}${withFraction(u, 6)}ms`;
  const seconds = withFraction(u % MINUTE, 9);
  const minutes = (u / MINUTE) % 60n;
  const hours = u / HOUR;
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** Plain words for messages: "30 days", "1 hour 30 minutes", "1.5 milliseconds", "0 seconds". */
export function describeDuration(ms: number): string {
  const nanos = msToNanos(ms);
  if (nanos === 0n) return "0 seconds";
  let rest = nanos < 0n ? -nanos : nanos;
  const words: string[] = [];
  for (const [unit, size] of [
    ["day", DAY],
    ["hour", HOUR],
    ["minute", MINUTE],
    ["second", SECOND],
  ] as const) {
    const count = rest / size;
    rest %= size;
    if (count > 0n) words.push(`${count} ${unit}${count === 1n ? "" : "s"}`);
  }
  if (rest > 0n) {
    const millis = withFraction(rest, 6);
    words.push(`${millis} millisecond${millis === "1" ? "" : "s"}`);
  }
  return `${nanos < 0n ? "minus " : ""}${words.join(" ")}`;
}

type ScanResult = { ok: true; nanos: bigint } | { ok: false; problem: string; unknownUnit?: string };

// Go's ParseDuration loop, over exact integers: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ or a lone "0".
function scan(input: string, units: ReadonlyMap<string, bigint>): ScanResult {
  let rest = input;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return { ok: true, nanos: 0n };
  if (rest === "") return { ok: false, problem: GO_EXPECTED };
  let total = 0n;
  while (rest !== "") {
    const match = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = match?.[1] ?? "";
    const fraction = match?.[2] ?? "";
    if (whole === "" && fraction === "") return { ok: false, problem: GO_EXPECTED };
    rest = rest.slice(match?.[0].length ?? 0);
    const unitMatch = /^[^.0-9]*/.exec(rest);
    const unit = unitMatch?.[0] ?? "";
    if (unit === "") return { ok: false, problem: `missing unit; ${GO_EXPECTED}` };
    rest = rest.slice(unit.length);
    const size = units.get(unit);
    if (size === undefined) return { ok: false, problem: `unknown unit "${unit}"; ${GO_EXPECTED}`, unknownUnit: unit };
    // Go truncates the fractional part to whole nanoseconds.
    total += BigInt(whole || "0") * size;
    if (fraction !== "") total += (BigInt(fraction) * size) / 10n ** BigInt(fraction.length);
    if (total > GO_MAX + 1n) break;
  }
  if (total > (negative ? GO_MAX + 1n : GO_MAX)) {
    return {
      ok: false,
      problem: "out of range: Go durations are limited to about 292 years (2562047h47m16.854775807s)",
    };
  }
  return { ok: true, nanos: negative ? -total : total };
}

// The problem text for a failed scan; for a unit Go lacks ("d", "min") it says what to write instead.
function problemOf(input: string, result: { problem: string; unknownUnit?: string }): string {
  const unit = result.unknownUnit;
  if (unit === undefined) return result.problem;
  const rewritten = suggestion(input);
  const example = rewritten === undefined ? "" : `, e.g. "${rewritten}"`;
  if (DAY_UNITS.has(unit)) return `"${unit}" (days) is not a Go duration unit; use hours${example}`;
  if (WEEK_UNITS.has(unit)) return `"${unit}" (weeks) is not a Go duration unit; use hours${example}`;
  const spelled = SPELLED_UNITS.get(unit);
  if (spelled !== undefined) return `"${unit}" is not a Go duration unit; use "${spelled}"${example}`;
  return result.problem;
}

// Rewrites "720d" as "17280h", "1day12hrs" as "36h", when every unit is one we can translate.
function suggestion(input: string): string | undefined {
  const units = new Map([...GO_UNITS, ...DAY_UNITS, ...WEEK_UNITS]);
  for (const [spelled, unit] of SPELLED_UNITS) units.set(spelled, GO_UNITS.get(unit) ?? 0n);
  const result = scan(input, units);
  return result.ok ? compact(result.nanos) : undefined;
}

// The shortest Go duration for a value: "17280h", "1h30m", "45s"; falls back to Go's own form for fractions.
function compact(nanos: bigint): string {
  if (nanos === 0n) return "0s";
  if (nanos < 0n || nanos % SECOND !== 0n) return formatDurationNanos(nanos);
  const hours = nanos / HOUR;
  const minutes = (nanos % HOUR) / MINUTE;
  const seconds = (nanos % MINUTE) / SECOND;
  return `${hours > 0n ? `${hours}h` : ""}${minutes > 0n ? `${minutes}m` : ""}${seconds > 0n ? `${seconds}s` : ""}`;
}

// Why a string that failed a Karpenter pattern is wrong, with the fix when there is one.
function strictHint(input: string, granularity: bigint): string | undefined {
  const result = scan(input, GO_UNITS);
  // Of the Go errors only the unit hint (days, spelled-out units) adds anything to "expected".
  if (!result.ok) {
    const problem = problemOf(input, result);
    return /is not a Go duration unit/.test(problem) ? problem : undefined;
  }
  if (result.nanos < 0n) return "it must not be negative";
  if (result.nanos % granularity !== 0n) {
    return granularity === MINUTE ? "seconds and finer units are not allowed" : "fractions of a second are not allowed";
  }
  return `write it as "${compactFor(result.nanos, granularity)}"`;
}

function compactFor(nanos: bigint, granularity: bigint): string {
  if (nanos === 0n) return granularity === MINUTE ? "0m" : "0s";
  return compact(nanos);
}

function goOrThrow(input: string, field: string): bigint {
  const result = scan(input, GO_UNITS);
  if (result.ok) return result.nanos;
  throw new ValueError(`invalid ${field} "${input}": ${problemOf(input, result)}`, input);
}

function withFraction(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const fraction = (value % scale).toString().padStart(digits, "0").replace(/0+$/, "");
  return fraction === "" ? `${value / scale}` : `${value / scale}.${fraction}`;
}

function nanosToMs(nanos: bigint): number {
  const whole = Number(nanos / MS);
  const remainder = Number(nanos % MS);
  return remainder === 0 ? whole : whole + remainder / 1e6;
}

function msToNanos(ms: number): bigint {
  if (typeof ms !== "number" || !Number.isFinite(ms)) {
    throw new ValueError(`invalid duration ${String(ms)}: expected a finite number of milliseconds`, ms);
  }
  const whole = Math.trunc(ms);
  return BigInt(whole) * MS + BigInt(Math.round((ms - whole) * 1e6));
}
