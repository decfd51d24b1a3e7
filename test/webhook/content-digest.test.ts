// The stored-findings cache's key: equal for equal content, different for anything a rule could tell apart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { contentDigest } from "../../webhook/admission/content-digest.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

test("the digest is SHA-256 of the JSON text, as JSON.stringify writes it for plain JSON", () => {
  for (const value of [
    { apiVersion: "karpenter.sh/v1", kind: "NodePool", spec: { limits: { cpu: "100" }, weight: 10 } },
    [1, "two", null, true, { "a/b": '\u2028\n"' }, 1e21, 0.1],
    "text",
    -3.5,
  ]) {
    assert.equal(contentDigest(value), sha256(JSON.stringify(value)));
  }
});

test("content that parses apart digests apart, and what JSON text cannot tell apart is not digested", () => {
  const apart = [
    [JSON.parse('{"a":1,"b":2}'), JSON.parse('{"b":2,"a":1}')],
    [JSON.parse('{"__proto__":{"x":1}}'), { x: 1 }],
    [{ a: "1" }, { a: 1 }],
  ];
  for (const [one, other] of apart) assert.notEqual(contentDigest(one), contentDigest(other), JSON.stringify(one));
  assert.equal(contentDigest(JSON.parse('{"a":[1,{"b":"c"}]}')), contentDigest({ a: [1, { b: "c" }] }));
  // JSON.stringify writes each of these as something else ("0", "null", a string, nothing): no digest, no cache.
  // eslint-disable-next-line no-sparse-arrays -- a hole is the point
  const holey = [1, , 3];
  for (const value of [
    JSON.parse('{"spec":{"weight":-0}}'),
    { a: undefined },
    { a: Number.NaN },
    { a: Number.POSITIVE_INFINITY },
    { at: new Date(0) },
    holey,
    { a: 1n },
  ]) {
    assert.equal(contentDigest(value), undefined);
  }
});
