import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { defaultCatalog } from "../../../cloudprovider/catalog/catalog.ts";
import { loadPolicies } from "../../../policies/load-policies.ts";
import { prepareTarget } from "../../../policies/prepare-target.ts";
import { builtinRules } from "../../../policies/rules/index.ts";
import { al2EndOfSupport } from "../../../policies/rules/ami.ts";
import { judge, nodeClass, summary, upstreamDenials } from "./judge.ts";

const rules = ["ami.*"];
const customAmi = { amiSelectorTerms: [{ id: "ami-0123456789abcdef0" }] };

describe("ami.family-allowed", () => {
  const rule = ["ami.family-allowed"];
  const settings = { "ami.family-allowed": { params: { allowedFamilies: ["AL2023", "Bottlerocket"] } } };

  test("every family is allowed by default", () => {
    const objects = [
      nodeClass("al2", { amiFamily: "AL2", ...customAmi }),
      nodeClass("custom", { amiFamily: "Custom", ...customAmi }),
      nodeClass("win", { amiSelectorTerms: [{ alias: "windows2025@latest" }] }),
    ];
    assert.deepEqual(judge(objects, { rules: rule, preset: "strict" }), []);
  });

  test("a family outside allowedFamilies is denied at amiFamily, or at the alias it is inferred from", () => {
    const findings = judge(
      [
        nodeClass("al2", { amiFamily: "AL2", ...customAmi }),
        nodeClass("win", { amiSelectorTerms: [{ alias: "windows2022@latest" }] }),
        nodeClass("ok", { amiSelectorTerms: [{ alias: "bottlerocket@v1.20.3" }] }),
      ],
      { rules: rule, settings },
    );
    assert.deepEqual(summary(findings), [
      "ami.family-allowed deny /spec/amiFamily",
      "ami.family-allowed deny /spec/amiSelectorTerms/0/alias",
    ]);
    assert.match(
      findings.map((f) => f.message).join("\n"),
      /AMI family Windows2022 is not one this policy allows \(AL2023, Bottlerocket\)/,
    );
  });

  test("an empty amiFamily is unset, so the alias's family is judged, at the alias (schema.* reports the empty value)", () => {
    const object = nodeClass("e", { amiFamily: "", amiSelectorTerms: [{ alias: "windows2022@latest" }] });
    const findings = judge([object], { rules: rule, settings });
    assert.deepEqual(summary(findings), ["ami.family-allowed deny /spec/amiSelectorTerms/0/alias"]);
    assert.match(findings[0]?.message ?? "", /AMI family Windows2022 is not one/);
    const allowed = nodeClass("a", { amiFamily: "", amiSelectorTerms: [{ alias: "al2023@latest" }] });
    assert.deepEqual(judge([allowed], { rules: rule, settings }), []);
  });

  test("with amiFamily Custom, the alias's image family is judged too", () => {
    const object = nodeClass("c", { amiFamily: "Custom", amiSelectorTerms: [{ alias: "al2@v20240807" }] });
    const allowCustom = { "ami.family-allowed": { params: { allowedFamilies: ["AL2023", "Custom"] } } };
    assert.deepEqual(summary(judge([object], { rules: rule, settings: allowCustom })), [
      "ami.family-allowed deny /spec/amiSelectorTerms/0/alias",
    ]);
    assert.equal(judge([object], { rules: rule, settings }).length, 2);
  });

  test("allowedFamilies takes the CRD's family names only", () => {
    const errors = (families: string) =>
      loadPolicies(
        `apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p}\nspec:\n  rules:\n    ami.family-allowed: {params: {allowedFamilies: ${families}}}\n`,
        "p.yaml",
        builtinRules,
      ).errors;
    assert.deepEqual(errors("[AL2023, Windows2025]"), []);
    assert.equal(errors("[Ubuntu]").length, 1);
    assert.equal(errors("[al2023]").length, 1);
  });
});

