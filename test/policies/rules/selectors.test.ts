import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { applyFix, judge, nodeClass, summary, upstreamDenials } from "./judge.ts";

const rules = ["selectors.*"];
const discovery = { tags: { "karpenter.sh/discovery": "test" } };

describe("selectors.match-everything", () => {
  test("an empty tags term selects every subnet: denied, with the term's tags as the place", () => {
    const findings = judge([nodeClass("a", { subnetSelectorTerms: [discovery, { tags: {} }] })], { rules });
    assert.deepEqual(summary(findings), ["selectors.match-everything deny /spec/subnetSelectorTerms/1/tags"]);
    assert.match(findings[0]?.message ?? "", /every subnet in the account and region/);
  });

  test("a security-group name made only of wildcards matches every group", () => {
    const findings = judge([nodeClass("a", { securityGroupSelectorTerms: [{ name: "*" }] })], { rules });
    assert.deepEqual(summary(findings), ["selectors.match-everything deny /spec/securityGroupSelectorTerms/0/name"]);
  });

  test("ids, exact names, wildcard patterns and tagged terms are not reported", () => {
    const findings = judge(
      [
        nodeClass("a", {
          subnetSelectorTerms: [{ id: "subnet-0123" }, { tags: { Name: "*-private-*" } }],
          securityGroupSelectorTerms: [{ name: "nodes" }, { name: "*Public*" }, { id: "sg-0123" }],
        }),
      ],
      { rules: ["selectors.match-everything"] },
    );
    assert.deepEqual(findings, []);
  });
});

describe("selectors.broad-tags", () => {
  test('a "*" value only checks that the key exists: warned in baseline, denied in strict', () => {
    const object = nodeClass("a", { subnetSelectorTerms: [{ tags: { Name: "*" } }] });
    assert.deepEqual(summary(judge([object], { rules })), [
      "selectors.broad-tags warn /spec/subnetSelectorTerms/0/tags/Name",
    ]);
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), [
      "selectors.broad-tags deny /spec/subnetSelectorTerms/0/tags/Name",
    ]);
    assert.match(judge([object], { rules })[0]?.message ?? "", /every subnet with any "Name" tag/);
  });

  test("the load-balancer discovery tags are broad by default, and the list is a parameter", () => {
    const object = nodeClass("a", { subnetSelectorTerms: [{ tags: { "kubernetes.io/role/internal-elb": "1" } }] });
    assert.equal(judge([object], { rules: ["selectors.broad-tags"] }).length, 1);
    const none = judge([object], {
      rules: ["selectors.broad-tags"],
      settings: { "selectors.broad-tags": { params: { broadTagKeys: [] } } },
    });
    assert.deepEqual(none, []);
    const team = nodeClass("b", { securityGroupSelectorTerms: [{ tags: { team: "payments" } }] });
    const custom = judge([team], {
      rules: ["selectors.broad-tags"],
      settings: { "selectors.broad-tags": { params: { broadTagKeys: ["team"] } } },
    });
    assert.deepEqual(summary(custom), ["selectors.broad-tags warn /spec/securityGroupSelectorTerms/0/tags/team"]);
  });

  test("one precise condition in the term narrows it (conditions are ANDed)", () => {
    const object = nodeClass("a", { subnetSelectorTerms: [{ tags: { Name: "*", "karpenter.sh/discovery": "test" } }] });
    assert.deepEqual(judge([object], { rules }), []);
  });

  test("tags next to an id or name are ignored by Karpenter, so they are not judged as a selection", () => {
    const object = nodeClass("a", { securityGroupSelectorTerms: [discovery, { name: "nodes", tags: { Name: "*" } }] });
    assert.deepEqual(judge([object], { rules: ["selectors.broad-tags"] }), []);
  });
});

describe("selectors.ignored-fields", () => {
  test("an id combined with tags in one of several terms: the tags are ignored", () => {
    const object = nodeClass("a", {
      subnetSelectorTerms: [discovery, { id: "subnet-0123", tags: { tier: "private" } }],
    });
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), ["selectors.ignored-fields warn /spec/subnetSelectorTerms/1/tags"]);
    assert.match(findings[0]?.message ?? "", /selects by id alone, ignoring the tags/);
  });

  test("a security-group name with tags selects by name alone", () => {
    const object = nodeClass("a", {
      securityGroupSelectorTerms: [{ id: "sg-1" }, { name: "nodes", tags: { team: "a" } }],
    });
    const findings = judge([object], { rules, preset: "strict" });
    assert.deepEqual(summary(findings), ["selectors.ignored-fields deny /spec/securityGroupSelectorTerms/1/tags"]);
  });

  test("when every term combines fields the CRD's CEL rule rejects the list, and only schema.cel says so", () => {
    const object = nodeClass("a", { subnetSelectorTerms: [{ id: "subnet-0123", tags: { tier: "private" } }] });
    const findings = judge([object], { rules: ["selectors.*", "schema.cel"] });
    assert.deepEqual(
      findings.map((f) => f.rule),
      ["schema.cel"],
    );
  });
});

describe("selectors.role-or-instance-profile", () => {
  test("an instance profile ARN fails every launch: denied, and the patch writes the name", () => {
    const object = nodeClass("a", {
      role: undefined,
      instanceProfile: "arn:aws:iam::111122223333:instance-profile/nodes/KarpenterNodeInstanceProfile",
    });
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), ["selectors.role-or-instance-profile deny /spec/instanceProfile"]);
    const fixed = applyFix(object, findings[0]);
    assert.equal((fixed.spec as Record<string, unknown>).instanceProfile, "KarpenterNodeInstanceProfile");
    assert.deepEqual(judge([fixed], { rules }), []);
  });

  test("a role name IAM cannot accept is denied; paths and ${VAR} placeholders are fine", () => {
    assert.deepEqual(summary(judge([nodeClass("a", { role: "Karpenter Node Role" })], { rules })), [
      "selectors.role-or-instance-profile deny /spec/role",
    ]);
    assert.deepEqual(summary(judge([nodeClass("a", { role: "x".repeat(65) })], { rules })), [
      "selectors.role-or-instance-profile deny /spec/role",
    ]);
    assert.deepEqual(judge([nodeClass("a", { role: "teams/payments/KarpenterNodeRole" })], { rules }), []);
    assert.deepEqual(judge([nodeClass("a", { role: "KarpenterNodeRole-${CLUSTER_NAME}" })], { rules }), []);
  });

  test("both or neither of role and instanceProfile is the CRD's own rule, not reported again", () => {
    const both = nodeClass("a", { instanceProfile: "KarpenterNodeInstanceProfile" });
    const findings = judge([both], { rules: ["selectors.*", "schema.*"] });
    assert.ok(findings.some((f) => f.rule === "schema.cel"));
    assert.ok(findings.every((f) => !f.rule.startsWith("selectors.")));
  });
});

describe("selectors.role-arn", () => {
  test("a role ARN works only because Karpenter keeps the last path segment: warned, denied in strict", () => {
    const object = nodeClass("a", { role: "arn:aws:iam::111122223333:role/KarpenterNodeRole" });
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), ["selectors.role-arn warn /spec/role"]);
    assert.match(findings[0]?.message ?? "", /the role named "KarpenterNodeRole" in the cluster's account/);
    assert.equal(findings[0]?.patch, undefined, "changing role drifts nodes: no automatic patch");
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), ["selectors.role-arn deny /spec/role"]);
  });
});

test("every upstream example passes baseline with no denial from the selectors family", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});
