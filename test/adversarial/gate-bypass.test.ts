// Attacks on the Git gate through what it trusts: a forged status commit naming a rejected commit as the last
// good state, a change that loosens policies/ and breaks them at once, and an unsigned commit restored past
// --allowed-signers. Each runs against a real Git server (`git http-backend`) driven by the git CLI.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { parseAllowedSigners, type AllowedSigner } from "../../gitops/commit-signature.ts";
import { startGitServer, type GitServer } from "../support/git-server.ts";
import { STATUS_BRANCH, syncController } from "../support/sync-controller.ts";
import {
  createPoolRepo,
  gitCli,
  IMDS_WARN_POLICY,
  insecurePool,
  poolWithCpuLimit,
  type PoolRepo,
} from "../support/pool-repo.ts";

const AUTH = { username: "bot", password: "gate-Pa55-bypass" };
const STATUS = STATUS_BRANCH;

/** What a pull request loosening policies/ adds. */
const LOOSE_POLICY = IMDS_WARN_POLICY;

describe("gate bypass attempts", () => {
  let server: GitServer;
  let tmp: string;
  let n = 0;

  before(async () => {
    server = await startGitServer({ auth: AUTH });
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-gate-bypass-"));
  });
  after(async () => {
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** A controller over its own cache: source, status writer, publisher, syncer. */
  function controller(repo: PoolRepo, signers?: readonly AllowedSigner[]) {
    const cacheDir = join(tmp, `cache-${++n}`);
    return syncController({
      url: repo.url,
      cacheDir,
      credentials: AUTH,
      manual: true,
      ...(signers ? { signers } : {}),
    });
  }

  /** `poolkeeper sync --once` with the credentials in the environment, as a CI job runs it. */
  async function once(repo: PoolRepo, cache: string, ...extra: string[]) {
    const saved = { ...process.env };
    Object.assign(process.env, { POOLKEEPER_GIT_USERNAME: AUTH.username, POOLKEEPER_GIT_PASSWORD: AUTH.password });
    try {
      const out = capturedOutput();
      const code = await main(["sync", "--once", "--repo", repo.url, "--cache-dir", cache, ...extra], out);
      return { code, out: out.out, err: out.err };
    } finally {
      process.env = saved;
    }
  }

  /** Pushes a status commit written by hand (anyone with push access to the status branch can). */
  async function forgeStatus(repo: PoolRepo, message: string): Promise<void> {
    const tip = `refs/remotes/check/${STATUS}`;
    await gitCli(repo.work, "fetch", "--quiet", repo.pushUrl, `+${STATUS}:${tip}`);
    const forged = await gitCli(repo.work, "commit-tree", `${tip}^{tree}`, "-p", tip, "-m", message);
    await gitCli(repo.work, "push", "--quiet", repo.pushUrl, `${forged}:refs/heads/${STATUS}`);
  }

  const forgedAcceptance = (sha: string) =>
    `status(prod): accepted ${sha.slice(0, 7)} — 1 pool\n\nPoolkeeper-Cluster: prod\nPoolkeeper-Source: ${sha}\n`;

  /** The status branch's trailers, newest commit first, as the git CLI reads them. */
  async function statusTrailers(repo: PoolRepo): Promise<string[]> {
    await gitCli(repo.work, "fetch", "--quiet", repo.pushUrl, `+${STATUS}:refs/remotes/check/${STATUS}`);
    const log = await gitCli(repo.work, "log", "--format=%(trailers)%x00", `refs/remotes/check/${STATUS}`);
    return log.split("\0").map((t) => t.trim());
  }

  it("a forged Poolkeeper-Source naming a rejected commit is not restored; the restart rejects it again", async () => {
    const repo = await createPoolRepo(server, `forged-${++n}`, tmp, AUTH);
    const good = await gitCli(repo.work, "rev-parse", "HEAD");
    const first = controller(repo);
    await first.syncer.restore();
    assert.equal((await first.syncer.sync()).outcome, "accepted");
    const bad = await repo.commit("pools: allow IMDSv1", { "pools/default.yaml": insecurePool(repo) });
    await repo.push();
    assert.equal((await first.syncer.sync()).outcome, "rejected");
    await first.publisher.flush();

    await forgeStatus(repo, forgedAcceptance(bad));

    const restarted = controller(repo);
    const restored = await restarted.syncer.restore();
    assert.equal(restored?.sha, good, "the last good state is the one the gate accepted, not the forged one");
    assert.equal(restarted.syncer.desiredState?.nodeClasses[0]?.spec?.metadataOptions?.httpTokens, "required");
    const again = await restarted.syncer.sync();
    assert.equal(again.outcome, "rejected");
    assert.equal(again.sha, bad);
    assert.equal(again.accepted, false);
    assert.equal(again.desiredState?.sha, good);
    await restarted.publisher.close();

    const [newest] = await statusTrailers(repo);
    assert.match(newest ?? "", new RegExp(`^Poolkeeper-Source: ${good}$`, "m"));
    assert.match(newest ?? "", new RegExp(`^Poolkeeper-Rejected: ${bad}$`, "m"));
    // The forged state is reported, not silently skipped.
    const [b7, g7] = [bad.slice(0, 7), good.slice(0, 7)];
    assert.match(
      newest ?? "",
      new RegExp(
        `^Poolkeeper-Event: rejected: the status branch names ${b7} as the last good state, but commit ${b7} ` +
          `rejected: 1 denial \\(imds\\.http-tokens on EC2NodeClass/default\\); last good ${g7} restored instead$`,
        "m",
      ),
    );
  });

  it("sync --once exits 1, not 0, when the status branch names the rejected head as last good", async () => {
    const repo = await createPoolRepo(server, `forged-once-${++n}`, tmp, AUTH);
    const cache = join(tmp, `cache-once-${n}`);
    assert.equal((await once(repo, cache)).code, 0);
    const bad = await repo.commit("pools: allow IMDSv1", { "pools/default.yaml": insecurePool(repo) });
    await repo.push();
    assert.equal((await once(repo, cache)).code, 1);

    await forgeStatus(repo, forgedAcceptance(bad));
    const forged = await once(repo, cache);
    assert.match(forged.out, new RegExp(`commit ${bad.slice(0, 7)} rejected`));
    assert.equal(forged.code, 1, forged.out + forged.err);
  });

  it("a commit that loosens policies/ and adds what they forbid is judged by the last accepted policies", async () => {
    const repo = await createPoolRepo(server, `loosen-${++n}`, tmp, AUTH);
    const good = await gitCli(repo.work, "rev-parse", "HEAD");
    const { syncer } = controller(repo);
    assert.equal((await syncer.sync()).outcome, "accepted");

    await repo.commit("pools: IMDSv1, and a policy that allows it", {
      "policies/legacy.yaml": LOOSE_POLICY,
      "pools/default.yaml": insecurePool(repo),
    });
    await repo.push();
    const both = await syncer.sync();
    assert.equal(both.outcome, "rejected", both.judgement?.reason);
    assert.ok(both.findings.some((f) => f.rule === "imds.http-tokens" && f.severity === "deny"));
    assert.equal(both.desiredState?.sha, good);
    assert.match(both.judgement?.reason ?? "", new RegExp(`policies of ${good.slice(0, 7)}`));

    // A commit after it changes nothing: its policies were never accepted, so they still do not apply.
    await repo.commit("empty", {});
    await repo.push();
    assert.equal((await syncer.sync()).outcome, "rejected");

    // The loosening alone is accepted (the pool as it was) ...
    const loosened = await repo.commit("pools: IMDSv2 again, keep the policy", {
      "pools/default.yaml": repo.read("pools/default.yaml").replace("httpTokens: optional", "httpTokens: required"),
    });
    await repo.push();
    const policyOnly = await syncer.sync();
    assert.equal(policyOnly.outcome, "accepted", policyOnly.judgement?.reason);
    assert.equal(policyOnly.desiredState?.sha, loosened);

    // ... and applies to the commits after it.
    const insecure = await repo.commit("pools: IMDSv1", { "pools/default.yaml": insecurePool(repo) });
    await repo.push();
    const next = await syncer.sync();
    assert.equal(next.outcome, "accepted", next.judgement?.reason);
    assert.equal(next.desiredState?.sha, insecure);
    assert.ok(next.findings.some((f) => f.rule === "imds.http-tokens" && f.severity === "warn"));

    // A pool change after that (the pool otherwise unchanged) is judged with the loosened policies too.
    await repo.commit("pools: cpu 1200", { "pools/default.yaml": poolWithCpuLimit(repo, 1200) });
    await repo.push();
    assert.equal((await syncer.sync()).outcome, "accepted");
  });

  it("a first sync judges with the commit's own policies, or with --policy files kept outside the repository", async () => {
    const repo = await createPoolRepo(server, `first-${++n}`, tmp, AUTH);
    await repo.commit("pools: IMDSv1, and a policy that allows it", {
      "policies/legacy.yaml": LOOSE_POLICY,
      "pools/default.yaml": insecurePool(repo),
    });
    await repo.push();
    const strict = join(tmp, `outside-policy-${n}.yaml`);
    writeFileSync(strict, LOOSE_POLICY.replace("legacy-imds", "outside").replace("warn", "deny"));
    const own = await once(repo, join(tmp, `c-${++n}`), "--no-status");
    assert.equal(own.code, 0, own.out + own.err);
    const outside = await once(repo, join(tmp, `c-${++n}`), "--no-status", "--policy", strict);
    assert.equal(outside.code, 1, outside.out + outside.err);
    assert.match(outside.out, /imds\.http-tokens/);
  });

  it("--allowed-signers still applies to the commit a restart restores", async () => {
    const repo = await createPoolRepo(server, `signed-${++n}`, tmp, AUTH);
    const key = join(tmp, `signer-${n}`);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "platform@example.test", "-f", key]);
    const parsed = parseAllowedSigners(
      `platform@example.test ${readFileSync(`${key}.pub`, "utf8")}`,
      "allowed_signers",
    );
    assert.deepEqual(parsed.errors, []);
    const signers = parsed.signers;

    const first = controller(repo, signers);
    assert.equal((await first.syncer.sync()).outcome, "rejected", "the fixture's first commit is unsigned");
    await gitCli(
      repo.work,
      "-c",
      "gpg.format=ssh",
      "-c",
      `user.signingkey=${key}`,
      "commit",
      "--quiet",
      "--allow-empty",
      "-S",
      "-m",
      "signed",
    );
    const signed = await gitCli(repo.work, "rev-parse", "HEAD");
    await repo.push();
    assert.equal((await first.syncer.sync()).outcome, "accepted");
    const unsigned = await repo.commit("pools: cpu 1500", { "pools/default.yaml": poolWithCpuLimit(repo, 1500) });
    await repo.push();
    assert.equal((await first.syncer.sync()).outcome, "rejected");
    await first.publisher.flush();

    await forgeStatus(repo, forgedAcceptance(unsigned));
    const restarted = controller(repo, signers);
    const restored = await restarted.syncer.restore();
    assert.equal(restored?.sha, signed);
    const again = await restarted.syncer.sync();
    assert.equal(again.outcome, "rejected");
    assert.match(again.judgement?.reason ?? "", /signature: commit is not signed/);
    assert.equal(again.desiredState?.sha, signed);
  });
});
