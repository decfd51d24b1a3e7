import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { applyFix, judge, nodePool, summary, upstreamDenials } from "./judge.ts";

const rules = ["disruption.*"];
// A pool that passes every disruption rule at the defaults.
const good = { disruption: { consolidateAfter: "1m" }, template: { spec: { terminationGracePeriod: "24h" } } };
const pool = (spec: Record<string, unknown>) =>
  nodePool("a", {
    ...good,
    ...spec,
    template: { spec: { ...good.template.spec, ...(spec.template as { spec?: object } | undefined)?.spec } },
  });

test("a pool with a bounded expiry, a grace period and a consolidation delay passes", () => {
  assert.deepEqual(judge([pool({})], { rules }), []);
  assert.deepEqual(judge([pool({})], { rules, preset: "strict" }), []);
});

describe("disruption.expire-after-max", () => {
  test("above the maximum (720h by default): warned, denied in strict, no automatic patch", () => {
    const object = pool({ template: { spec: { expireAfter: "2160h" } } });
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), ["disruption.expire-after-max warn /spec/template/spec/expireAfter"]);
    assert.match(findings[0]?.message ?? "", /2160h \(90 days\), above the maximum of 720h/);
    assert.equal(findings[0]?.patch, undefined);
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), [
      "disruption.expire-after-max deny /spec/template/spec/expireAfter",
    ]);
  });

  test("Never turns expiry off", () => {
    const findings = judge([pool({ template: { spec: { expireAfter: "Never" } } })], { rules });
    assert.deepEqual(summary(findings), ["disruption.expire-after-max warn /spec/template/spec/expireAfter"]);
    assert.match(findings[0]?.message ?? "", /is Never, so Karpenter never replaces this pool's nodes for age/);
  });

  test("maxExpireAfter is a parameter, and Karpenter's default is judged when the field is unset", () => {
    const settings = { "disruption.expire-after-max": { params: { maxExpireAfter: "336h" } } };
    assert.deepEqual(summary(judge([pool({})], { rules, settings })), [
      "disruption.expire-after-max warn /spec/template/spec/expireAfter",
    ]);
    assert.deepEqual(judge([pool({ template: { spec: { expireAfter: "336h" } } })], { rules, settings }), []);
  });
});

describe("disruption.consolidate-after-min", () => {
  test("Karpenter's default 0s is below the 30s minimum: warned, and the patch sets the minimum", () => {
    const object = nodePool("a", { template: { spec: { terminationGracePeriod: "24h" } } });
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), ["disruption.consolidate-after-min audit /spec/disruption/consolidateAfter"]);
    assert.match(
      findings[0]?.message ?? "",
      /is 0s \(Karpenter's default, as it is not set\), below the minimum of 30s/,
    );
    const fixed = applyFix(object, findings[0]);
    assert.deepEqual(fixed.spec && (fixed.spec as { disruption?: unknown }).disruption, { consolidateAfter: "30s" });
    assert.deepEqual(judge([fixed], { rules }), []);
  });

  test("a written value below the minimum is replaced by the patch, keeping the rest of disruption", () => {
    const object = pool({ disruption: { consolidateAfter: "5s", consolidationPolicy: "WhenEmpty" } });
    const findings = judge([object], { rules, preset: "strict" });
    assert.deepEqual(summary(findings), ["disruption.consolidate-after-min warn /spec/disruption/consolidateAfter"]);
    assert.match(findings[0]?.message ?? "", /the moment it looks empty and churn/);
    const fixed = applyFix(object, findings[0]);
    assert.deepEqual((fixed.spec as { disruption?: unknown }).disruption, {
      consolidateAfter: "30s",
      consolidationPolicy: "WhenEmpty",
    });
  });

  test("Never, a static pool, and a parameterised minimum", () => {
    assert.deepEqual(judge([pool({ disruption: { consolidateAfter: "Never" } })], { rules }), []);
    assert.deepEqual(
      judge([pool({ replicas: 2, disruption: { consolidateAfter: "0s" } })], {
        rules: ["disruption.consolidate-after-min"],
      }),
      [],
    );
    const settings = { "disruption.consolidate-after-min": { params: { minConsolidateAfter: "5m" } } };
    assert.equal(judge([pool({})], { rules, settings }).length, 1);
  });
});

describe("disruption.termination-grace-period", () => {
  test("expiry without a grace period: warned, denied in strict, no automatic patch (it would drift nodes)", () => {
    const object = nodePool("a", { disruption: { consolidateAfter: "1m" } });
    const findings = judge([object], { rules });
    assert.deepEqual(summary(findings), [
      "disruption.termination-grace-period warn /spec/template/spec/terminationGracePeriod",
    ]);
    assert.match(
      findings[0]?.message ?? "",
      /once a node expires after 720h, a drain blocked by a PodDisruptionBudget/,
    );
    assert.equal(findings[0]?.patch, undefined);
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), [
      "disruption.termination-grace-period deny /spec/template/spec/terminationGracePeriod",
    ]);
  });

  test("no expiry, no forced drain to bound", () => {
    const object = nodePool("a", {
      disruption: { consolidateAfter: "1m" },
      template: { spec: { expireAfter: "Never" } },
    });
    assert.deepEqual(judge([object], { rules: ["disruption.termination-grace-period"] }), []);
  });
});

test("every upstream example passes baseline with no denial from the disruption family", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});
