// The text report as a pull request shows it: one line per finding ending in its rule id (what `explain` and
// exemptions take), the fix only with --verbose, denials only with --quiet (the counts still cover everything).
import { test } from "node:test";
import { resolve } from "node:path";
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

test("a policy file with several mistakes reports all of them, in file order", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const policy = join(mkdtempSync(join(tmpdir(), "poolkeeper-policy-")), "policy.yaml");
  writeFileSync(
    policy,
    "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p}\nspec:\n  rules:\n" +
      "    imds.http-tokenz: {enforcement: warn}\n    limits.requird: {enforcement: deny}\n" +
      "    taints.duplicate: {enforcement: sometimes}\n",
  );
  const out = capturedOutput();
  const code = await main(["check", "examples/pools/gpu.yaml", "--policy", policy], out);
  assert.equal(code, 2);
  const lines = out.err.split("\n").filter((l) => l.includes(policy));
  assert.deepEqual(
    lines.map((l) => l.slice(l.indexOf(policy) + policy.length).split(": ")[0]),
    [":6:5", ":7:5", ":8:24"],
  );
  assert.match(lines[0] ?? "", /unknown rule "imds\.http-tokenz" \(did you mean "imds\.http-tokens"\?\)/);
  assert.match(lines[2] ?? "", /enforcement must be one of/);
});

test("a policy file's mistakes of every kind, the schema's among them, are all reported", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const policy = join(mkdtempSync(join(tmpdir(), "poolkeeper-policy-")), "policy.yaml");
  writeFileSync(
    policy,
    [
      "apiVersion: poolkeeper.dev/v1alpha1",
      "kind: PoolPolicy",
      "metadata: {name: p}",
      "spec:",
      "  presett: strict", // 5: a misspelt field (the schema)
      "  rules:",
      "    imds.hop-limit: {params: {maxHopLimit: many}}", // 7: a parameter of the wrong type
      "    taints.duplicate: {params: {x: 1}}", // 8: a rule without parameters
      "  exemptions:",
      "    - {rule: nosuch.rule, reason: r}", // 10: an exemption of no known rule
      "  customRules:",
      "    - {id: c, message: m, expression: 'object.spec.'}", // 12: a custom rule that does not compile
      "",
    ].join("\n"),
  );
  const out = capturedOutput();
  const code = await main(["check", "examples/pools/gpu.yaml", "--policy", policy], out);
  assert.equal(code, 2);
  const lines = out.err.split("\n").filter((l) => l.includes(policy));
  assert.deepEqual(
    lines.map(
      (l) =>
        l
          .slice(l.indexOf(policy) + policy.length)
          .split(":")
          .slice(1, 2)[0],
    ),
    ["5", "7", "8", "10", "12"],
    out.err,
  );
  assert.match(lines[0] ?? "", /unknown field "spec\.presett" \(did you mean "preset"\?\)/);
  assert.match(lines[2] ?? "", /rule "taints\.duplicate" takes no parameters/);
  assert.match(lines[3] ?? "", /exemption names no known rule: "nosuch\.rule"/);
  assert.match(lines[4] ?? "", /custom rule "c" does not compile/);
});

test("JUnit lists every object as a test case, passing ones too", async () => {
  // The GitOps fixture repository's pools: a NodePool and an EC2NodeClass, one of which has no finding at all.
  const pools = "test/fixtures/gitops/repo/pools";
  const json = JSON.parse((await run("check", pools, "--format", "json")).out) as {
    objects: number;
    findings: { object: { kind: string; name: string } }[];
  };
  const withFindings = new Set(json.findings.map((f) => `${f.object.kind}/${f.object.name}`));
  assert.ok(withFindings.size < json.objects, "the fixture has an object without findings");
  const xml = (await run("check", pools, "--format", "junit")).out;
  const cases = [...xml.matchAll(/<testcase [^>]*name="((?:NodePool|EC2NodeClass)\/[^"]+)"[^>]*?(\/?)>/g)];
  assert.equal(cases.length, json.objects);
  const passing = cases.filter((c) => !withFindings.has(c[1] ?? "")).map((c) => c[2]);
  assert.deepEqual(passing, ["/"], "the object without findings is a passing (empty) test case");
});

test("the API server's 'some validation rules were not checked' is a note on the schema findings, not a denial", async () => {
  // The fixture's taint effect and httpTokens are outside their enums: a blocking schema error in each object, after
  // which the API server runs no CEL rule and says so at the object's root.
  const file = "test/fixtures/invalid/structural-enum.yaml";
  const { code, out } = await run("check", file, "--verbose");
  assert.equal(code, 1);
  assert.doesNotMatch(out, /<root>|some validation rules were not checked/);
  const denials = findingLines(out).filter((l) => l.startsWith("  deny "));
  assert.deepEqual(
    denials.map((l) => l.replace(/^ {2}deny +(\S+) +(\S+) .*$/, "$1 $2")),
    [`${file}:16:11 spec.template.spec.taints[0].effect`, `${file}:41:5 spec.metadataOptions.httpTokens`],
  );
  assert.equal(
    out.match(/^ {4}fix: the CRD's CEL rules were not run on this object because of this error/gm)?.length,
    2,
  );
  assert.match(out, /^2 of 2 objects denied: 2 denials, /m);
});

test("files under the working directory are named relative to it, however they were given", async () => {
  const absolute = resolve("examples/pools/gpu.yaml");
  const { out } = await run("check", absolute);
  assert.match(out, /^NodePool\/gpu \(examples\/pools\/gpu\.yaml:\d+:\d+\)$/m);
  assert.match(out, /^ {2}deny +examples\/pools\/gpu\.yaml:17:7 +spec\.template\.spec\.expireAfter /m);
  assert.ok(!out.includes(absolute), out);
});
