// What the API server does with the text a webhook returns, and the bounds poolkeeper keeps to so none of it is
// lost or mangled (k8s.io/apiserver pkg/endpoints/filters/warning.go and pkg/util/net NewWarningHeader):
// - each warning becomes an HTTP `Warning: 299` header; a warning with a control character (a newline, a tab) is
//   dropped without a trace, so control characters become spaces here;
// - the total is counted in runes (code points), across every source of the request (all webhooks, the API
//   server's own deprecation and unknown-field warnings): past 4,096 the API server cuts each warning to 256 runes
//   and drops the rest. Each warning here is at most 256 code points, and all of them together at most 2,048, half
//   the total, so the other sources keep room; what does not fit is summarized in one last warning;
// - identical warnings are sent once, so duplicates are removed here too, before counting.
// A denial's message is not limited by the API server, but it is printed whole by kubectl and recorded in events
// and audit logs: it is kept to 4,096 code points, 512 per finding, with the rest summarized in one line.

/** Per warning: the API server cuts longer ones once the total is exceeded (`truncateItemRunes`). */
export const WARNING_LIMIT = 256;
/** All of this webhook's warnings together: half the API server's 4,096 for all sources of a request. */
export const WARNINGS_TOTAL_LIMIT = 2048;
/** A denial's whole message. */
export const MESSAGE_LIMIT = 4096;
/** One finding's line in a denial's message. */
export const MESSAGE_LINE_LIMIT = 512;

const ELLIPSIS = "…";

/**
 * Code points, as `for…of` counts them: UTF-16 units less one per surrogate pair (a lone surrogate counts as one).
 * A loop over char codes, not the string iterator, which allocates a string per code point: every warning and
 * message line is measured on each decision. No text has more code points than UTF-16 units, so callers that only
 * compare with a limit look at `length` first.
 */
export function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const high = text.charCodeAt(i);
    if (high < 0xd800 || high > 0xdbff) continue;
    const low = text.charCodeAt(i + 1);
    if (low >= 0xdc00 && low <= 0xdfff) {
      n--;
      i++;
    }
  }
  return n;
}

/**
 * Text safe for an HTTP header and a one-line message: control characters (C0, DEL, C1) become spaces and lone
 * surrogates (which UTF-8 cannot carry) become U+FFFD. Object names and values in findings come from users.
 */
export function sanitize(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
  );
}

/** At most `limit` code points, ending in "…" when cut. Cuts between code points, never inside a surrogate pair. */
export function truncate(text: string, limit: number): string {
  if (text.length <= limit || codePoints(text) <= limit) return text;
  if (limit <= 0) return "";
  return [...text].slice(0, limit - 1).join("") + ELLIPSIS;
}

/**
 * `head + body + tail` within `limit` code points, cutting the body: the tail (a rule id) survives, so a reader
 * can always look the rule up.
 */
export function fit(head: string, body: string, tail: string, limit: number): string {
  if (head.length + body.length + tail.length <= limit) return head + body + tail;
  const room = limit - codePoints(head) - codePoints(tail);
  if (room >= 1) return head + truncate(body, room) + tail;
  return truncate(head + body + tail, limit);
}

/**
 * The items in order, deduplicated, for as long as they fit in `total` code points; the rest is summarized by
 * `summary(count)`, which is kept within the total too.
 */
export function boundedList(items: readonly string[], total: number, summary: (rest: number) => string): string[] {
  const unique = [...new Set(items)];
  if (unique.reduce((sum, item) => sum + item.length, 0) <= total) return unique;
  const sizes = unique.map(codePoints);
  if (sizes.reduce((sum, size) => sum + size, 0) <= total) return unique;
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < unique.length; i++) {
    const size = sizes[i] ?? 0;
    const rest = unique.length - i;
    // Room for this item and, if any remain after it, the summary of those.
    const reserve = rest > 1 ? codePoints(summary(rest - 1)) : 0;
    if (used + size + reserve > total) {
      out.push(summary(rest));
      return out;
    }
    out.push(unique[i] as string);
    used += size;
  }
  return out;
}
