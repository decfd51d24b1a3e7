// One NodePool requirement with 50,000 values no instance type has took one admission review 103 s: each unknown
// value was compared (Levenshtein) with every instance-type name of the catalog for a "did you mean". The work a
// rule does for an object must grow linearly with it, with a small constant, so these tests count the work (edit
// distances computed, catalog scans), never the time.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { editDistances } from "../../api/validation/closest-name.ts";
import { createCatalog, defaultCatalog, type InstanceTypeCatalog } from "../../cloudprovider/catalog/catalog.ts";
import { compilePolicy } from "../../policies/compiled-policy.ts";
import { evaluate } from "../../policies/engine.ts";
import { prepareTarget } from "../../policies/prepare-target.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { unknownValue } from "../../policies/rules/instance-types.ts";
import type { PolicyTarget } from "../../policies/target.ts";
import { countingCatalog } from "../support/counting-catalog.ts";
import { nodePool, now } from "../policies/rules/judge.ts";

const INSTANCE_TYPE = "node.kubernetes.io/instance-type";

/** `count` values no catalog type has; the first two are typos of real types. */
function unknownTypes(count: number): string[] {
  return ["m5.lrage", "c5.xlarg", ...Array.from({ length: count - 2 }, (_, i) => `zz${i}.large`)];
}

function poolWith(values: readonly string[]): PolicyTarget {
  const object = nodePool("huge", {
    template: { spec: { requirements: [{ key: INSTANCE_TYPE, operator: "NotIn", values }] } },
  });
  const target = prepareTarget({ object });
  assert.ok(target);
  return target;
}

const emptyScope = { nodePools: [], nodeClasses: [], covers: () => false };

/** The unknown-value findings for a pool, and the edit distances computed for them. */
function judgeUnknown(values: readonly string[], catalog: InstanceTypeCatalog) {
  const target = poolWith(values);
  const before = editDistances;
  const findings = unknownValue.check(target, { params: {}, catalog, scope: emptyScope, now });
  return { findings, distances: editDistances - before };
}

describe("instance-types.unknown-value on a 50,000-value requirement", () => {
  test("every unknown value is reported; suggestions cost the same as for a short list", () => {
    const catalog = defaultCatalog();
    const short = judgeUnknown(unknownTypes(20), catalog);
    const huge = judgeUnknown(unknownTypes(50_000), catalog);
    assert.equal(huge.findings.length, 50_000);
    assert.equal(huge.findings[0]?.hint, 'did you mean "m5.large"?');
    assert.equal(huge.findings[1]?.hint, 'did you mean "c5.xlarge"?');
    assert.ok(short.distances > 0, "the typos get suggestions");
    assert.ok(short.distances <= 20 * catalog.types.length);
    assert.equal(huge.distances, short.distances, "a longer list of unknown values costs no more suggestions");
  });

  test("the catalog is scanned once per key, not once per value", () => {
    // A fresh catalog, so nothing is cached from other tests; every labelsOf call is one type read in a scan.
    const real = createCatalog(defaultCatalog().types);
    const { catalog: counting, counts } = countingCatalog(real);
    judgeUnknown(unknownTypes(50_000), counting);
    assert.ok(counts.labelsOf <= real.types.length, `${counts.labelsOf} label reads for ${real.types.length} types`);
  });

  test("evaluating the object: an early denial that names the field and the bound, and no suggestions at all", () => {
    const object = nodePool("huge", {
      template: { spec: { requirements: [{ key: INSTANCE_TYPE, operator: "In", values: unknownTypes(50_000) }] } },
    });
    const before = editDistances;
    const findings = evaluate([{ object }], compilePolicy([], { rules: builtinRules }), { now });
    assert.equal(editDistances - before, 0);
    const bounds = findings.filter((f) => f.rule === "schema.object-bounds");
    assert.equal(bounds.length, 1);
    assert.equal(bounds[0]?.severity, "deny");
    assert.equal(bounds[0]?.pointer, "/spec/template/spec/requirements/0/values");
    assert.match(bounds[0]?.message ?? "", /spec\.template\.spec\.requirements\[0\]\.values has 50,000 values/);
    assert.match(bounds[0]?.message ?? "", /at most 2,000/);
    // Only the schema family judges an object past the bounds.
    assert.deepEqual(
      findings.filter((f) => !f.rule.startsWith("schema.")),
      [],
    );
  });
});
