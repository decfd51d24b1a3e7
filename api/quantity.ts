/**
 * Kubernetes `resource.Quantity` (k8s.io/apimachinery/pkg/api/resource), held exactly.
 *
 * Grammar (as `resource.ParseQuantity` and the CRDs' `int-or-string` pattern):
 *
 *     quantity ::= sign? number suffix?
 *     number   ::= digits | digits "." digits? | "." digits
 *     suffix   ::= Ki | Mi | Gi | Ti | Pi | Ei            (BinarySI, powers of 1024)
 *                | n | u | m | k | M | G | T | P | E     (DecimalSI, powers of 1000)
 *                | (e | E) sign? digits                  (DecimalExponent, powers of 10)
 *
 * The value is kept as a bigint count of nano-units (10^-9). Like Kubernetes, a non-zero value finer than 1n is
 * rounded away from zero at parse time ("0.9n" is "1n", ".000000000001Ki" is "2n").
 *
 * Deliberate differences from apimachinery, all on inputs no real manifest has:
 * - `ParseQuantity` reads a bare sign, a bare ".", or a bare suffix ("+", ".", "Gi") as zero; the CRD pattern
 *   rejects them, and so does this parser.
 * - apimachinery silently caps BinarySI values at 2^63-1 ("8Ei" parses as 9223372036854775807); this keeps the
 *   exact value.
 * - Values of 10^1000 or more are rejected with an error instead of being built (apimachinery wraps exponents
 *   beyond int32).
 * - apimachinery returns some inputs verbatim from `String()` when they already look canonical (e.g. "+1", "05");
 *   `formatQuantity` always emits the canonical form ("1", "5").
 */
import { ValueError } from "./value-error.ts";

export type QuantityFormat = "BinarySI" | "DecimalSI" | "DecimalExponent";

/** A quantity, or what YAML gives for one: a string such as "500m" or a plain number such as `2`. */
export type QuantityLike = Quantity | string | number;

const NANOS_PER_UNIT = 1_000_000_000n;
const NANOS_PER_MILLI = 1_000_000n;

const QUANTITY_RE = /^([+-])?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE])|[eE]([+-]?\d+))?$/;

const BINARY_POWERS: Readonly<Record<string, bigint>> = { Ki: 1n, Mi: 2n, Gi: 3n, Ti: 4n, Pi: 5n, Ei: 6n };
const DECIMAL_EXPONENTS: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const DECIMAL_SUFFIXES: Readonly<Record<number, string>> = {
  [-9]: "n",
  [-6]: "u",
  [-3]: "m",
  0: "",
  3: "k",
  6: "M",
  9: "G",
  12: "T",
  15: "P",
  18: "E",
};
const BINARY_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] as const;

// Bounds the bigint work a hostile exponent ("1e999999999") could cause.
const MAX_DECIMAL_DIGITS = 1000;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

const EXPECTED = "expected a number with an optional suffix (n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or e<exp>)";

export class Quantity {
  /** The exact value in nano-units (10^-9). */
  readonly nanos: bigint;
  /** How the value was written; `formatQuantity` uses it to choose the suffix family, as Kubernetes does. */
  readonly format: QuantityFormat;

  constructor(nanos: bigint, format: QuantityFormat = "DecimalSI") {
    this.nanos = nanos;
    this.format = format;
    Object.freeze(this);
  }

  /** `ceil(q * 1000)` as Kubernetes `MilliValue()`, exact (bigint, never overflows); negatives round away from 0. */
  milliValue(): bigint {
    return divideAwayFromZero(this.nanos, NANOS_PER_MILLI);
  }

  /** The value rounded up to an integer, as Kubernetes `Value()`, exact (bigint); negatives round away from 0. */
  value(): bigint {
    return divideAwayFromZero(this.nanos, NANOS_PER_UNIT);
  }

  /** The nearest float: for display and ratios only, never for comparisons that must be exact. */
  toNumber(): number {
    const abs = this.nanos < 0n ? -this.nanos : this.nanos;
    const whole = abs / NANOS_PER_UNIT;
    const fraction = (abs % NANOS_PER_UNIT).toString().padStart(9, "0");
    // Parsing the exact decimal string gives the correctly rounded float, which Number(bigint) / 1e9 does not.
    const n = Number(`${whole}.${fraction}`);
    return this.nanos < 0n ? -n : n;
  }

