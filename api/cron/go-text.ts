/**
 * The few Go standard-library string functions whose exact behaviour decides what robfig/cron and Karpenter
 * accept: `strings.TrimSpace`, `strings.Fields`, `strings.ToLower` (for name lookups) and `strconv.Atoi`.
 */

const INT64_MAX = 2n ** 63n - 1n;

/** Go's `strconv.Atoi` on a 64-bit platform: an optional sign and decimal digits, in int64 range. */
export function goAtoi(text: string): bigint | string {
  if (!/^[+-]?[0-9]+$/.test(text)) return `strconv.Atoi: parsing ${JSON.stringify(text)}: invalid syntax`;
  const value = BigInt(text);
  if (value > INT64_MAX || value < -INT64_MAX - 1n) {
    return `strconv.Atoi: parsing ${JSON.stringify(text)}: value out of range`;
  }
  return value;
}

// Go's unicode.IsSpace, which strings.Fields and strings.TrimSpace use. It differs from JavaScript's \s:
// U+0085 is a space to Go, U+FEFF is not.
const GO_SPACE =
  "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

/** Go's strings.TrimSpace. */
export function goTrimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && GO_SPACE.includes(text.charAt(start))) start++;
  while (end > start && GO_SPACE.includes(text.charAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Go's strings.Fields. */
export function goFields(text: string): string[] {
  const fields: string[] = [];
  let current = "";
  for (const char of text) {
    if (GO_SPACE.includes(char)) {
      if (current !== "") fields.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  if (current !== "") fields.push(current);
  return fields;
}

// Go's strings.ToLower as far as it matters for the ASCII name tables: besides A–Z, only U+0130 (İ) and
// U+212A (Kelvin sign) lower-case to ASCII letters, so robfig reads "FRİ" as Friday.
export function goToLower(text: string): string {
  return text.replace(/[A-Z\u0130\u212a]/g, (c) => (c === "\u0130" ? "i" : c === "\u212a" ? "k" : c.toLowerCase()));
}
