// The engine never throws, whatever it is given: 10,000 mutations of the upstream manifests (fields removed,
// replaced by values of other types, strings garbled, lists emptied or doubled) each go through validation,
// conversion and every rule of the strict preset. A seeded generator makes a failure reproducible.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { compilePolicy } from "../../policies/compiled-policy.ts";
import { evaluate } from "../../policies/engine.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { upstreamExamples } from "../support/fixtures.ts";
import { mutateJson, seededRandom, type MutationProfile } from "../support/json-mutation.ts";

const replacements: unknown[] = [
  null,
  0,
  -1,
  1.5,
  2 ** 53,
  "",
  "x",
  "Never",
  "-5",
  "1e400",
  "💥",
  true,
  [],
  {},
  [null],
  { "": 1 },
];

const profile: MutationProfile = {
  replacements,
  replace: 0.08,
  maxDepth: 8,
  emptyList: 0.1,
  doubleList: 0.1,
  dropKey: 0.05,
  misspellKey: 0.02,
  garbleString: 0.3,
};
const mutate = (value: unknown, next: () => number) => mutateJson(value, next, profile);

test("10,000 mutated manifests: the engine never throws and always returns findings it can report", () => {
  const documents = upstreamExamples().flatMap((e) => parseAllDocuments(e.text).map((d) => d.toJS() as unknown));
  const policy = compilePolicy([], { rules: builtinRules, preset: "strict" });
  const next = seededRandom(20261125);
  const now = new Date("2026-11-25T00:00:00Z");
  let findings = 0;
  for (let i = 0; i < 10_000; i++) {
    const original = documents[i % documents.length];
    const object = mutate(original, next);
    const previous = next() < 0.3 ? mutate(original, next) : undefined;
    const result = evaluate([{ object, previous }], policy, { now });
    for (const f of result) {
      assert.equal(typeof f.message, "string");
      assert.ok(["deny", "warn", "audit"].includes(f.severity));
      assert.ok(f.pointer === "" || f.pointer.startsWith("/"));
    }
    findings += result.length;
  }
  assert.ok(findings > 10_000, "the mutations should produce findings");
});
