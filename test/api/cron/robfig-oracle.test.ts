// Every case of the robfig/cron oracle (test/fixtures/robfig-cron, generated with the real robfig/cron v3.0.1 as
// Karpenter calls it) against our parser and Budget.IsActive. See that folder's SOURCE.md for the semantics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isBudgetActive, parseKarpenterSchedule } from "../../../api/cron/index.ts";
import { parseBudgetDuration } from "../../../api/duration.ts";
import { fixturesDir } from "../../support/fixtures.ts";

const dir = join(fixturesDir, "robfig-cron");
const read = (name: string) => readFileSync(join(dir, name), "utf8");
const lines = (name: string) => read(name).replace(/\n$/, "").split("\n");

// Go's zero time, which robfig's Next returns when it finds no run within five years.
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

// RFC 3339 as Go prints a UTC time.Time with whole seconds; a stray millisecond would show and not match.
function rfc3339(date: Date | undefined): string {
  return date === undefined ? GO_ZERO_TIME : date.toISOString().replace(/\.000Z$/, "Z");
}

// What our code says for one case, in expected.tsv's format.
function ours(schedule: string, duration: string, nowText: string): string {
  const parsed = parseKarpenterSchedule(schedule);
  if (!parsed.ok) return `ERR\t${parsed.goError}`;
  const now = new Date(nowText);
  const hit = parsed.next(new Date(now.getTime() - parseBudgetDuration(duration)));
  const active = isBudgetActive({ nodes: "0", schedule, duration }, now).active;
  return `OK\t${rfc3339(hit)}\t${active}\t${rfc3339(parsed.next(now))}`;
}

test("the oracle files are the copies SOURCE.md describes", () => {
  const source = read("SOURCE.md");
  for (const name of ["cases.tsv", "expected.tsv"]) {
    const sha = createHash("sha256")
      .update(readFileSync(join(dir, name)))
      .digest("hex");
    assert.ok(source.includes(`${sha}  ${name}`), `${name} has sha256 ${sha}, not the one SOURCE.md lists`);
  }
});

test("every case agrees with robfig/cron v3.0.1 and Karpenter's IsActive", () => {
  const cases = lines("cases.tsv");
  const expected = lines("expected.tsv");
  assert.equal(cases.length, 2672);
  assert.equal(expected.length, cases.length);
  const disagreements: string[] = [];
  let errors = 0;
  cases.forEach((line, i) => {
    const [schedule = "", duration = "", now = ""] = line.split("\t");
    const want = expected[i] ?? "";
    if (want.startsWith("ERR\t")) errors++;
    const got = ours(schedule, duration, now);
    if (got !== want) {
      disagreements.push(
        `line ${i + 1}: ${JSON.stringify(schedule)} for ${duration} at ${now}: robfig ${want}, ours ${got}`,
      );
    }
  });
  assert.deepEqual(disagreements, []);
  // Both kinds of line were checked.
  assert.equal(errors, 1587);
});
