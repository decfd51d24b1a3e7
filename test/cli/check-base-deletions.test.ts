// `check --base` beyond the ratchet: --strict-base turns it off, a deleted NodePool warns that its nodes go, and
// an EC2NodeClass deleted while a NodePool of the change still references it denies (the webhook's rule id).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { NODE_CLASS_IN_USE } from "../../webhook/admission/index.ts";
import { projectRoot } from "../support/fixtures.ts";
import { poolRepoFixture } from "../support/pool-repo.ts";

interface Finding {
  rule: string;
  severity: string;
  object: { kind: string; name: string };
  message: string;
}

const run = async (...argv: string[]) => {
  const out = capturedOutput();
  const code = await main(argv, out);
  const report = JSON.parse(out.out) as { findings: Finding[]; rules: Record<string, { title: string }> };
  return { code, findings: report.findings, rules: report.rules };
};

const upstream = join(projectRoot, "test", "fixtures", "upstream");
const generalPurpose = readFileSync(join(upstream, "general-purpose.yaml"), "utf8");
// general-purpose.yaml: a NodePool "general-purpose" referencing the EC2NodeClass "default" after it.
const [poolDoc = "", classDoc = ""] = generalPurpose.split(/^---\n/m).filter((d) => /^kind:/m.test(d));

function repoWithBase(files: Record<string, string>): { repo: string; git: (...args: string[]) => void } {
  const repo = mkdtempSync(join(tmpdir(), "poolkeeper-deletions-"));
  const git = (...args: string[]) => {
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, stdio: "pipe" });
  };
  git("init", "-q", "-b", "main");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(repo, name), text);
  git("add", ".");
  git("commit", "-q", "-m", "base");
  return { repo, git };
}

test("deleting a NodePool warns that its nodes are drained and terminated", async () => {
  const { repo, git } = repoWithBase({
    "pools.yaml": generalPurpose,
    "extra.yaml": poolDoc.replace("general-purpose", "batch"),
  });
  git("rm", "-q", "extra.yaml");
  const { code, findings, rules } = await run("check", repo, "--base", "HEAD", "--format", "json");
  const deleted = findings.filter((f) => f.object.name === "batch");
  // A registered check: the report describes it as it describes the rules (docs/policies.md has its entry).
  assert.equal(rules["change-impact.nodepool-deleted"]?.title, "Deleting a NodePool drains and terminates its nodes");
  assert.deepEqual(
    deleted.map((f) => [f.severity, f.object.kind, f.rule]),
    [["warn", "NodePool", "change-impact.nodepool-deleted"]],
  );
  assert.match(deleted[0]?.message ?? "", /drains and terminates every node/);
  assert.equal(code, 0);
  rmSync(repo, { recursive: true, force: true });
});

test("deleting an EC2NodeClass a NodePool still references denies; deleting both passes", async () => {
  const { repo, git } = repoWithBase({ "pool.yaml": `---\n${poolDoc}`, "class.yaml": `---\n${classDoc}` });
  git("rm", "-q", "class.yaml");
  const inUse = await run("check", repo, "--base", "HEAD", "--format", "json");
  assert.equal(inUse.code, 1);
  const denial = inUse.findings.find((f) => f.rule === NODE_CLASS_IN_USE);
  assert.equal(denial?.severity, "deny");
  assert.deepEqual([denial?.object.kind, denial?.object.name], ["EC2NodeClass", "default"]);
  assert.match(denial?.message ?? "", /"general-purpose" still references it/);

  git("rm", "-q", "pool.yaml");
  writeFileSync(join(repo, "other.yaml"), readFileSync(join(upstream, "bottlerocket.yaml"), "utf8"));
  const both = await run("check", repo, "--base", "HEAD", "--format", "json");
  assert.deepEqual(
    both.findings.filter((f) => f.rule === NODE_CLASS_IN_USE),
    [],
  );
  rmSync(repo, { recursive: true, force: true });
});

test("--strict-base: a violation the base already had denies again", async () => {
  const poolText = readFileSync(join(poolRepoFixture, "pools", "default.yaml"), "utf8");
  const insecure = poolText.replace("httpTokens: required", "httpTokens: optional");
  const { repo } = repoWithBase({ "pools.yaml": insecure });
  writeFileSync(join(repo, "pools.yaml"), insecure.replace("consolidateAfter: 1m", "consolidateAfter: 2m"));
  const ratcheted = await run("check", repo, "--base", "HEAD", "--format", "json");
  const strict = await run("check", repo, "--base", "HEAD", "--strict-base", "--format", "json");
  const imds = (fs: Finding[]) => fs.filter((f) => f.rule === "imds.http-tokens").map((f) => f.severity);
  assert.deepEqual(imds(ratcheted.findings), ["warn"]);
  assert.equal(ratcheted.code, 0);
  assert.deepEqual(imds(strict.findings), ["deny"]);
  assert.equal(strict.code, 1);
  rmSync(repo, { recursive: true, force: true });
});
