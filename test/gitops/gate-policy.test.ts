// Which policies judge a commit (pure): the last accepted commit's, or --policy files; the commit's own only when
// there is neither. A change to policies/ or the preset cannot approve the commit that brings it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig, type PoolkeeperConfig } from "../../gitops/config.ts";
import { judgeCommit, type CommitFiles, type DesiredState } from "../../gitops/gate.ts";
import { gatePolicy } from "../../gitops/gate-policy.ts";
import { IMDS_WARN_POLICY, poolRepoFixture } from "../support/pool-repo.ts";

const NOW = new Date("2026-11-25T10:00:00Z");
const configText = readFileSync(join(poolRepoFixture, "poolkeeper.yaml"), "utf8");
const poolText = readFileSync(join(poolRepoFixture, "pools", "default.yaml"), "utf8");
const insecure = poolText.replace("httpTokens: required", "httpTokens: optional");
const LOOSE = { path: "policies/legacy.yaml", text: IMDS_WARN_POLICY };

function config(preset: "baseline" | "strict"): PoolkeeperConfig {
  return loadConfig(configText.replace("cluster: prod", `cluster: prod\n  preset: ${preset}`), "poolkeeper.yaml")
    .config as PoolkeeperConfig;
}

function commit(sha: string, pool: string, policies: CommitFiles["policies"] = []): CommitFiles {
  return {
    sha,
    config: config("baseline"),
    configProblems: [],
    pools: [{ path: "pools/default.yaml", text: pool }],
    policies,
  };
}

/** What a judged and accepted commit leaves as the last good state. */
function accepted(files: CommitFiles): DesiredState {
  const j = judgeCommit(files, { now: NOW });
  assert.equal(j.accepted, true, j.reason);
  assert.ok(j.desiredState);
  return j.desiredState;
}

describe("gatePolicy", () => {
  const good = accepted(commit("a".repeat(40), poolText));

  it("leaves a first commit to its own policies, unless --policy files are given", () => {
    const first = commit("b".repeat(40), insecure, [LOOSE]);
    assert.equal(gatePolicy(first, undefined, undefined), undefined);
    assert.equal(judgeCommit(first, { now: NOW }).accepted, true, "its own policy allows it");
    const outside = gatePolicy(first, undefined, []);
    assert.deepEqual(outside, { origin: "the --policy files", files: [], preset: "baseline" });
    const j = judgeCommit(first, { now: NOW, policy: outside });
    assert.equal(j.accepted, false);
    assert.equal(
      j.reason,
      "commit bbbbbbb rejected: 1 denial (imds.http-tokens on EC2NodeClass/default); judged with the --policy files, not its own",
    );
  });

  it("judges a commit that loosens policies/ and breaks them with the last accepted commit's", () => {
    const both = commit("c".repeat(40), insecure, [LOOSE]);
    const policy = gatePolicy(both, good, undefined);
    assert.equal(policy?.origin, "the policies of aaaaaaa, the last accepted commit");
    const j = judgeCommit(both, { now: NOW, previous: good, policy });
    assert.equal(j.accepted, false);
    assert.match(j.reason, /imds\.http-tokens on EC2NodeClass\/default\); judged with the policies of aaaaaaa/);
    assert.deepEqual(j.desiredState?.policies, [LOOSE], "its own policies are kept for the commits after it");
  });

  it("applies accepted policies to the next commit", () => {
    const loosened = accepted(commit("d".repeat(40), poolText, [LOOSE]));
    const next = commit("e".repeat(40), insecure, [LOOSE]);
    const j = judgeCommit(next, { now: NOW, previous: loosened, policy: gatePolicy(next, loosened, undefined) });
    assert.equal(j.accepted, true, j.reason);
    assert.ok(j.findings.some((f) => f.rule === "imds.http-tokens" && f.severity === "warn"));
  });

  it("keeps the last accepted commit's preset: strict → baseline does not approve itself", () => {
    const strict = accepted({
      ...commit("f".repeat(40), poolText),
      config: config("strict"),
      pools: [],
    });
    const back = commit("1".repeat(40), poolText);
    const policy = gatePolicy(back, strict, undefined);
    assert.equal(policy?.preset, "strict");
    const j = judgeCommit(back, { now: NOW, previous: strict, policy });
    assert.equal(j.accepted, false);
    assert.ok(j.findings.some((f) => f.rule === "disruption.termination-grace-period" && f.severity === "deny"));
  });

  it("still rejects a commit whose own policy does not load, though another judges it", () => {
    const broken = { path: "policies/x.yaml", text: LOOSE.text.replace("imds.http-tokens", "imds.http-tokenz") };
    const next = commit("2".repeat(40), poolText, [broken]);
    const j = judgeCommit(next, { now: NOW, previous: good, policy: gatePolicy(next, good, undefined) });
    assert.equal(j.accepted, false);
    assert.match(j.reason, /policies\/x\.yaml:6:5: .*imds\.http-tokenz/);
  });
});
