// `poolkeeper check --base` ratchets with the webhook's and the gate's rule (policies/ratchet.ts): a pull request
// fails for what it changes, not for a violation its base already had at a field it leaves alone; making that
// violation worse fails it. A real Git repository driven with the git CLI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { poolRepoFixture } from "../support/pool-repo.ts";

const run = async (...argv: string[]) => {
  const out = capturedOutput();
  const code = await main(argv, out);
  return { code, out: out.out, err: out.err };
};

const poolText = readFileSync(join(poolRepoFixture, "pools", "default.yaml"), "utf8");
const cpu = (value: string, text = poolText) => text.replace('cpu: "1000"', `cpu: "${value}"`);
const MAX_CPU = [
  "apiVersion: poolkeeper.dev/v1alpha1",
  "kind: PoolPolicy",
  "metadata: {name: caps}",
  "spec:",
  "  rules:",
  "    limits.max-per-pool: {params: {cpu: 1000}}",
  "",
].join("\n");

interface Finding {
  rule: string;
  severity: string;
  pointer: string;
  message: string;
}

test("check --base: an untouched violation of the base warns, one made worse or changed fails", async () => {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-check-base-"));
  try {
    const repo = join(dir, "repo");
    const policy = join(dir, "caps.yaml");
    writeFileSync(policy, MAX_CPU);
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: repo,
        stdio: "pipe",
      });
    execFileSync("git", ["init", "-q", "-b", "main", repo]);
    const pools = join(repo, "pools.yaml");
    writeFileSync(pools, cpu("1500"));
    git("add", ".");
    git("commit", "-q", "-m", "base");
    const check = async (text: string, ...base: string[]) => {
      writeFileSync(pools, text);
      const { code, out } = await run("check", repo, "--policy", policy, "--format", "json", ...base);
      const findings = (JSON.parse(out) as { findings: Finding[] }).findings;
      return { code, caps: findings.filter((f) => f.rule === "limits.max-per-pool") };
    };

    const unrelated = cpu("1500").replace("consolidateAfter: 1m", "consolidateAfter: 2m");
    const kept = await check(unrelated, "--base", "HEAD");
    assert.equal(kept.code, 0);
    assert.deepEqual(
      kept.caps.map((f) => [f.severity, f.pointer]),
      [["warn", "/spec/limits/cpu"]],
    );
    assert.match(kept.caps[0]?.message ?? "", /^pre-existing, unchanged since the previous version: /);
    // Without --base there is nothing to compare with: the violation fails the check.
    assert.equal((await check(unrelated)).code, 1);

    for (const value of ["1000000", "1200"]) {
      const worse = await check(cpu(value), "--base", "HEAD");
      assert.equal(worse.code, 1, `cpu ${value}`);
      assert.deepEqual(
        worse.caps.map((f) => f.severity),
        ["deny"],
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