  isZero(): boolean {
    return this.nanos === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.nanos === 0n ? 0 : this.nanos < 0n ? -1 : 1;
  }

  equals(other: QuantityLike): boolean {
    return compareQuantities(this, other) === 0;
  }

  toString(): string {
    return formatQuantity(this);
  }

  toJSON(): string {
    return formatQuantity(this);
  }
}

/** Parses a quantity; numbers are accepted because YAML turns `cpu: 2` into one. Throws ValueError. */
export function parseQuantity(input: QuantityLike): Quantity {
  if (input instanceof Quantity) return input;
  if (typeof input === "number") return parseNumber(input);
  if (typeof input !== "string") {
    throw new ValueError(`invalid quantity ${describe(input)}: expected a string such as "500m" or a number`, input);
  }
  const match = QUANTITY_RE.exec(input);
  if (match === null) throw new ValueError(invalidMessage(input), input);
  const [, sign, intDigits = "", fracA, fracB, binary, decimal, exponent] = match;
  const fracDigits = fracA ?? fracB ?? "";
  const digits = BigInt((intDigits + fracDigits).replace(/^0+/, "") || "0");

  let format: QuantityFormat = "DecimalSI";
  let multiplier = 1n;
  let decimalExponent = 0n;
  if (binary !== undefined) {
    format = "BinarySI";
    multiplier = 1024n ** (BINARY_POWERS[binary] ?? 0n);
  } else if (decimal !== undefined) {
    decimalExponent = BigInt(DECIMAL_EXPONENTS[decimal] ?? 0);
  } else if (exponent !== undefined) {
    format = "DecimalExponent";
    decimalExponent = BigInt(exponent);
    // apimachinery reads the exponent with strconv.ParseInt(s, 10, 64).
    if (decimalExponent > INT64_MAX || decimalExponent < INT64_MIN) {
      throw new ValueError(`invalid quantity "${input}": exponent ${exponent} is out of range`, input);
    }
  }

  const magnitude = digits * multiplier;
  const shift = decimalExponent - BigInt(fracDigits.length) + 9n;
  let nanos: bigint;
  if (magnitude === 0n) {
    nanos = 0n;
  } else if (shift >= 0n) {
    if (BigInt(magnitude.toString().length) + shift > BigInt(MAX_DECIMAL_DIGITS + 9)) {
      throw new ValueError(
        `invalid quantity "${input}": values of 1e${MAX_DECIMAL_DIGITS} or more are not supported`,
        input,
      );
    }
    nanos = magnitude * 10n ** shift;
  } else if (-shift > BigInt(magnitude.toString().length)) {
    // Smaller than 1n: rounds up to the smallest representable amount.
    nanos = 1n;
  } else {
    nanos = divideAwayFromZero(magnitude, 10n ** -shift);
  }
  if (format === "BinarySI" && nanos > 0n && nanos < NANOS_PER_UNIT) {
    // Kubernetes switches a fractional binary amount below 1 to DecimalSI so that it is not rounded on output.
    format = "DecimalSI";
  }
  return new Quantity(sign === "-" ? -nanos : nanos, format);
}

