// The text report as a pull request shows it: one line per finding ending in its rule id (what `explain` and
// exemptions take), the fix only with --verbose, denials only with --quiet (the counts still cover everything).
import { test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";

const run = async (...argv: string[]) => {
  const out = capturedOutput();
  const code = await main(argv, out);
  return { code, out: out.out };
};

const findingLines = (out: string) => out.split("\n").filter((l) => /^ {2}(deny|warn|audit) /.test(l));

test("each finding is one line ending in its rule id; no fix lines by default", async () => {
  const { code, out } = await run("check", "examples/pools");
  assert.equal(code, 1);
  const lines = findingLines(out);
  assert.ok(lines.length > 0);
  for (const line of lines) assert.match(line, / {2}\[[a-z-]+\.[a-z0-9-]+\]$/, line);
  // expireAfter "30d" fails the CRD's pattern: the API server's own schema check.
  assert.match(
    out,
    /gpu\.yaml:17:7 +spec\.template\.spec\.expireAfter +Invalid value: "30d".* {2}\[schema\.structural\]$/m,
  );
  assert.doesNotMatch(out, /^ {4}fix: /m);
});

test("--verbose adds the fix under a finding that has one", async () => {
  const { out } = await run("check", "examples/pools", "--verbose");
  assert.match(out, /^ {4}fix: /m);
  assert.deepEqual(findingLines(out), findingLines((await run("check", "examples/pools")).out));
});

test("--quiet shows denials only, and the same counts", async () => {
  const full = await run("check", "examples/pools");
  const quiet = await run("check", "examples/pools", "--quiet");
  assert.equal(quiet.code, full.code);
  const lines = findingLines(quiet.out);
  assert.deepEqual(
    lines,
    findingLines(full.out).filter((l) => l.startsWith("  deny")),
  );
  const summary = (out: string) => out.trimEnd().split("\n").at(-1);
  assert.equal(summary(quiet.out), summary(full.out));
});
