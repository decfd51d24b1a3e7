// jsonShapeProblem against an oracle that parses the text with JSON.parse and measures the parsed value (depth of
// nested objects and arrays, number of values, keys not counted): random JSON texts with strings full of the bytes
// the scanner must not take for structure (quotes behind backslashes, brackets, commas, colons, multi-byte
// characters), numbers in every notation and varied whitespace, judged under random limits.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { jsonShapeProblem, type JsonShapeLimits } from "../../runtime/json-shape.ts";
import { seededRandom } from "../support/json-mutation.ts";

const SEED = 20261125;

/** The oracle: depth and values of the parsed text. */
function measure(value: unknown, depth = 0): { depth: number; values: number } {
  if (typeof value !== "object" || value === null) return { depth, values: 1 };
  const children = Array.isArray(value) ? value : Object.values(value);
  let deepest = depth + 1;
  let values = 1;
  for (const child of children) {
    const inner = measure(child, depth + 1);
    deepest = Math.max(deepest, inner.depth);
    values += inner.values;
  }
  return { depth: deepest, values };
}

function generator(random: () => number) {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const space = () => pick(["", "", " ", "\n", "\t ", "\r\n  "]);
  const pieces = ['\\"', "\\\\", "[", "]", "{", "}", ",", ":", "é", "日本", "😀", "\\u0022", "\\n", "a", " ", "\\/"];
  const string = () => `"${Array.from({ length: int(6) }, () => pick(pieces)).join("")}"`;
  const scalar = () => pick([string(), "0", "-1.5e+10", "3.25E-2", "12345678901234567890", "true", "false", "null"]);
  const value = (depth: number): string => {
    const r = random();
    if (depth > 6 || r < 0.4) return scalar();
    const items = Array.from({ length: int(5) }, () => value(depth + 1));
    if (r < 0.7) return `[${space()}${items.join(`${space()},${space()}`)}${space()}]`;
    // Keys made unique: JSON.parse keeps only the last of duplicates, the text has them all.
    const members = items.map((item, i) => `${string().slice(0, -1)}#${i}"${space()}:${space()}${item}`);
    return `{${space()}${members.join(`,${space()}`)}${space()}}`;
  };
  return () => `${space()}${value(0)}${space()}`;
}

describe("jsonShapeProblem", () => {
  test("agrees with the parsed value on 3,000 random texts under random limits", () => {
    const random = seededRandom(SEED);
    const next = generator(random);
    const disagreements: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const text = next();
      const shape = measure(JSON.parse(text));
      const limits: JsonShapeLimits = {
        maxDepth: Math.max(1, shape.depth - 1 + Math.floor(random() * 3)),
        maxValues: Math.max(1, shape.values - 2 + Math.floor(random() * 5)),
      };
      const problem = jsonShapeProblem(Buffer.from(text, "utf8"), limits);
      const deep = shape.depth > limits.maxDepth;
      const many = shape.values > limits.maxValues;
      const expected = deep || many;
      const consistent =
        problem === undefined ? !expected : problem.limit === "depth" ? deep : problem.limit === "values" && many;
      if (!consistent) {
        disagreements.push(`${text} ${JSON.stringify({ shape, limits, problem })}`);
      }
    }
    assert.deepEqual(disagreements.slice(0, 5), [], `seed ${SEED}: ${disagreements.length} disagreements`);
  });

  test("counts values, not keys; the outermost container is level 1; a bare scalar is one value at depth 0", () => {
    const text = Buffer.from('{"a": 1, "b": [2, "x,]}", {"c": null}], "d": {}}');
    // Values: the object, 1, the array, 2, "x,]}", the inner object, null, the empty object: 8. Depth: 3.
    assert.deepEqual(measure(JSON.parse(text.toString())), { depth: 3, values: 8 });
    assert.equal(jsonShapeProblem(text, { maxDepth: 3, maxValues: 8 }), undefined);
    assert.equal(jsonShapeProblem(text, { maxDepth: 2, maxValues: 8 })?.limit, "depth");
    assert.equal(jsonShapeProblem(text, { maxDepth: 3, maxValues: 7 })?.limit, "values");
    assert.equal(jsonShapeProblem(Buffer.from('"[[[["'), { maxDepth: 1, maxValues: 1 }), undefined);
  });

  test("stops at the first limit passed: the offset of the opening bracket or value past it", () => {
    const deep = Buffer.from(`${"[".repeat(200_000)}${"]".repeat(200_000)}`);
    assert.deepEqual(jsonShapeProblem(deep, { maxDepth: 100, maxValues: 1_000_000 }), { limit: "depth", offset: 100 });
    const many = Buffer.from(`[${Array(1_000).fill("0").join(",")}]`);
    // The array is value 1, the zeros 2…; the 11th value is the 10th zero, at offset 1 + 9 × 2.
    assert.deepEqual(jsonShapeProblem(many, { maxDepth: 10, maxValues: 10 }), { limit: "values", offset: 19 });
  });
});
