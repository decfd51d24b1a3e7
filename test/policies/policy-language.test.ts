import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compilePolicy } from "../../policies/compiled-policy.ts";
import { evaluate } from "../../policies/engine.ts";
import { loadPolicies } from "../../policies/load-policies.ts";
import type { Finding } from "../../policies/finding.ts";
import type { PresetName } from "../../policies/policy-document.ts";
import { defineRule } from "../../policies/rule.ts";
import { builtinRules } from "../../policies/rules/index.ts";

const now = new Date("2026-11-25T12:00:00Z");

// A test rule with a parameter, so policy settings can be observed without depending on a real family.
const weightRule = defineRule({
  id: "test.weight",
  family: "test",
  title: "weight at most a maximum",
  docs: "test only",
  kinds: ["NodePool"],
  view: "typed",
  enforcement: { baseline: "warn", strict: "deny" },
  params: { schema: { properties: { max: { type: "integer", minimum: 0 } } }, defaults: { max: 50 } },
  check(target, { params }) {
    const weight = target.nodePool.spec.weight ?? 0;
    return weight > params.max
      ? [{ path: ["spec", "weight"], message: `weight ${weight} is above ${params.max}` }]
      : [];
  },
});
const rules = [...builtinRules, weightRule];

function pool(name: string, weight: number, labels: Record<string, string> = {}) {
  return {
    object: {
      apiVersion: "karpenter.sh/v1",
      kind: "NodePool",
      metadata: { name, labels },
      spec: {
        weight,
        template: {
          spec: {
            nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
            requirements: [],
          },
        },
      },
    },
  };
}

function policy(yaml: string, preset?: PresetName) {
  const loaded = loadPolicies(yaml, "policy.yaml", rules);
  assert.deepEqual(loaded.errors, []);
  return compilePolicy(loaded.policies, { rules, ...(preset ? { preset } : {}) });
}

function judge(yaml: string, objects: ReturnType<typeof pool>[], preset?: PresetName, at = now): Finding[] {
  return evaluate(objects, policy(yaml, preset), { now: at }).filter(
    (f) => f.rule.startsWith("test.") || f.rule.startsWith("custom.") || f.rule.startsWith("policy."),
  );
}

const header = "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolPolicy\nmetadata:\n  name: p\nspec:\n";

describe("presets and rule settings", () => {
  test("the preset sets each rule's enforcement; a policy's preset overrides the command line's", () => {
    assert.equal(judge(header + "  preset: baseline\n", [pool("a", 60)])[0]?.severity, "warn");
    assert.equal(judge(header + "  preset: strict\n", [pool("a", 60)])[0]?.severity, "deny");
    assert.equal(judge(header.replace("spec:\n", "spec: {}\n"), [pool("a", 60)], "strict")[0]?.severity, "deny");
  });

  test("enforcement and params per rule", () => {
    const yaml = header + "  rules:\n    test.weight:\n      enforcement: audit\n      params: {max: 70}\n";
    assert.deepEqual(judge(yaml, [pool("a", 60)]), []);
    const findings = judge(yaml, [pool("a", 80)]);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.severity, "audit");
    assert.equal(findings[0]?.message, "weight 80 is above 70");
    assert.deepEqual(judge(header + '  rules:\n    test.weight: {enforcement: "off"}\n', [pool("a", 99)]), []);
  });

  test("match limits a policy to the objects it selects; others keep the base preset", () => {
    const yaml =
      header + '  match: {names: ["prod-*"], labels: {env: prod}}\n  rules:\n    test.weight: {enforcement: deny}\n';
    const findings = judge(yaml, [
      pool("prod-a", 60, { env: "prod" }),
      pool("prod-b", 60),
      pool("dev", 60, { env: "prod" }),
    ]);
    assert.deepEqual(
      findings.map((f) => `${f.object.name} ${f.severity}`),
      ["dev warn", "prod-a deny", "prod-b warn"],
    );
  });
});

describe("exemptions", () => {
  const exemption = (expires: string) =>
    header +
    `  exemptions:\n    - rule: test.*\n      objects: {names: [legacy]}\n      reason: migrating in Q1\n      expires: "${expires}"\n`;

  test("an exemption in force turns the finding into an audit record with its reason", () => {
    const [finding, ...rest] = judge(exemption("2026-12-31"), [pool("legacy", 60)]);
    assert.equal(rest.length, 0);
    assert.equal(finding?.severity, "audit");
    assert.equal(finding?.exemptedBy, "p: migrating in Q1");
  });

  test("the exemption holds through its last day, then stops applying and says so", () => {
    assert.equal(judge(exemption("2026-11-25"), [pool("legacy", 60)])[0]?.severity, "audit");
    const findings = judge(exemption("2026-11-24"), [pool("legacy", 60)]);
    assert.deepEqual(findings.map((f) => `${f.rule} ${f.severity}`).sort(), [
      "policy.exemption-expired warn",
      "test.weight warn",
    ]);
    assert.match(findings.find((f) => f.rule === "policy.exemption-expired")?.message ?? "", /expired on 2026-11-24/);
  });

  test("other objects are not exempted", () => {
    assert.equal(judge(exemption("2026-12-31"), [pool("other", 60)])[0]?.severity, "warn");
  });
});

