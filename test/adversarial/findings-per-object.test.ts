// An object can carry a finding per list entry or per line: a requirement of 200,000 non-string values (one schema
// error each), a user data script of 200,000 lines that each assign a password. Judging it must neither crash (the
// engine collected 200,000 findings in one call and overflowed its stack) nor list them all: each rule lists the
// first ones and says how many more there are.
import assert from "node:assert/strict";
import { test } from "node:test";
import { compilePolicy } from "../../policies/compiled-policy.ts";
import { evaluate } from "../../policies/engine.ts";
import type { Finding } from "../../policies/finding.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { nodeClass, nodePool, now } from "../policies/rules/judge.ts";

function judge(object: Record<string, unknown>): Finding[] {
  return evaluate([{ object }], compilePolicy([], { rules: builtinRules }), { now });
}

const count = (findings: readonly Finding[], rule: string) => findings.filter((f) => f.rule === rule).length;

test("200,000 schema errors in one object: the first thousand, and one finding for the rest", () => {
  const values = Array.from({ length: 200_000 }, (_, i) => i);
  const findings = judge(
    nodePool("numbers", { template: { spec: { requirements: [{ key: "example.com/x", operator: "In", values }] } } }),
  );
  assert.equal(count(findings, "schema.structural"), 1001);
  assert.ok(
    findings.some((f) => f.message.startsWith("199,000 more schema.structural findings on this object")),
    "the last one says how many are left out",
  );
  assert.equal(count(findings, "schema.object-bounds"), 1);
});

test("a user data script of 200,000 lines with a secret on each: the first thousand, and one for the rest", () => {
  const userData = "DB_PASSWORD=hunter2x\n".repeat(200_000);
  const findings = judge(nodeClass("leaky", { userData }));
  assert.equal(count(findings, "userdata.secrets"), 1001);
  assert.equal(count(findings, "userdata.size"), 1);
});

test("100 requirements of 2,000 unknown instance types each, within the bounds: judged, listed in part", () => {
  const requirements = Array.from({ length: 100 }, (_, r) => ({
    key: "node.kubernetes.io/instance-type",
    operator: "NotIn",
    values: Array.from({ length: 2000 }, (_, i) => `zz${r}x${i}.large`),
  }));
  const findings = judge(nodePool("wide", { template: { spec: { requirements } }, limits: { cpu: 100 } }));
  assert.equal(count(findings, "schema.object-bounds"), 0);
  assert.equal(count(findings, "instance-types.unknown-value"), 1001);
});
