// The nesting measured over the text must be what the loaded value nests — never less (a deep file would reach
// the recursive parser), and on valid YAML not more (a legitimate file would be refused). The oracle is the yaml
// package itself: random values written by its stringify in every collection, string and indentation style it
// offers, read back by its parser, their depth counted on the value; and every YAML file of the test fixtures.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse, parseAllDocuments, stringify, type ToStringOptions } from "yaml";
import { yamlNestingProblem } from "../../api/manifests/yaml-nesting.ts";

/** Levels of maps and lists, the outermost 1; a scalar is 0. */
function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}

/** The smallest limit the text stays within. */
function measured(text: string): number {
  let limit = 0;
  while (yamlNestingProblem(text, limit)) limit++;
  return limit;
}

// Strings that look like YAML structure, so the writer has to quote, fold or block them.
const STRINGS = ["a", "it's", "x: y", "- z", "#c", "a # b", "[b]", "{q}", "two\nlines\n", " lead", "", "true"];
const MORE = ["'q'", '"dq"', "k:", "?", "- ", "| x", "> y", "---", "...", "tab\there", "url: http://x/y"];
const WORDS = [...STRINGS, ...MORE];

function randomValue(next: () => number, depth: number): unknown {
  const roll = next();
  if (depth > 6 || roll < 0.3) {
    const kind = next();
    if (kind < 0.6) return WORDS[Math.floor(next() * WORDS.length)];
    return kind < 0.8 ? Math.floor(next() * 100) : null;
  }
  const size = Math.floor(next() * 4);
  if (roll < 0.65) return Array.from({ length: size }, () => randomValue(next, depth + 1));
  return Object.fromEntries(
    Array.from({ length: size }, (_, i) => [
      `${WORDS[Math.floor(next() * WORDS.length)]}${i}`,
      randomValue(next, depth + 1),
    ]),
  );
}

function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

describe("yamlNestingProblem", () => {
  test("counts what the yaml package's own output nests, in every style it writes", () => {
    const next = generator(18);
    const styles = ["any", "block", "flow"] as const;
    const strings = ["PLAIN", "QUOTE_DOUBLE", "QUOTE_SINGLE", "BLOCK_LITERAL", "BLOCK_FOLDED"] as const;
    let compared = 0;
    for (let i = 0; i < 3_000; i++) {
      const value = randomValue(next, 0);
      const options: ToStringOptions = {
        collectionStyle: styles[i % 3],
        defaultStringType: strings[i % 5],
        indent: 1 + (i % 4),
        indentSeq: i % 2 === 0,
        flowCollectionPadding: i % 2 === 0,
        lineWidth: i % 7 === 0 ? 10 : 80,
      };
      const text = stringify(value, options);
      let back: unknown;
      try {
        back = parse(text);
      } catch {
        continue; // what the writer wrote but cannot read back is no oracle
      }
      if (JSON.stringify(back) !== JSON.stringify(value)) continue;
      compared++;
      assert.equal(measured(text), depthOf(back), `${JSON.stringify(options)}\n${text}`);
    }
    assert.ok(compared > 2_500, `only ${compared} of 3,000 values read back`);
  });

  test("counts what every YAML fixture nests", () => {
    const files: string[] = [];
    const walk = (path: string): void => {
      if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
      else if (/\.ya?ml$/.test(path)) files.push(path);
    };
    walk(join(import.meta.dirname, "..", "fixtures"));
    walk(join(import.meta.dirname, "..", "..", "examples"));
    let compared = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const documents = parseAllDocuments(text);
      if (documents.some((d) => d.errors.length > 0)) continue;
      compared++;
      const depth = Math.max(0, ...documents.map((d) => depthOf(d.toJS({ maxAliasCount: -1 }))));
      assert.equal(measured(text), depth, file);
    }
    assert.ok(compared > 50, `only ${compared} fixtures compared`);
  });

  test("names where the first level past the limit opens", () => {
    assert.deepEqual(yamlNestingProblem("a:\n  b: [[1]]\n", 3), { offset: 9 });
    assert.deepEqual(yamlNestingProblem("- - - x\n", 2), { offset: 4 });
    assert.equal(yamlNestingProblem("a:\n  b: [[1]]\n", 4), undefined);
  });

  test("brackets in quoted scalars, comments and block scalars are text", () => {
    const text = [
      "a: '[[[['",
      'b: "{{{{ \\" [[["',
      "c: x # [[[[",
      "d: |",
      "  [[[[",
      "  - - - -",
      "e: >-",
      "    {{{{",
      "f: [it's, x]",
      "",
    ].join("\n");
    assert.equal(measured(text), depthOf(parse(text)));
  });
});
