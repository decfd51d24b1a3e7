// The policy gate over plain files (pure): what accepts a commit, what rejects it, and the reason it gives.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig, type PoolkeeperConfig } from "../../gitops/config.ts";
import { judgeCommit, type CommitFiles } from "../../gitops/gate.ts";
import { IMDS_WARN_POLICY, poolRepoFixture } from "../support/pool-repo.ts";

const NOW = new Date("2026-11-25T10:00:00Z");
const configText = readFileSync(join(poolRepoFixture, "poolkeeper.yaml"), "utf8");
const poolText = readFileSync(join(poolRepoFixture, "pools", "default.yaml"), "utf8");
const config = loadConfig(configText, "poolkeeper.yaml").config as PoolkeeperConfig;
const insecure = poolText.replace("httpTokens: required", "httpTokens: optional");

function files(pools: Record<string, string>, policies: Record<string, string> = {}): CommitFiles {
  return {
    sha: "0123456789abcdef0123456789abcdef01234567",
    config,
    configProblems: [],
    pools: Object.entries(pools).map(([path, text]) => ({ path, text })),
    policies: Object.entries(policies).map(([path, text]) => ({ path, text })),
  };
}

describe("judgeCommit", () => {
  it("accepts the fixture repository, with its desired state in v1 with defaults", () => {
    const j = judgeCommit(files({ "pools/default.yaml": poolText }), { now: NOW });
    assert.equal(j.accepted, true);
    assert.equal(j.reason, "commit 0123456 accepted with 1 warning");
    assert.equal(j.desiredState?.nodePools.length, 1);
    assert.equal(j.desiredState?.nodeClasses.length, 1);
    // A default the API server applies, absent from the file:
    assert.equal(j.desiredState?.nodeClasses[0]?.spec?.metadataOptions?.httpEndpoint, "enabled");
    assert.equal(j.desiredState?.nodePools[0]?.spec.template.spec.nodeClassRef.kind, "EC2NodeClass");
  });

  it("rejects a denial, naming rule and object", () => {
    const j = judgeCommit(files({ "pools/default.yaml": insecure }), { now: NOW });
    assert.equal(j.accepted, false);
    assert.equal(j.reason, "commit 0123456 rejected: 1 denial (imds.http-tokens on EC2NodeClass/default)");
    assert.ok(j.desiredState, "the commit's objects are still known (for the report)");
  });

  it("follows the repository's policies: a rule turned off no longer denies", () => {
    const j = judgeCommit(files({ "pools/default.yaml": insecure }, { "policies/legacy.yaml": IMDS_WARN_POLICY }), {
      now: NOW,
    });
    assert.equal(j.accepted, true, j.reason);
    assert.ok(j.findings.some((f) => f.rule === "imds.http-tokens" && f.severity === "warn"));
  });

  it("rejects a policy that does not load instead of judging without it", () => {
    const broken =
      "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolPolicy\nmetadata: {name: x}\nspec:\n  rules:\n    imds.http-tokenz: {enforcement: audit}\n";
    const j = judgeCommit(files({ "pools/default.yaml": poolText }, { "policies/x.yaml": broken }), { now: NOW });
    assert.equal(j.accepted, false);
    assert.match(
      j.reason,
      /^commit 0123456 rejected: 1 problem \(policies\/x\.yaml:6:5: .*imds\.http-tokenz.*imds\.http-tokens/,
    );
  });

  it("rejects a missing config with the reason", () => {
    const j = judgeCommit(
      {
        sha: "f".repeat(40),
        configProblems: [{ file: "poolkeeper.yaml", line: 1, col: 1, message: "poolkeeper.yaml is missing" }],
        pools: [],
        policies: [],
      },
      { now: NOW },
    );
    assert.equal(j.accepted, false);
    assert.equal(j.desiredState, undefined);
    assert.equal(j.reason, "commit fffffff rejected: 1 problem (poolkeeper.yaml:1:1: poolkeeper.yaml is missing)");
  });

  it("compares with the previous desired state: change-impact rules see the change", () => {
    const before = judgeCommit(files({ "pools/default.yaml": poolText }), { now: NOW });
    const amiChanged = poolText.replace("alias: al2023@v20250117", "alias: al2023@v20250301");
    const alone = judgeCommit(files({ "pools/default.yaml": amiChanged }), { now: NOW });
    const compared = judgeCommit(files({ "pools/default.yaml": amiChanged }), {
      now: NOW,
      previous: before.desiredState,
    });
    const impact = (j: typeof alone) => j.findings.filter((f) => f.rule.startsWith("change-impact."));
    assert.deepEqual(impact(alone), []);
    assert.ok(impact(compared).length > 0, "the AMI change replaces every node of the class");
  });

  it("rejects a signature problem even when policy passes", () => {
    const j = judgeCommit(files({ "pools/default.yaml": poolText }), {
      now: NOW,
      signatureProblem: "commit 0123456 signature: commit is not signed",
    });
    assert.equal(j.accepted, false);
    assert.equal(j.reason, "commit 0123456 rejected: 1 problem (commit 0123456 signature: commit is not signed)");
  });
});
