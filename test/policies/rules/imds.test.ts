import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadPolicies } from "../../../policies/load-policies.ts";
import { builtinRules } from "../../../policies/rules/index.ts";
import { applyFix, judge, nodeClass, summary, upstreamDenials } from "./judge.ts";

const rules = ["imds.*"];

describe("imds defaults", () => {
  test("a class without metadataOptions gets Karpenter's defaults (IMDSv2, hop limit 1): nothing to report", () => {
    assert.deepEqual(judge([nodeClass("a")], { rules, preset: "strict" }), []);
  });

  test("metadataOptions written in part are defaulted field by field", () => {
    const object = nodeClass("a", { metadataOptions: { httpProtocolIPv6: "disabled" } });
    assert.deepEqual(judge([object], { rules, preset: "strict" }), []);
  });
});

describe("imds.http-tokens", () => {
  const object = nodeClass("a", { metadataOptions: { httpTokens: "optional" } });

  test("httpTokens: optional is denied in both presets, at the field", () => {
    assert.deepEqual(summary(judge([object], { rules })), ["imds.http-tokens deny /spec/metadataOptions/httpTokens"]);
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), [
      "imds.http-tokens deny /spec/metadataOptions/httpTokens",
    ]);
  });

  test("the message says what IMDSv1 exposes and to whom", () => {
    const [finding] = judge([object], { rules });
    assert.match(finding?.message ?? "", /IMDSv1/);
    assert.match(finding?.message ?? "", /server-side request forgery/);
    assert.match(finding?.message ?? "", /node role's credentials/);
    assert.match(finding?.hint ?? "", /httpTokens: required/);
  });

  test("the patch sets httpTokens: required and the finding goes away", () => {
    const [finding] = judge([object], { rules });
    assert.deepEqual(finding?.patch, [{ op: "add", path: "/spec/metadataOptions/httpTokens", value: "required" }]);
    assert.deepEqual(judge([applyFix(object, finding)], { rules }), []);
  });

  test("not judged when the metadata endpoint is disabled (IMDS is unreachable then)", () => {
    const custom = nodeClass("a", {
      amiFamily: "Custom",
      amiSelectorTerms: [{ id: "ami-0123456789abcdef0" }],
      metadataOptions: { httpEndpoint: "disabled", httpTokens: "optional" },
    });
    assert.deepEqual(judge([custom], { rules }), []);
  });
});

describe("imds.hop-limit", () => {
  const object = nodeClass("a", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } });

  test("a hop limit above 1 warns in baseline and is denied in strict", () => {
    assert.deepEqual(summary(judge([object], { rules })), [
      "imds.hop-limit warn /spec/metadataOptions/httpPutResponseHopLimit",
    ]);
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), [
      "imds.hop-limit deny /spec/metadataOptions/httpPutResponseHopLimit",
    ]);
    assert.match(
      judge([object], { rules })[0]?.message ?? "",
      /every pod on these nodes can obtain the node role's credentials/,
    );
  });

  test("maxHopLimit raises the bound", () => {
    const settings = { "imds.hop-limit": { params: { maxHopLimit: 2 } } };
    assert.deepEqual(judge([object], { rules, settings }), []);
    const three = nodeClass("b", { metadataOptions: { httpPutResponseHopLimit: 3 } });
    const [finding] = judge([three], { rules, settings });
    assert.match(finding?.message ?? "", /at most 2/);
    assert.deepEqual(finding?.patch, [{ op: "add", path: "/spec/metadataOptions/httpPutResponseHopLimit", value: 2 }]);
    assert.deepEqual(judge([applyFix(three, finding)], { rules, settings }), []);
  });

  test("the patch lowers the limit to the bound and the finding goes away", () => {
    const [finding] = judge([object], { rules });
    assert.deepEqual(judge([applyFix(object, finding)], { rules, preset: "strict" }), []);
  });

  test("maxHopLimit must be an integer from 1 to 64 (a policy that says otherwise is rejected)", () => {
    const errors = (params: string) =>
      loadPolicies(
        `apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p}\nspec:\n  rules:\n    imds.hop-limit: {params: ${params}}\n`,
        "p.yaml",
        builtinRules,
      ).errors.map((e) => e.message);
    assert.deepEqual(errors("{maxHopLimit: 2}"), []);
    assert.equal(errors("{maxHopLimit: 0}").length, 1);
    assert.equal(errors('{maxHopLimit: "2"}').length, 1);
    assert.equal(errors("{maxHops: 2}").length, 1);
  });
});

describe("imds.endpoint", () => {
  test("a disabled endpoint on an alias-based AL2023 class is denied: nodes cannot read their user data", () => {
    const object = nodeClass("a", { metadataOptions: { httpEndpoint: "disabled" } });
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), ["imds.endpoint deny /spec/metadataOptions/httpEndpoint"]);
    assert.match(findings[0]?.message ?? "", /AL2023 nodes read their bootstrap user data/);
    assert.deepEqual(judge([applyFix(object, findings[0])], { rules }), []);
  });

  test("the family comes from amiFamily when set (Bottlerocket with its own AMI ids)", () => {
    const object = nodeClass("a", {
      amiFamily: "Bottlerocket",
      amiSelectorTerms: [{ id: "ami-0123456789abcdef0" }],
      metadataOptions: { httpEndpoint: "disabled" },
    });
    assert.match(judge([object], { rules })[0]?.message ?? "", /Bottlerocket nodes/);
  });

  test("a Custom family may bootstrap without IMDS: not reported", () => {
    const object = nodeClass("a", {
      amiFamily: "Custom",
      amiSelectorTerms: [{ alias: "al2023@v20240807" }],
      metadataOptions: { httpEndpoint: "disabled" },
    });
    assert.deepEqual(judge([object], { rules }), []);
  });

  test("after the fix, a tokens setting that was hidden by the disabled endpoint is judged", () => {
    const object = nodeClass("a", { metadataOptions: { httpEndpoint: "disabled", httpTokens: "optional" } });
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), ["imds.endpoint deny /spec/metadataOptions/httpEndpoint"]);
    assert.deepEqual(summary(judge([applyFix(object, findings[0])], { rules })), [
      "imds.http-tokens deny /spec/metadataOptions/httpTokens",
    ]);
  });
});

test("every upstream example passes baseline with no imds denial", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});
