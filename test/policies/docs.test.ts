import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { renderPolicyDocs } from "../../policies/docs.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { policyDocsPath } from "../../scripts/generate-policy-docs.ts";

test("docs/policies.md is generated from the rules' metadata (run `npm run generate` when it is stale)", () => {
  assert.equal(readFileSync(policyDocsPath, "utf8"), renderPolicyDocs(builtinRules));
});

test("every rule documents itself: an id in its family, a title and docs", () => {
  const ids = new Set<string>();
  for (const rule of builtinRules) {
    assert.ok(!ids.has(rule.id), `duplicate rule id ${rule.id}`);
    ids.add(rule.id);
    assert.ok(rule.id.startsWith(`${rule.family}.`), rule.id);
    assert.match(rule.id, /^[a-z-]+\.[a-z0-9-]+$/);
    assert.ok(rule.title.length > 10 && rule.docs.length > 80, `${rule.id} needs a title and docs`);
  }
});
