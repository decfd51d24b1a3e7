// The CRDs' CEL rules come parsed from api/generated/crd-rule-asts.js (written at build time). Each parsed form must
// be exactly what CEL's parser returns for the rule at run time, and every rule of every served CRD must have one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "@bufbuild/cel";
import { crdRuleAsts } from "../../api/generated/crd-rule-asts.js";
import { allCelRules } from "../../api/validation/validate.ts";

test("every CRD rule has its parsed form, and no other expression has one", () => {
  const rules = new Set(allCelRules().flatMap(({ rules }) => rules.map((r) => r.rule)));
  assert.ok(rules.size > 50, `${rules.size} distinct rules`);
  assert.deepEqual([...crdRuleAsts.keys()].sort(), [...rules].sort());
});

test("each parsed form equals the parser's answer for its rule", () => {
  for (const [rule, build] of crdRuleAsts) assert.deepStrictEqual(build(), parse(rule), rule);
});

test("each call builds a fresh AST, so a caller that changed one cannot change the next", () => {
  const [first] = crdRuleAsts.values();
  assert.ok(first);
  assert.notEqual(first(), first());
  assert.notEqual(first().expr, first().expr);
});
