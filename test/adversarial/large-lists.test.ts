// Rules whose work grew faster than the object: a validation error searched once per list entry, a catalog query
// per requirement, a sort that serialized both sides of every comparison, a cache that kept whatever it was given.
// Each test builds the attack's shape at a size that runs in moments and counts the work (array elements walked,
// catalog queries, serializations), never the time.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { editDistances } from "../../api/validation/closest-name.ts";
import { defaultCatalog, type InstanceTypeCatalog } from "../../cloudprovider/catalog/catalog.ts";
import { memoizedCatalog } from "../../policies/memoized-catalog.ts";
import { prepareTarget } from "../../policies/prepare-target.ts";
import type { AnyRule } from "../../policies/rule.ts";
import { budgetRules } from "../../policies/rules/budgets.ts";
import { noneMatch } from "../../policies/rules/instance-types.ts";
import { limitsRules } from "../../policies/rules/limits.ts";
import { ambiguousWeight, nodeClass as nodeClassRule } from "../../policies/rules/references.ts";
import { typedTarget, type PolicyTarget, type PreparedTarget, type Scope } from "../../policies/target.ts";
import { countArrayScans } from "../support/array-scans.ts";
import { countingCatalog } from "../support/counting-catalog.ts";
import { nodeClass, nodePool, now } from "../policies/rules/judge.ts";

type Json = Record<string, unknown>;

function target(object: Json, previous?: Json): PolicyTarget {
  const prepared = prepareTarget({ object, previous });
  assert.ok(prepared);
  return prepared;
}

function scopeOf(...targets: PolicyTarget[]): Scope {
  return { nodePools: targets, nodeClasses: [], covers: () => true };
}

function check(rule: AnyRule, target: PolicyTarget, catalog: InstanceTypeCatalog = defaultCatalog()) {
  // As the engine runs it: a rule that reads the typed view gets it (and these objects are valid, so they have it).
  const judged = rule.view === "typed" ? typedTarget(target as PreparedTarget) : target;
  assert.ok(judged, `${rule.id} reads the typed view, which only a valid object has`);
  return rule.check(judged as never, { params: rule.params?.defaults ?? {}, catalog, scope: scopeOf(judged), now });
}

const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe("validation errors per list entry", () => {
  const N = 5_000;

  test("limits.* find a limit's schema error without searching all errors per limit", () => {
    const limits = Object.fromEntries(names("example.com/r", N).map((name) => [name, "not-a-quantity"]));
    const judged = target(nodePool("p", { limits: { cpu: "100", ...limits } }));
    assert.ok(judged.validation.length >= N);
    for (const rule of limitsRules) {
      const { scanned } = countArrayScans(() => check(rule, judged));
      assert.ok(scanned <= 50 * N, `${rule.id}: ${scanned} array elements walked for ${N} limits`);
    }
  });

  test("budgets.* find a budget's schema error without searching all errors per budget", () => {
    const budgets = Array.from({ length: N }, () => ({ nodes: "not-a-number" }));
    const judged = target(nodePool("p", { disruption: { consolidateAfter: "1m", budgets } }));
    assert.ok(judged.validation.length >= N);
    for (const rule of budgetRules) {
      const { scanned } = countArrayScans(() => check(rule, judged));
      assert.ok(scanned <= 50 * N, `${rule.id}: ${scanned} array elements walked for ${N} budgets`);
    }
  });
});

test("instance-types.none-match finds the requirement that empties the pool with a few catalog queries", () => {
  // 99 requirements that narrow nothing, then one that leaves nothing.
  const requirements = [
    ...Array.from({ length: 99 }, () => ({ key: "karpenter.k8s.aws/instance-cpu", operator: "Gt", values: ["0"] })),
    { key: "karpenter.k8s.aws/instance-cpu", operator: "Lt", values: ["1"] },
  ];
  const judged = target(nodePool("p", { template: { spec: { requirements } } }));
  const { catalog: counting, counts } = countingCatalog(defaultCatalog());
  const findings = check(noneMatch, judged, counting);
  assert.equal(findings.length, 1);
  assert.deepEqual(findings[0]?.path, ["spec", "template", "spec", "requirements", 99]);
  assert.match(findings[0]?.message ?? "", /the requirements before it allow 1,?\d{3} instance types/);
  // The pool's own types, a binary search over 100 prefixes (7 steps), and the types before the culprit.
  assert.ok(counts.matching <= 1 + 7 + 1, `${counts.matching} catalog queries for 100 requirements`);
});

test("references.ambiguous-weight serializes each requirement of a pool once, not once per comparison", () => {
  // The CRD's maxItems: a pool with more requirements is invalid and has no typed view, which this rule reads.
  const R = 100;
  const requirements = names("example.com/k", R).map((key) => ({ key, operator: "In", values: ["a", "b"] }));
  const pool = target(nodePool("p", { template: { spec: { requirements } } }));
  const original = JSON.stringify;
  let serializations = 0;
  JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
    serializations++;
    return original(...args);
  }) as typeof JSON.stringify;
  try {
    check(ambiguousWeight, pool);
  } finally {
    JSON.stringify = original;
  }
  assert.ok(serializations <= 2 * R + 10, `${serializations} serializations for ${R} requirements`);
});

test("the shared catalog answers keep no huge requirement set: a thousand of them would hold gigabytes", () => {
  const { catalog: counting, counts } = countingCatalog(defaultCatalog());
  const memoized = memoizedCatalog(counting);
  const small = [{ key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["m5", "c5"] }];
  const huge = [{ key: "karpenter.k8s.aws/instance-family", operator: "NotIn", values: names("zz", 10_000) }];
  for (const requirements of [small, small, huge, huge]) memoized.matching(requirements);
  assert.equal(counts.matching, 1 + 2, "the small set is answered once, the huge one each time");
});

test("references.node-class looks up 1,000 pools' classes among 1,000 classes without a search per pool", () => {
  const classes = names("class-", 1000).map((name) => target(nodeClass(name)));
  // Every pool names a class that does not exist, one letter off an existing one.
  const pools = names("pool-", 1000).map((name, i) =>
    target(
      nodePool(name, {
        template: { spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: `clas-${i}` } } },
      }),
    ),
  );
  const scope: Scope = { nodePools: pools, nodeClasses: classes, covers: () => true };
  const before = editDistances;
  const { result, scanned } = countArrayScans(() =>
    pools.map((pool) => nodeClassRule.check(pool, { params: {}, catalog: defaultCatalog(), scope, now })),
  );
  assert.equal(result[7]?.[0]?.hint, 'did you mean "class-7"?');
  assert.ok(scanned <= 50 * 1000, `${scanned} array elements walked for 1,000 pools`);
  assert.ok(editDistances - before <= 50 * 1000, `${editDistances - before} edit distances for 1,000 pools`);
});
