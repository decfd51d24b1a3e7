// evaluateStepwise pauses after each object it prepares and after each it judges, and returns what evaluate
// returns; runToEnd runs such work without pausing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadManifests } from "../../api/index.ts";
import { compilePolicy } from "../../policies/compiled-policy.ts";
import { evaluate, evaluateStepwise } from "../../policies/engine.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { runToEnd } from "../../policies/stepwise.ts";
import { upstreamExamples } from "../support/fixtures.ts";

test("one pause per object prepared and per object judged; the findings are evaluate's", () => {
  const objects = upstreamExamples()
    .slice(0, 4)
    .flatMap((example) => loadManifests(example.text, example.name).manifests.map((manifest) => ({ manifest })));
  assert.ok(objects.length >= 4);
  const policy = compilePolicy([], { rules: builtinRules, preset: "strict" });
  const context = { now: new Date("2026-11-25T12:00:00Z") };
  const steps = evaluateStepwise(objects, policy, context);
  let pauses = 0;
  let next = steps.next();
  for (; next.done !== true; next = steps.next()) pauses++;
  assert.equal(pauses, 2 * objects.length);
  assert.deepEqual(next.value, evaluate(objects, policy, context));
  assert.ok(next.value.length > 0, "the strict preset finds something in the upstream examples");
  assert.deepEqual(runToEnd(evaluateStepwise(objects, policy, context)), next.value);
});
