import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadPolicies } from "../../../policies/load-policies.ts";
import { builtinRules } from "../../../policies/rules/index.ts";
import { judge, nodeClass, nodePool, summary } from "./judge.ts";

const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
const taint = (key: string) => ({ key, effect: "NoSchedule" });

describe("schema.object-bounds", () => {
  test("an object within the bounds: nothing to say", () => {
    const pool = nodePool("ok", {
      template: {
        spec: {
          requirements: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.large"] }],
          taints: names("example.com/t", 1000).map(taint),
        },
      },
      limits: { cpu: 100 },
    });
    const tags = Object.fromEntries(names("tag", 50).map((k) => [k, "v"]));
    assert.deepEqual(judge([pool, nodeClass("default", { tags })], { rules: ["schema.object-bounds"] }), []);
  });

  test("past a default bound: denied at the list, naming it and the bound, and no other family judges it", () => {
    const pool = nodePool("many", {
      template: {
        spec: {
          requirements: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }],
          taints: [{ key: "CriticalAddonsOnly", effect: "NoSchedule" }],
          startupTaints: names("example.com/s", 1001).map(taint),
        },
      },
    });
    const findings = judge([pool]);
    assert.deepEqual(summary(findings), ["schema.object-bounds deny /spec/template/spec/startupTaints"]);
    assert.equal(
      findings[0]?.message,
      "spec.template.spec.startupTaints has 1,001 taints, but a taint list may have at most 1,000 (schema.object-bounds taints), so poolkeeper judges this NodePool no further: no rule outside the schema family runs on it until the list is shorter.",
    );
    // Within the bounds, the same pool's system taint is denied.
    const fewer = nodePool("many", {
      template: { spec: { taints: [{ key: "CriticalAddonsOnly", effect: "NoSchedule" }] } },
    });
    assert.ok(judge([fewer]).some((f) => f.rule === "taints.system-isolation"));
  });

  test("an EC2NodeClass with more tags than EC2 accepts", () => {
    const tags = Object.fromEntries(names("tag", 51).map((k) => [k, "v"]));
    const findings = judge([nodeClass("tagged", { tags })]);
    assert.deepEqual(summary(findings), ["schema.object-bounds deny /spec/tags"]);
    assert.match(findings[0]?.message ?? "", /^spec\.tags has 51 tags, but spec\.tags may have at most 50 /);
  });

  test("a list past the CRD's own maxItems is schema.structural's finding, not reported twice", () => {
    const terms = names("subnet-", 31).map((id) => ({ id: id.replace("-", "-0") }));
    const findings = judge([nodeClass("wide", { subnetSelectorTerms: terms })]);
    assert.deepEqual(
      findings.filter((f) => f.pointer === "/spec/subnetSelectorTerms").map((f) => f.rule),
      ["schema.structural"],
    );
    assert.deepEqual(
      findings.filter((f) => !f.rule.startsWith("schema.")),
      [],
      "past the bound, no other family judges it",
    );
  });

  test("a policy may lower the bounds: a denial, and the other rules still judge the object", () => {
    const pool = nodePool("typo", {
      template: {
        spec: {
          requirements: [
            { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.large", "m5.lrage", "c5.large"] },
          ],
        },
      },
      limits: { cpu: 100 },
    });
    const findings = judge([pool], { settings: { "schema.object-bounds": { params: { requirementValues: 2 } } } });
    const bounds = findings.filter((f) => f.rule === "schema.object-bounds");
    assert.deepEqual(summary(bounds), ["schema.object-bounds deny /spec/template/spec/requirements/0/values"]);
    assert.match(
      bounds[0]?.message ?? "",
      /has 3 values, but a requirement may have at most 2 .*which this policy allows no more of\.$/,
    );
    assert.ok(findings.some((f) => f.rule === "instance-types.unknown-value"));
  });

  test("a policy cannot raise a bound above the default", () => {
    const policy = [
      "apiVersion: poolkeeper.dev/v1alpha1",
      "kind: PoolPolicy",
      "metadata: {name: more}",
      "spec:",
      "  rules:",
      "    schema.object-bounds:",
      "      params: {requirementValues: 5000}",
    ].join("\n");
    const { errors } = loadPolicies(policy, "more.yaml", builtinRules);
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? "", /2000/);
    assert.deepEqual([errors[0]?.source.line, errors[0]?.source.col], [7, 16]);
    assert.match(errors[0]?.message ?? "", /requirementValues/);
  });
});
