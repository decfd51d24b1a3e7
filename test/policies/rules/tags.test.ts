import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { applyFix, judge, nodeClass, summary, upstreamDenials } from "./judge.ts";

const rules = ["tags.*"];

describe("tags.required", () => {
  const rule = ["tags.required"];
  const settings = { "tags.required": { params: { requiredKeys: ["team", "cost-center"] } } };

  test("nothing is required by default, in either preset", () => {
    assert.deepEqual(judge([nodeClass("a")], { rules: rule, preset: "strict" }), []);
  });

  test("missing required keys are one finding at spec.tags (or spec when there are none)", () => {
    const half = nodeClass("half", { tags: { team: "data" } });
    const none = nodeClass("none");
    const findings = judge([half, none], { rules: rule, settings });
    assert.deepEqual(summary(findings), ["tags.required warn /spec", "tags.required warn /spec/tags"]);
    const messages = findings.map((f) => f.message).join("\n");
    assert.match(messages, /lacks "cost-center", which this policy requires/);
    assert.match(messages, /lacks "team", "cost-center"/);
  });

  test("warned in baseline, denied in strict; a class with every key passes", () => {
    const half = nodeClass("half", { tags: { team: "data" } });
    assert.equal(judge([half], { rules: rule, settings, preset: "strict" })[0]?.severity, "deny");
    const full = nodeClass("full", { tags: { team: "data", "cost-center": "1234" } });
    assert.deepEqual(judge([full], { rules: rule, settings, preset: "strict" }), []);
  });
});

describe("tags.reserved", () => {
  const rule = ["tags.reserved"];

  test("keys with the aws: prefix, in any case, are denied in both presets", () => {
    const object = nodeClass("a", { tags: { team: "data", "aws:cost-center": "1", "AWS:owner": "x", "Aws:x/y": "z" } });
    assert.deepEqual(summary(judge([object], { rules: rule })), [
      "tags.reserved deny /spec/tags/AWS:owner",
      "tags.reserved deny /spec/tags/Aws:x~1y",
      "tags.reserved deny /spec/tags/aws:cost-center",
    ]);
    assert.equal(judge([object], { rules: rule, preset: "strict" }).length, 3);
    assert.match(
      judge([object], { rules: rule })[0]?.message ?? "",
      /every instance launch for this class is rejected/,
    );
  });

  test("each patch removes its key and the findings go away", () => {
    let object = nodeClass("a", { tags: { team: "data", "aws:cost-center": "1", "aws:x/y": "z" } });
    for (const finding of judge([object], { rules: rule })) object = applyFix(object, finding);
    assert.deepEqual(judge([object], { rules: rule }), []);
    assert.deepEqual((object.spec as { tags: unknown }).tags, { team: "data" });
  });

  test("keys the CRD already rejects are schema.cel's finding, not reported twice", () => {
    const object = nodeClass("a", { tags: { "karpenter.sh/nodepool": "x", "kubernetes.io/cluster/prod": "owned" } });
    assert.deepEqual(judge([object], { rules: rule }), []);
    assert.equal(judge([object], { rules: ["schema.cel"] }).length, 2);
  });

  test("a key that merely contains aws: is fine", () => {
    assert.deepEqual(
      judge([nodeClass("a", { tags: { "example.com/aws:team": "x", awsome: "y" } })], { rules: rule }),
      [],
    );
  });
});

test("every upstream example passes baseline with no tags denial", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});
