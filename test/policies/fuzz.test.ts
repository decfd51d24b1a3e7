// The engine and every rule take whatever they are given: 10,000 mutations of the upstream manifests (fields
// removed, replaced by values of other types, strings garbled, lists emptied or doubled) each go through
// validation, conversion and every rule of the strict preset, and no rule fails on any of them. A seeded generator
// makes a failure reproducible; the second test proves the check finds a rule that fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isRecord } from "../../api/index.ts";
import { defineRule } from "../../policies/rule.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { formatProblems, fuzzPolicyEngine } from "../support/policy-fuzz.ts";

const SEED = 20261125;

test("10,000 mutated manifests: no rule fails, the engine never throws and returns findings it can report", () => {
  const { problems, findings } = fuzzPolicyEngine({ seed: SEED, inputs: 10_000, rules: builtinRules });
  assert.deepEqual(formatProblems(problems), []);
  assert.ok(findings > 10_000, "the mutations should produce findings");
});

test("the check catches a rule that fails on some inputs, naming the seed, the input and the error", () => {
  // The mistake references.ambiguous-weight once made: trusting a requirement's `values` to be a list.
  const broken = defineRule({
    id: "test.trusts-values",
    family: "test",
    title: "spreads every requirement's values",
    docs: "test only: reads the raw object as if it were valid",
    kinds: ["NodePool"],
    view: "raw",
    enforcement: { baseline: "warn", strict: "warn" },
    check(target) {
      const spec = isRecord(target.object.spec) ? target.object.spec : {};
      const template = isRecord(spec.template) ? spec.template : {};
      const templateSpec = isRecord(template.spec) ? template.spec : {};
      const requirements = Array.isArray(templateSpec.requirements) ? templateSpec.requirements : [];
      for (const r of requirements as { values?: string[] }[]) void [...(r.values ?? [])];
      return [];
    },
  });
  const run = () => fuzzPolicyEngine({ seed: SEED, inputs: 2_000, rules: [...builtinRules, broken] });
  const { problems } = run();
  assert.ok(problems.length > 0, "the broken rule fails on some mutated requirement");
  for (const p of problems) {
    assert.equal(p.seed, SEED);
    assert.equal(p.rule, "test.trusts-values");
    assert.match(p.message, /^rule test\.trusts-values could not judge this object \(.+\)/);
  }
  assert.match(
    formatProblems(problems)[0] ?? "",
    /^seed 20261125, input \d+, rule test\.trusts-values: rule test\.trusts-values could not judge/,
  );
  // The same seed gives the same inputs: a problem is reproduced by its index.
  assert.deepEqual(
    run().problems.map((p) => p.index),
    problems.map((p) => p.index),
  );
});
