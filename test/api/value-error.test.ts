// unlessInvalid turns a parser's ValueError (invalid input: someone else's finding) into undefined, and lets every
// other error through: a bug must not look like bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseQuantity } from "../../api/quantity.ts";
import { unlessInvalid } from "../../api/value-error.ts";

test("a value the parser accepts comes back; one it rejects gives undefined", () => {
  assert.equal(unlessInvalid(() => parseQuantity("1Gi"))?.toNumber(), 1024 ** 3);
  assert.equal(
    unlessInvalid(() => parseQuantity("1Gb")),
    undefined,
  );
});

test("any other error propagates", () => {
  const bug = () => (null as unknown as { x: number }).x;
  assert.throws(() => unlessInvalid(bug), TypeError);
  assert.throws(
    () =>
      unlessInvalid(() => {
        throw new RangeError("not a ValueError");
      }),
    RangeError,
  );
});
