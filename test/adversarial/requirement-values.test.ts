// A requirement's values were looked up by a linear search once per value, or once per instance type: two long
// lists compared for conditional drift, a long exclusion list against every type's value for minValues. The work
// is counted (array elements walked), never timed, at a size that runs in moments.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultCatalog } from "../../cloudprovider/catalog/catalog.ts";
import { prepareTarget } from "../../policies/prepare-target.ts";
import type { AnyRule } from "../../policies/rule.ts";
import { conditionalDrift } from "../../policies/rules/change-impact.ts";
import { minValues } from "../../policies/rules/instance-types.ts";
import type { PolicyTarget } from "../../policies/target.ts";
import { countArrayScans } from "../support/array-scans.ts";
import { nodePool, now } from "../policies/rules/judge.ts";

type Json = Record<string, unknown>;

function target(object: Json, previous?: Json): PolicyTarget {
  const prepared = prepareTarget({ object, previous });
  assert.ok(prepared);
  return prepared;
}

function check(rule: AnyRule, judged: PolicyTarget) {
  const scope = { nodePools: [judged], nodeClasses: [], covers: () => true };
  // These rules read the raw view, which every prepared target is.
  return rule.check(judged as never, { params: rule.params?.defaults ?? {}, catalog: defaultCatalog(), scope, now });
}

const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe("requirement values", () => {
  const N = 20_000;

  test("change-impact.conditional-drift compares two long NotIn lists in linear work", () => {
    const requirement = (values: string[]) => ({
      template: { spec: { requirements: [{ key: "example.com/team", operator: "NotIn", values }] } },
    });
    const before = nodePool("p", requirement(names("t", N)));
    const after = nodePool("p", requirement([...names("t", N), "one-more"]));
    const judged = target(after, before);
    const { result, scanned } = countArrayScans(() => check(conditionalDrift, judged));
    assert.equal(result.length, 1);
    assert.match(result[0]?.message ?? "", /example\.com\/team no longer allows one-more/);
    assert.ok(scanned <= 50 * N, `${scanned} array elements walked for ${N} values`);
  });

  test("instance-types.min-values counts a key's values against a long exclusion list in linear work", () => {
    const judged = target(
      nodePool("p", {
        template: {
          spec: {
            requirements: [
              { key: "karpenter.k8s.aws/instance-family", operator: "NotIn", values: names("zz", N), minValues: 2 },
            ],
          },
        },
      }),
    );
    const { result, scanned } = countArrayScans(() => check(minValues, judged));
    assert.deepEqual(result, [], "every family but the made-up ones is allowed");
    assert.ok(scanned <= 50 * N, `${scanned} array elements walked for ${N} values`);
  });
});
