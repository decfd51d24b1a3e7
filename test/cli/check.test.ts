import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { projectRoot, upstreamExamples } from "../support/fixtures.ts";

const run = async (...argv: string[]) => {
  const out = capturedOutput();
  const code = await main(argv, out);
  return { code, out: out.out, err: out.err };
};

const upstream = join(projectRoot, "test", "fixtures", "upstream");

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "poolkeeper-check-"));
}

describe("poolkeeper check", () => {
  test("every upstream example passes the baseline preset with no deny (exit 0)", async () => {
    // One at a time: the examples are alternatives (several define NodePool/default), not one repository, and a
    // directory defining an object twice is denied (as the Git gate rejects it).
    for (const { path } of upstreamExamples()) {
      const { code, out } = await run("check", path, "--format", "json");
      assert.equal(code, 0, `${path}: ${out}`);
      const report = JSON.parse(out) as { findings: { severity: string; rule: string }[] };
      assert.deepEqual(
        report.findings.filter((f) => f.severity === "deny"),
        [],
      );
    }
  });

  test("the example pool repository: denials at file:line:col, exit 1", async () => {
    const { code, out } = await run("check", "examples/pools");
    assert.equal(code, 1);
    assert.match(
      out,
      /^ {2}deny +examples\/pools\/gpu\.yaml:17:7 +spec\.template\.spec\.expireAfter +Invalid value: "30d"/m,
    );
    assert.match(out, /^ {2}deny +examples\/pools\/system\.yaml:14:11 +spec\.template\.spec\.requirements\[0\]\.key /m);
    assert.match(out, /^\d+ of 7 objects denied: \d+ denials?, \d+ warnings?, \d+ audit; 7 files/m);
  });

  test("what Karpenter only flags after admission is denied at review: a wrapping cron, an unreachable limit", async () => {
    const { code, out } = await run("check", "examples/pools/weekend-batch.yaml", "--format", "json");
    assert.equal(code, 1);
    const report = JSON.parse(out) as {
      findings: { rule: string; severity: string; source?: { line: number; col: number } }[];
    };
    const denials = report.findings
      .filter((f) => f.severity === "deny")
      .map((f) => `${f.source?.line}:${f.source?.col} ${f.rule}`);
    assert.deepEqual(denials.sort(), ["25:9 budgets.schedule-unparsable", "28:5 limits.unreachable"]);
  });

  test("--preset strict turns hardening advice into denials", async () => {
    const general = join(upstream, "general-purpose.yaml");
    const baseline = JSON.parse((await run("check", general, "--format", "json")).out) as {
      findings: { severity: string }[];
    };
    const strict = await run("check", general, "--format", "json", "--preset", "strict");
    const strictReport = JSON.parse(strict.out) as { findings: { severity: string }[] };
    assert.ok(baseline.findings.every((f) => f.severity !== "deny"));
    assert.ok(strictReport.findings.some((f) => f.severity === "deny"));
    assert.equal(strict.code, 1);
  });

  test("a bad policy file: exit 2 with file:line:col", async () => {
    const dir = tempDir();
    const policy = join(dir, "policy.yaml");
    writeFileSync(
      policy,
      "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p}\nspec:\n  rules:\n    imds.http-tokenz: {enforcement: warn}\n",
    );
    const { code, err } = await run("check", upstream, "--policy", policy);
    assert.equal(code, 2);
    assert.match(
      err,
      new RegExp(
        `${policy.replaceAll("/", "\\/")}:6:5: unknown rule "imds.http-tokenz" \\(did you mean "imds.http-tokens"\\?\\)`,
      ),
    );
  });

  test("--format github, sarif and junit render the same findings", async () => {
    const file = join(projectRoot, "examples", "pools", "system.yaml");
    const github = await run("check", file, "--format", "github");
    assert.match(github.out, /^::error file=.*system\.yaml,line=7,col=3,title=schema\.structural::/m);
    const sarif = JSON.parse((await run("check", file, "--format", "sarif")).out) as {
      version: string;
      runs: { results: unknown[] }[];
    };
    assert.equal(sarif.version, "2.1.0");
    assert.ok((sarif.runs[0]?.results.length ?? 0) >= 2);
    const junit = await run("check", file, "--format", "junit");
    assert.match(junit.out, /<failure /);
  });

  test("broken YAML exits 1 and names the position; a missing file exits 2", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "bad.yaml"), "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: x\n");
    const broken = await run("check", join(dir, "bad.yaml"));
    assert.equal(broken.code, 1);
    assert.match(broken.out, /bad\.yaml:4:1/);
    assert.equal((await run("check", join(dir, "missing.yaml"))).code, 2);
  });
});