/** True when `input` parses as a quantity. */
export function isQuantity(input: unknown): boolean {
  if (typeof input !== "string" && typeof input !== "number") return input instanceof Quantity;
  try {
    parseQuantity(input);
    return true;
  } catch (error) {
    if (error instanceof ValueError) return false;
    throw error;
  }
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`; exact. */
export function compareQuantities(a: QuantityLike, b: QuantityLike): -1 | 0 | 1 {
  const x = parseQuantity(a).nanos;
  const y = parseQuantity(b).nanos;
  return x === y ? 0 : x < y ? -1 : 1;
}

/** `a + b`, keeping `a`'s format unless `a` is zero (Kubernetes `Quantity.Add`). */
export function addQuantities(a: QuantityLike, b: QuantityLike): Quantity {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return new Quantity(x.nanos + y.nanos, x.isZero() ? y.format : x.format);
}

/** `a - b`, keeping `a`'s format unless `a` is zero (Kubernetes `Quantity.Sub`). */
export function subtractQuantities(a: QuantityLike, b: QuantityLike): Quantity {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return new Quantity(x.nanos - y.nanos, x.isZero() ? y.format : x.format);
}

/**
 * The canonical Kubernetes string (`Quantity.String()`): no fractional digits, the largest suffix that loses no
 * precision, the suffix family of the quantity's format. "1000m" is "1", "1024Mi" is "1Gi", "1.5Gi" is "1536Mi",
 * "0.5" is "500m", "1e3" is "1e3". A BinarySI value below 1024 in magnitude, or not a whole number, is written in
 * DecimalSI ("0.5Ki" is "512"); a DecimalSI value beyond the "E" suffix falls back to an exponent ("1000E" is
 * "1e21"). Binary amounts beyond "Ei" keep the "Ei" suffix ("1024Ei"), where apimachinery would drop it.
 */
export function formatQuantity(input: QuantityLike): string {
  const q = parseQuantity(input);
  if (q.nanos === 0n) return "0";
  const negative = q.nanos < 0n;
  const abs = negative ? -q.nanos : q.nanos;
  const sign = negative ? "-" : "";

  if (q.format === "BinarySI" && abs >= 1024n * NANOS_PER_UNIT && abs % NANOS_PER_UNIT === 0n) {
    let mantissa = abs / NANOS_PER_UNIT;
    let power = 0;
    while (power < BINARY_SUFFIXES.length - 1 && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      power++;
    }
    return `${sign}${mantissa}${BINARY_SUFFIXES[power]}`;
  }

  // Decimal: strip trailing zeros into the exponent, then lower the exponent to a multiple of 3.
  let mantissa = abs;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  const siSuffix = DECIMAL_SUFFIXES[exponent];
  if (q.format !== "DecimalExponent" && siSuffix !== undefined) return `${sign}${mantissa}${siSuffix}`;
  return `${sign}${mantissa}${exponent === 0 ? "" : `e${exponent}`}`;
}

function parseNumber(input: number): Quantity {
  if (!Number.isFinite(input)) {
    throw new ValueError(`invalid quantity ${input}: expected a finite number`, input);
  }
  // String() gives the shortest decimal that reads back as the same float, e.g. "0.5", "1e+21", "1e-7".
  return parseQuantity(String(input));
}

function divideAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (n % d === 0n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") return Array.isArray(value) ? "array" : "object";
  return `${typeof value} ${String(value)}`;
}

function invalidMessage(input: string): string {
  const base = `invalid quantity "${input}": ${EXPECTED}`;
  const hint = hintFor(input);
  return hint === undefined ? base : `${base}; ${hint}`;
}

// Suggests the fix for the usual mistakes: "10GB", "1gi", "1K", " 1Gi".
function hintFor(input: string): string | undefined {
  if (input.trim() === "") return undefined;
  if (/\s/.test(input)) {
    const squeezed = input.replace(/\s+/g, "");
    return QUANTITY_RE.test(squeezed) ? `remove the whitespace: "${squeezed}"` : "remove the whitespace";
  }
  const match = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([A-Za-z]+)$/.exec(input);
  if (match === null) return undefined;
  const [, number = "", suffix = ""] = match;
  const letter = suffix[0] ?? "";
  const rest = suffix.slice(1);
  // A lone "e" is a missing exponent, not a unit.
  if (!/^[kmgtpe]$/i.test(letter) || suffix === "e") return undefined;
  const upper = letter.toUpperCase();
  const decimal = upper === "K" ? "k" : upper;
  const binary = `${upper}i`;
  if (/^i$/i.test(rest) || /^ib$/i.test(rest)) return `suffixes are case-sensitive: did you mean "${number}${binary}"?`;
  if (rest === "" || /^b$/i.test(rest)) {
    return `did you mean "${number}${decimal}" (10^${DECIMAL_EXPONENTS[decimal] ?? 0}) or "${number}${binary}" (2^${
      10 * Number(BINARY_POWERS[binary] ?? 0n)
    })?`;
  }
  return undefined;
}
