// The text bounds, counted as the API server counts them (runes, i.e. code points), and the sanitizing that keeps
// a warning from being dropped (the API server discards a warning with a control character).
import { test } from "node:test";
import assert from "node:assert/strict";
import { boundedList, codePoints, fit, sanitize, truncate } from "../../webhook/admission/bounds.ts";

test("lengths are code points: a surrogate pair counts once and is never cut in half", () => {
  assert.equal(codePoints("💥💥"), 2);
  assert.equal(truncate("💥💥💥", 2), "💥…");
  assert.equal(truncate("abc", 3), "abc");
  assert.equal(truncate("abcd", 3), "ab…");
  assert.equal(truncate("abcd", 0), "");
  const cut = truncate("💥".repeat(300), 256);
  assert.equal(codePoints(cut), 256);
  assert.ok(!/[\uD800-\uDBFF]$/.test(cut.slice(0, -1)), "no half surrogate before the ellipsis");
});

test("sanitize turns control characters into spaces and lone surrogates into U+FFFD", () => {
  assert.equal(sanitize("a\nb\tc\r\u0000d\u007fe\u0085f"), "a b c  d e f");
  assert.equal(sanitize("x\uD800y"), "x\uFFFDy");
  assert.equal(sanitize("x\uDC00"), "x\uFFFD");
  assert.equal(sanitize("ok 💥 é"), "ok 💥 é");
});

test("fit cuts the body and keeps the head and the tail", () => {
  const text = fit("head: ", "b".repeat(500), " [rule.id]", 40);
  assert.equal(codePoints(text), 40);
  assert.ok(text.startsWith("head: b") && text.endsWith("… [rule.id]"));
  assert.equal(fit("h", "body", "t", 100), "hbodyt");
  // A head and tail longer than the limit: the whole is cut, still within it.
  assert.equal(codePoints(fit("h".repeat(50), "body", "t".repeat(50), 40)), 40);
});

test("boundedList keeps what fits, in order, and summarizes the rest within the total", () => {
  const summary = (n: number) => `and ${n} more`;
  assert.deepEqual(boundedList(["a", "b", "a"], 10, summary), ["a", "b"]);
  const items = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(10, "."));
  const out = boundedList(items, 55, summary);
  assert.deepEqual(out, [...items.slice(0, 4), "and 16 more"]);
  assert.ok(out.reduce((s, x) => s + codePoints(x), 0) <= 55);
  for (let total = 12; total < 230; total++) {
    const kept = boundedList(items, total, summary);
    assert.ok(kept.reduce((s, x) => s + codePoints(x), 0) <= total, `total ${total}`);
    const last = kept.at(-1) ?? "";
    const rest = last.startsWith("and ") ? Number(last.split(" ")[1]) : 0;
    assert.equal(kept.length - (rest > 0 ? 1 : 0) + rest, items.length, `total ${total}`);
  }
});

test("codePoints counts as the string iterator does, lone surrogates included; longer UTF-16 is not cut", () => {
  // The oracle: [...text].length, the iterator's count. Random strings from a small alphabet of the cases.
  const alphabet = ["a", "é", "💥", "\uD800", "\uDC00", "\uDBFF", "\uDFFF", "\n"];
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) {
    const text = Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * 8)]).join("");
    assert.equal(codePoints(text), [...text].length, JSON.stringify(text));
  }
  // Four UTF-16 units, two code points: within a limit of two, nothing is cut.
  assert.equal(truncate("💥💥", 2), "💥💥");
  assert.equal(fit("💥", "💥", "💥", 3), "💥💥💥");
  assert.deepEqual(
    boundedList(["💥💥", "💥"], 3, (n) => `${n}`),
    ["💥💥", "💥"],
  );
});