describe("custom CEL rules", () => {
  const custom =
    header +
    "  params: {maxWeight: 40}\n" +
    "  customRules:\n" +
    "    - id: team-label\n      kinds: [NodePool]\n" +
    "      expression: \"has(object.metadata.labels) && 'team' in object.metadata.labels\"\n" +
    "      message: every pool must carry a team label\n      path: /metadata/labels\n" +
    '    - id: weight-param\n      expression: "!has(object.spec.weight) || object.spec.weight <= params.maxWeight"\n' +
    "      message: weight above the policy's maximum\n      enforcement: warn\n" +
    '    - id: weight-unchanged\n      expression: "oldObject == null || object.spec.weight == oldObject.spec.weight"\n' +
    "      message: weight changed\n      enforcement: audit\n";

  test("run with object, oldObject and params bound, at their enforcement", () => {
    const findings = judge(custom, [pool("a", 60, { team: "x" }), pool("b", 10)]);
    assert.deepEqual(
      findings.map((f) => `${f.object.name} ${f.rule} ${f.severity} ${f.pointer}`),
      ["a custom.weight-param warn ", "a test.weight warn /spec/weight", "b custom.team-label deny /metadata/labels"],
    );
  });

  test("oldObject is the previous version when known", () => {
    const changed = { ...pool("a", 10, { team: "x" }), previous: pool("a", 20, { team: "x" }).object };
    assert.deepEqual(
      judge(custom, [changed]).map((f) => f.rule),
      ["custom.weight-unchanged"],
    );
  });

  test("a rule that fails at run time is a warning naming the error, never a crash", () => {
    const yaml =
      header + '  customRules:\n    - id: broken\n      expression: "object.spec.nope.deeper == 1"\n      message: m\n';
    const [finding] = judge(yaml, [pool("a", 1)]);
    assert.equal(finding?.rule, "custom.broken");
    assert.equal(finding?.severity, "warn");
    assert.match(finding?.message ?? "", /^custom rule could not be evaluated: /);
  });
});

describe("policy errors are reported with file:line:col, never a crash", () => {
  const errors = (yaml: string) =>
    loadPolicies(yaml, "policy.yaml", rules).errors.map((e) => `${e.source.line}:${e.source.col} ${e.message}`);

  test("unknown rule ids, with the rule probably meant", () => {
    assert.deepEqual(errors(header + "  rules:\n    test.wieght: {enforcement: deny}\n"), [
      '7:5 unknown rule "test.wieght" (did you mean "test.weight"?)',
    ]);
  });

  test("parameters are validated against the rule's own schema", () => {
    assert.deepEqual(errors(header + "  rules:\n    test.weight:\n      params: {max: -1, extra: 1}\n"), [
      // In file order, as every policy error is listed.
      "8:16 max must be >= 0",
      '8:25 unknown field "extra"',
    ]);
  });

  test("a custom rule that does not compile", () => {
    const [error] = errors(
      header + '  customRules:\n    - id: bad\n      expression: "object.spec.("\n      message: m\n',
    );
    assert.match(error ?? "", /^8:7 custom rule "bad" does not compile: /);
  });

  test("document shape: enforcement values, required fields, wrong kind", () => {
    assert.deepEqual(errors(header + "  rules:\n    test.weight: {enforcement: block}\n"), [
      '7:19 spec.rules["test.weight"].enforcement must be one of "deny", "warn", "audit", "off"',
    ]);
    assert.deepEqual(errors(header + "  exemptions:\n    - rule: test.weight\n"), [
      "7:7 spec.exemptions[0].reason is required",
    ]);
    assert.deepEqual(errors("apiVersion: v1\nkind: ConfigMap\n"), [
      "1:1 expected a PoolPolicy (poolkeeper.dev/v1alpha1), found ConfigMap (v1)",
    ]);
  });

  test("exemptions: an unknown rule and a date that does not exist", () => {
    assert.deepEqual(
      errors(
        header +
          '  exemptions:\n    - rule: nope.*\n      reason: r\n    - rule: test.weight\n      reason: r\n      expires: "2026-13-45"\n',
      ),
      ['7:7 exemption names no known rule: "nope.*"', '11:7 "2026-13-45" is not a date (YYYY-MM-DD)'],
    );
  });
});
