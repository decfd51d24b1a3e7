// The ids of findings no policy rule makes (a deletion, a lapsed exemption, a rule that failed) are registered:
// documented in docs/policies.md, explained, refused under a policy's `rules`, and the same ids the webhook, check
// --base and the engine report.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NODE_CLASS_IN_USE as checkInUse, NODEPOOL_DELETED } from "../../cli/commands/check-deletions.ts";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { loadPolicies } from "../../policies/load-policies.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { standingChecks } from "../../policies/standing-checks.ts";
import { NODE_CLASS_IN_USE as webhookInUse } from "../../webhook/admission/index.ts";
import { projectRoot } from "../support/fixtures.ts";

const ids = standingChecks.map((c) => c.id);

test("every id the webhook, check --base and the engine report is registered, none a rule's", () => {
  for (const id of [webhookInUse, checkInUse, NODEPOOL_DELETED, "policy.exemption-expired", "policy.rule-error"]) {
    assert.ok(ids.includes(id), id);
  }
  assert.deepEqual(
    builtinRules.filter((r) => ids.includes(r.id)),
    [],
  );
});

test("docs/policies.md has an entry for each", () => {
  const docs = readFileSync(join(projectRoot, "docs", "policies.md"), "utf8");
  for (const id of ids) assert.match(docs, new RegExp(`^### ${id.replaceAll(".", "\\.")}$`, "m"));
});

test("explain prints each, lists them after the rules, and suggests one on a typo", async () => {
  const run = async (...argv: string[]) => {
    const out = capturedOutput();
    return { code: await main(argv, out), out: out.out, err: out.err };
  };
  const one = await run("explain", "references.node-class-in-use");
  assert.equal(one.code, 0);
  assert.match(
    one.out,
    /^### references\.node-class-in-use\n\n\*\*.*\*\* Always enforced: `deny`; not a policy rule\./,
  );
  const list = await run("explain");
  assert.match(list.out, /^change-impact\.nodepool-deleted +warn +Deleting a NodePool .*\(always\)$/m);
  const typo = await run("explain", "references.node-class-in-us");
  assert.equal(typo.code, 2);
  assert.match(typo.err, /did you mean "references\.node-class-in-use"/);
});

test("a policy cannot tune one: naming it under rules is an error saying why", () => {
  const { errors } = loadPolicies(
    "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p}\nspec:\n  rules:\n" +
      "    change-impact.nodepool-deleted: {enforcement: 'off'}\n",
    "policy.yaml",
    builtinRules,
  );
  assert.deepEqual(
    errors.map((e) => `${e.source.line}:${e.source.col} ${e.message}`),
    ['6:5 "change-impact.nodepool-deleted" is not a policy rule: it is always enforced, and a policy cannot change it'],
  );
});
