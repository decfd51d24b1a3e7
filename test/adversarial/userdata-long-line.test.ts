// userdata.secrets reads every line of spec.userData for credentials. A line that is one long run of name
// characters broken by `.` or `-` made the assignment pattern try a match from each of them to the end of the
// run: quadratic in the line (200,000 characters took three minutes). Backtracking cannot be counted from outside
// the regular expression engine, so the first test checks what makes the work linear, by structure: a match can
// only start where a run of key characters starts. The second checks the outcome on the attack's shape.
import assert from "node:assert/strict";
import { test } from "node:test";
import { prepareTarget } from "../../policies/prepare-target.ts";
import { ASSIGNMENT, secrets } from "../../policies/rules/userdata.ts";
import { nodeClass, now } from "../policies/rules/judge.ts";

function judge(userData: string) {
  const target = prepareTarget({ object: nodeClass("long", { userData }) });
  assert.ok(target);
  return secrets.check(target, { params: {}, catalog: undefined as never, scope: undefined as never, now });
}

test("the credential pattern starts a match only where a run of key characters starts", () => {
  const line = "export x.a-b_c.DB_PASSWORD=hunter2x";
  const sticky = new RegExp(ASSIGNMENT.source, `${ASSIGNMENT.flags}y`);
  const runStart = line.indexOf("x.");
  assert.equal(ASSIGNMENT.exec(line)?.[1], "x.a-b_c.DB_PASSWORD");
  for (let at = runStart + 1; at < line.indexOf("="); at++) {
    sticky.lastIndex = at;
    assert.equal(sticky.exec(line), null, `a match starting at ${at}, inside the run`);
  }
});

test("a 200,000-character line of dotted names is read once, and the secrets on it are still found", () => {
  const run = "a.b-".repeat(50_000);
  assert.deepEqual(judge(run), []);
  const findings = judge(`${run} DB_PASSWORD=hunter2x ${run} export api-key: "s3cr3t-value" ${run}`);
  assert.deepEqual(
    findings.map((f) => f.message.replace(/ which anyone.*$/, "")),
    ["line 1 of spec.userData holds a literal value for DB_PASSWORD,"],
  );
  // The key is the whole run it ends: as before the change, a name glued to the run is part of it.
  assert.match(judge(`${run}DB_PASSWORD=hunter2x`)[0]?.message ?? "", /a literal value for a\.b-a\.b-/);
});