describe("ami.al2-end-of-support", () => {
  const rule = ["ami.al2-end-of-support"];

  test("an al2 alias warns in baseline and is denied in strict, at the alias", () => {
    const object = nodeClass("a", { amiSelectorTerms: [{ alias: "al2@v20240807" }] });
    assert.deepEqual(summary(judge([object], { rules: rule })), [
      "ami.al2-end-of-support warn /spec/amiSelectorTerms/0/alias",
    ]);
    assert.equal(judge([object], { rules: rule, preset: "strict" })[0]?.severity, "deny");
    const [finding] = judge([object], { rules: rule });
    assert.match(finding?.message ?? "", /stopped supporting its AL2 AMIs on 2025-11-26/);
    assert.match(finding?.hint ?? "", /al2023/);
    assert.match(finding?.hint ?? "", /bottlerocket/);
  });

  test("amiFamily AL2 with custom AMIs is reported at amiFamily; other families are not", () => {
    assert.deepEqual(summary(judge([nodeClass("a", { amiFamily: "AL2", ...customAmi })], { rules: rule })), [
      "ami.al2-end-of-support warn /spec/amiFamily",
    ]);
    const others = [
      nodeClass("b"),
      nodeClass("c", { amiSelectorTerms: [{ alias: "bottlerocket@latest" }] }),
      nodeClass("d", { amiFamily: "Custom", ...customAmi }),
    ];
    assert.deepEqual(judge(others, { rules: rule, preset: "strict" }), []);
  });

  test("before the end-of-support date the message says it is coming", () => {
    const target = prepareTarget({ object: nodeClass("a", { amiFamily: "AL2", ...customAmi }) });
    assert.ok(target);
    const scope = { nodePools: [], nodeClasses: [], covers: () => false };
    const context = { params: {}, catalog: defaultCatalog(), scope };
    const before = al2EndOfSupport.check(target, { ...context, now: new Date("2025-06-01T00:00:00Z") });
    assert.match(before[0]?.message ?? "", /stops supporting its AL2 AMIs on 2025-11-26/);
    const after = al2EndOfSupport.check(target, { ...context, now: new Date("2025-11-26T00:00:00Z") });
    assert.match(after[0]?.message ?? "", /stopped supporting/);
  });
});

describe("ami.unpinned-alias", () => {
  const rule = ["ami.unpinned-alias"];

  test("@latest warns in baseline and is denied in strict, at the alias", () => {
    const object = nodeClass("a", { amiSelectorTerms: [{ alias: "al2023@latest" }] });
    assert.deepEqual(summary(judge([object], { rules: rule })), [
      "ami.unpinned-alias warn /spec/amiSelectorTerms/0/alias",
    ]);
    assert.equal(judge([object], { rules: rule, preset: "strict" })[0]?.severity, "deny");
    const [finding] = judge([object], { rules: rule });
    assert.match(finding?.message ?? "", /drifts and replaces every node of this class/);
    assert.match(finding?.hint ?? "", /al2023@v20240807/);
  });

  test("the hint uses the family's own version format", () => {
    const object = nodeClass("a", { amiSelectorTerms: [{ alias: "bottlerocket@latest" }] });
    assert.match(judge([object], { rules: rule })[0]?.hint ?? "", /bottlerocket@v1\.20\.3/);
  });

  test("pinned aliases, id selectors and Windows aliases (which only accept @latest) are not reported", () => {
    const objects = [
      nodeClass("pinned", { amiSelectorTerms: [{ alias: "al2023@v20240807" }] }),
      nodeClass("ids", { amiFamily: "AL2023", ...customAmi }),
      nodeClass("win", { amiSelectorTerms: [{ alias: "windows2022@latest" }] }),
    ];
    assert.deepEqual(judge(objects, { rules: rule, preset: "strict" }), []);
  });
});

test("every upstream example passes baseline with no ami denial", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});
