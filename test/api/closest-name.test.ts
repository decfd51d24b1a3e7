// ClosestNameIndex must give exactly closestName's answers (the plain scan is the oracle), for typos of real names
// and for strings unlike any, while computing a fraction of the edit distances.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ClosestNameIndex, closestName, editDistances } from "../../api/validation/closest-name.ts";
import { defaultCatalog } from "../../cloudprovider/catalog/catalog.ts";
import { seededRandom } from "../support/json-mutation.ts";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789.-ABCXYZ";

function mutate(name: string, next: () => number): string {
  const chars = [...name];
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (chars.length + 1));
    const letter = ALPHABET[Math.floor(next() * ALPHABET.length)] ?? "x";
    const kind = Math.floor(next() * 4);
    if (kind === 0) chars.splice(at, 0, letter);
    else if (kind === 1) chars.splice(at, 1);
    else if (kind === 2) chars.splice(at, 1, letter);
    else if (at + 1 < chars.length) [chars[at], chars[at + 1]] = [chars[at + 1] ?? "", chars[at] ?? ""];
  }
  return chars.join("");
}

const catalog = defaultCatalog();
const lists = {
  "instance types": catalog.types.map((t) => t.name),
  families: [...new Set(catalog.types.map((t) => t.family))],
  sizes: [...new Set(catalog.types.map((t) => t.size))],
  // Equally close candidates: the first one listed wins, in both.
  ties: ["ab", "ba", "aa", "bb", "abc", "abd", "abe", "Abc"],
};

test("the same answers as closestName, for typos of real names and for unrelated strings", () => {
  const next = seededRandom(20261125);
  for (const [what, candidates] of Object.entries(lists)) {
    const index = new ClosestNameIndex(candidates);
    for (let i = 0; i < 600; i++) {
      const source = candidates[Math.floor(next() * candidates.length)] ?? "";
      const name =
        i % 10 === 0
          ? Array.from(
              { length: 1 + Math.floor(next() * 20) },
              () => ALPHABET[Math.floor(next() * ALPHABET.length)],
            ).join("")
          : mutate(source, next);
      assert.equal(index.closest(name), closestName(name, candidates), `${what}: ${JSON.stringify(name)}`);
    }
  }
});

test("an index lookup computes a fraction of the distances a scan does", () => {
  const names = lists["instance types"];
  const index = new ClosestNameIndex(names);
  const typos = ["m5.lrage", "c5.xlarg", "r6g.2xlarge.", "m7i-flx.large", "g5.xxlarge"];
  let before = editDistances;
  for (const typo of typos) closestName(typo, names);
  const scan = editDistances - before;
  before = editDistances;
  for (const typo of typos) index.closest(typo);
  const indexed = editDistances - before;
  assert.ok(indexed * 10 < scan, `${indexed} distances with the index, ${scan} by scanning`);
});