describe("poolkeeper check --base", () => {
  test("reports new, changed and deleted objects and the drift a change causes", async () => {
    const repo = tempDir();
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: repo,
        stdio: "pipe",
      });
    git("init", "-q", "-b", "main");
    cpSync(join(upstream, "general-purpose.yaml"), join(repo, "pools.yaml"));
    cpSync(join(upstream, "bottlerocket.yaml"), join(repo, "other.yaml"));
    git("add", ".");
    git("commit", "-q", "-m", "base");
    const text = readFileSync(join(repo, "pools.yaml"), "utf8");
    writeFileSync(
      join(repo, "pools.yaml"),
      text.replace(
        "    spec:\n      requirements:",
        "    metadata:\n      labels:\n        team: platform\n    spec:\n      requirements:",
      ),
    );
    execFileSync("git", ["rm", "-q", "other.yaml"], { cwd: repo });
    const { code, out } = await run("check", repo, "--base", "HEAD", "--format", "json");
    assert.equal(code, 0, out);
    const report = JSON.parse(out) as {
      changes: { kind: string; name: string; change: string }[];
      findings: { rule: string; pointer: string }[];
    };
    const states = Object.fromEntries(report.changes.map((c) => [`${c.kind}/${c.name}`, c.change]));
    assert.equal(states["NodePool/general-purpose"], "changed");
    assert.equal(states["EC2NodeClass/default"], "unchanged");
    assert.equal(states["NodePool/default"], "deleted");
    assert.equal(states["EC2NodeClass/bottlerocket"], "deleted");
    assert.ok(
      report.findings.some(
        (f) => f.rule === "change-impact.nodepool-drift" && f.pointer.startsWith("/spec/template/metadata/labels"),
      ),
      JSON.stringify(report.findings),
    );
  });

  test("an unknown ref is a usage error", async () => {
    const { code, err } = await run("check", join(projectRoot, "examples", "pools"), "--base", "no-such-ref");
    assert.equal(code, 2);
    assert.match(err, /--base no-such-ref: no such commit/);
  });
});

describe("poolkeeper fix", () => {
  test("applies fixes keeping comments, then check finds nothing fixable", async () => {
    const dir = tempDir();
    const file = join(dir, "class.yaml");
    writeFileSync(
      file,
      [
        "# our default node class",
        "apiVersion: karpenter.k8s.aws/v1",
        "kind: EC2NodeClass",
        "metadata:",
        "  name: default # the only one",
        "spec:",
        "  role: KarpenterNodeRole-demo",
        "  amiSelectorTerms:",
        '    - alias: "al2023@v20240807"',
        "  subnetSelectorTerms:",
        "    - tags: {karpenter.sh/discovery: demo}",
        "  securityGroupSelectorTerms:",
        "    - tags: {karpenter.sh/discovery: demo}",
        "  metadataOptions:",
        "    httpTokens: optional # legacy agent",
        "  blockDeviceMappings:",
        "    - deviceName: /dev/xvda",
        "      ebs:",
        "        volumeSize: 100Gi",
        "        volumeType: gp3",
        "",
      ].join("\n"),
    );
    const dry = await run("fix", file, "--dry-run");
    assert.equal(dry.code, 0);
    assert.match(dry.out, /^- {4}httpTokens: optional # legacy agent$/m);
    assert.match(dry.out, /^\+ {4}httpTokens: required # legacy agent$/m);
    assert.match(dry.out, /^\+ {8}encrypted: true$/m);
    assert.match(dry.out, /would fix 2 finding\(s\) in 1 file\(s\)/);
    assert.match(readFileSync(file, "utf8"), /httpTokens: optional/, "--dry-run writes nothing");
    const fixed = await run("fix", file);
    assert.equal(fixed.code, 0);
    const after = readFileSync(file, "utf8");
    assert.match(after, /^# our default node class$/m);
    assert.match(after, /name: default # the only one/);
    const check = JSON.parse((await run("check", file, "--format", "json")).out) as { findings: { patch?: unknown }[] };
    assert.deepEqual(
      check.findings.filter((f) => f.patch !== undefined),
      [],
    );
  });
});

describe("poolkeeper explain", () => {
  test("prints a rule's documentation, lists rules, and suggests on a typo", async () => {
    const one = await run("explain", "imds.http-tokens");
    assert.equal(one.code, 0);
    assert.match(one.out, /^### imds\.http-tokens$/m);
    const list = await run("explain");
    assert.match(list.out, /^schema\.structural +deny /m);
    const typo = await run("explain", "imds.http-token");
    assert.equal(typo.code, 2);
    assert.match(typo.err, /did you mean "imds\.http-tokens"/);
  });
});
