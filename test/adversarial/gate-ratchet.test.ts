// The Git gate ratchets against the last good state with the webhook's rule (policies/ratchet.ts): once a policy
// tightens, a commit may leave an old violation alone (it is accepted, with a warning), but one that makes it
// worse, or touches it at all, is judged in full. Pure: commits as files, the last good state as the gate left it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type PoolkeeperConfig } from "../../gitops/config.ts";
import { judgeCommit, type CommitFiles, type DesiredState } from "../../gitops/gate.ts";
import { poolRepoFixture } from "../support/pool-repo.ts";

const NOW = new Date("2026-11-25T10:00:00Z");
const config = loadConfig(readFileSync(join(poolRepoFixture, "poolkeeper.yaml"), "utf8"), "poolkeeper.yaml")
  .config as PoolkeeperConfig;
const poolText = readFileSync(join(poolRepoFixture, "pools", "default.yaml"), "utf8");
const MAX_CPU = [
  "apiVersion: poolkeeper.dev/v1alpha1",
  "kind: PoolPolicy",
  "metadata: {name: caps}",
  "spec:",
  "  rules:",
  "    limits.max-per-pool: {params: {cpu: 1000}}",
  "",
].join("\n");

let commits = 0;
function commit(pool: string, policies: Record<string, string> = {}): CommitFiles {
  commits++;
  return {
    sha: commits.toString(16).padStart(40, "0"),
    config,
    configProblems: [],
    pools: [{ path: "pools/default.yaml", text: pool }],
    policies: Object.entries(policies).map(([path, text]) => ({ path, text })),
  };
}

const cpu = (value: string) => poolText.replace('cpu: "1000"', `cpu: "${value}"`);

function lastGood(files: CommitFiles, previous?: DesiredState): DesiredState {
  const j = judgeCommit(files, { now: NOW, ...(previous ? { previous } : {}) });
  assert.equal(j.accepted, true, j.reason);
  assert.ok(j.desiredState);
  return j.desiredState;
}

test("after a policy tightens, a commit that leaves the old violation alone is accepted with a warning", () => {
  const before = lastGood(commit(cpu("1500")));
  // The policy arrives with an unrelated change to the same pool.
  const tightened = commit(cpu("1500").replace("consolidateAfter: 1m", "consolidateAfter: 2m"), {
    "policies/caps.yaml": MAX_CPU,
  });
  const j = judgeCommit(tightened, { now: NOW, previous: before });
  assert.equal(j.accepted, true, j.reason);
  const held = j.findings.filter((f) => f.rule === "limits.max-per-pool");
  assert.deepEqual(
    held.map((f) => [f.severity, f.pointer]),
    [["warn", "/spec/limits/cpu"]],
  );
  assert.match(held[0]?.message ?? "", /^pre-existing, unchanged since the previous version: .*limits\.cpu 1500/);
  // Without a last good state there is nothing to ratchet against: the same commit is rejected.
  assert.equal(judgeCommit(tightened, { now: NOW }).accepted, false);
});

test("a commit that makes the old violation worse, or changes it without fixing it, is rejected", () => {
  const policies = { "policies/caps.yaml": MAX_CPU };
  const before = lastGood(commit(cpu("1500")));
  const tightened = lastGood(commit(cpu("1500"), policies), before);
  for (const value of ["1000000", "1200"]) {
    const j = judgeCommit(commit(cpu(value), policies), { now: NOW, previous: tightened });
    assert.equal(j.accepted, false, `cpu ${value}: ${j.reason}`);
    assert.match(j.reason, /1 denial \(limits\.max-per-pool on NodePool\/default\)/);
  }
  // Fixing it is accepted, and says nothing about it any more.
  const fixed = judgeCommit(commit(cpu("800"), policies), { now: NOW, previous: tightened });
  assert.equal(fixed.accepted, true, fixed.reason);
  assert.ok(!fixed.findings.some((f) => f.rule === "limits.max-per-pool"));
});
