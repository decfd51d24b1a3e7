// The Git gate end to end against a real Git server (`git http-backend`): clone and sync, rejected commits
// keep the last good state, a restart restores it from the status branch, force-pushes are reported,
// concurrent status writers and an outage lose nothing, and the history is checked with the `git` CLI.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { systemClock } from "../../api/ports.ts";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseAllowedSigners } from "../../gitops/commit-signature.ts";
import { SourceError, openSource } from "../../gitops/source.ts";
import { startSyncLoop } from "../../gitops/sync-loop.ts";
import { Syncer, type SyncResult } from "../../gitops/sync.ts";
import { createLogger } from "../../runtime/index.ts";
import { startGitServer, type GitServer } from "../support/git-server.ts";
import {
  createPoolRepo,
  gitCli,
  insecurePool,
  poolWithCpuLimit,
  type PoolRepo,
  IMDS_WARN_POLICY,
} from "../support/pool-repo.ts";
import { syncController } from "../support/sync-controller.ts";

const AUTH = { username: "bot", password: "s3cret-Pa55word-sync" };
const STATUS = "poolkeeper-status";

/** A logger whose lines are kept, to check what is (not) logged. */
function memoryLogger() {
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
}

describe("Syncer against a real Git server", () => {
  let server: GitServer;
  let tmp: string;
  let n = 0;

  before(async () => {
    server = await startGitServer({ auth: AUTH });
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-sync-"));
  });
  after(async () => {
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** A controller: source, status writer, publisher and syncer over its own cache dirs. */
  function controller(
    repo: PoolRepo,
    options: { cache?: string; cluster?: string; path?: string; cloneDepth?: number } = {},
  ) {
    const cache = options.cache ?? join(tmp, `cache-${++n}`);
    const { logger, lines } = memoryLogger();
    const { syncer, publisher, writer } = syncController({
      url: repo.url,
      cacheDir: cache,
      credentials: AUTH,
      logger,
      ...(options.cluster ? { cluster: options.cluster } : {}),
      ...(options.path ? { path: options.path } : {}),
      ...(options.cloneDepth === undefined ? {} : { cloneDepth: options.cloneDepth }),
    });
    return { syncer, publisher, writer, lines, cache };
  }

  /** The status branch as the git CLI sees it: subjects and trailers, newest first. */
  async function statusLog(repo: PoolRepo): Promise<string> {
    await gitCli(repo.work, "fetch", "--quiet", repo.pushUrl, `+${STATUS}:refs/remotes/check/${STATUS}`);
    const log = await gitCli(repo.work, "log", "--format=%s%n%(trailers)", `refs/remotes/check/${STATUS}`);
    return log.replace(/\n+/g, "\n").trim();
  }

  async function statusFile(repo: PoolRepo, path: string): Promise<string> {
    await gitCli(repo.work, "fetch", "--quiet", repo.pushUrl, `+${STATUS}:refs/remotes/check/${STATUS}`);
    return gitCli(repo.work, "show", `refs/remotes/check/${STATUS}:${path}`);
  }

  it("clones, accepts the head and commits its status with trailers", async () => {
    const repo = await createPoolRepo(server, `accept-${++n}`, tmp, AUTH);
    const head = await gitCli(repo.work, "rev-parse", "HEAD");
    const { syncer, publisher } = controller(repo);
    assert.equal(await syncer.restore(), undefined); // no status branch yet
    const result = await syncer.sync();
    assert.equal(result.outcome, "accepted");
    assert.equal(result.sha, head);
    assert.equal(result.desiredState?.sha, head);
    assert.deepEqual(
      result.desiredState?.nodePools.map((p) => p.metadata.name),
      ["default"],
    );
    assert.deepEqual(
      result.desiredState?.nodeClasses.map((c) => c.metadata.name),
      ["default"],
    );
    // Defaults applied: the pool's budgets and weight-less spec as the API server would store it.
    assert.equal(result.desiredState?.nodeClasses[0]?.spec?.metadataOptions?.httpTokens, "required");
    assert.ok(result.findings.some((f) => f.severity === "warn"));
    const written = await publisher.flush();
    assert.equal(written?.pushed, true);

    const log = await statusLog(repo);
    assert.equal(
      log,
      [
        `status(prod): accepted ${head.slice(0, 7)} — 1 pool, 1 warning`,
        "Poolkeeper-Cluster: prod",
        `Poolkeeper-Source: ${head}`,
        `Poolkeeper-Event: accepted: commit ${head.slice(0, 7)} accepted with 1 warning`,
      ].join("\n"),
    );
    const pool = await statusFile(repo, "status/prod/default.yaml");
    assert.match(pool, new RegExp(`sha: ${head}`));
    assert.match(pool, /accepted: true/);
    assert.match(pool, /cpu: "1000"/);
    assert.match(await statusFile(repo, "status/prod/summary.md"), /default/);

    // Nothing new: no sync work, no commit.
    const again = await syncer.sync();
    assert.equal(again.outcome, "unchanged");
    assert.equal(await publisher.flush(), undefined);
    assert.equal((await statusLog(repo)).split("\n").length, 4);
  });

  it("restores a last good commit older than a shallow clone, and sees the head descend from it", async () => {
    const repo = await createPoolRepo(server, `shallow-${++n}`, tmp, AUTH);
    const good = await gitCli(repo.work, "rev-parse", "HEAD");
    const first = controller(repo);
    assert.equal((await first.syncer.sync()).outcome, "accepted");
    await first.publisher.flush();
    await repo.commit("pools: allow IMDSv1", { "pools/default.yaml": insecurePool(repo) });
    await repo.commit("pools: a note", { "README.md": "still insecure\n" });
    const head = await repo.commit("pools: another note", { "README.md": "still insecure, twice\n" });
    await repo.push();

    // A restart without the cache, cloning one commit: the last good one is three below the head.
    const restarted = controller(repo, { cloneDepth: 1 });
    assert.equal((await restarted.syncer.restore())?.sha, good);
    const afterRestart = await restarted.syncer.sync();
    assert.equal(afterRestart.outcome, "rejected");
    assert.equal(afterRestart.sha, head);
    assert.equal(afterRestart.desiredState?.sha, good);
    assert.equal(afterRestart.rewritten, undefined, "the head descends from the restored commit");
  });

  it("rejects a commit that breaks policy and keeps the last good state; a restart restores it", async () => {
    const repo = await createPoolRepo(server, `reject-${++n}`, tmp, AUTH);
    const good = await gitCli(repo.work, "rev-parse", "HEAD");
    const first = controller(repo);
    await first.syncer.sync();
    await first.publisher.flush();

    const bad = await repo.commit("pools: allow IMDSv1", { "pools/default.yaml": insecurePool(repo) });
    await repo.push();
    const rejected = await first.syncer.sync();
    assert.equal(rejected.outcome, "rejected");
    assert.equal(rejected.sha, bad);
    assert.equal(rejected.accepted, false);
    assert.equal(rejected.desiredState?.sha, good, "the last good state stays in force");
    assert.equal(rejected.desiredState?.nodeClasses[0]?.spec?.metadataOptions?.httpTokens, "required");
    assert.ok(rejected.findings.some((f) => f.rule === "imds.http-tokens" && f.severity === "deny"));
    await first.publisher.flush();

    const log = await statusLog(repo);
    const newest = log.split("\n").slice(0, 5).join("\n");
    assert.equal(
      newest,
      [
        `status(prod): rejected ${bad.slice(0, 7)} (1 denial); last good ${good.slice(0, 7)}`,
        "Poolkeeper-Cluster: prod",
        `Poolkeeper-Source: ${good}`,
        `Poolkeeper-Rejected: ${bad}`,
        `Poolkeeper-Event: rejected: commit ${bad.slice(0, 7)} rejected: 1 denial (imds.http-tokens on EC2NodeClass/default); last good ${good.slice(0, 7)} stays in force`,
      ].join("\n"),
    );
    const summary = await statusFile(repo, "status/prod/default.yaml");
    assert.match(summary, new RegExp(`rejectedSha: ${bad}`));

    // A new process with an empty cache (a pod without its volume) while the head is bad.
    const restarted = controller(repo);
    const restored = await restarted.syncer.restore();
    assert.equal(restored?.sha, good);
    assert.equal(restarted.syncer.desiredState?.nodeClasses[0]?.spec?.metadataOptions?.httpTokens, "required");
    const afterRestart = await restarted.syncer.sync();
    assert.equal(afterRestart.outcome, "rejected");
    assert.equal(afterRestart.desiredState?.sha, good);
    assert.equal(afterRestart.rewritten, undefined, "the bad head descends from the restored one");
    await restarted.publisher.flush();
    const rejections = (await statusLog(repo)).split("\n").filter((l) => l.startsWith("Poolkeeper-Event: rejected"));
    assert.equal(rejections.length, 1, "the restart does not report the same rejection again");

    // The fix is accepted and becomes the desired state.
    const fixed = await repo.commit("pools: raise the CPU limit", {
      "pools/default.yaml": poolWithCpuLimit(repo, 2000),
    });
    await repo.commit("pools: IMDSv2 again", {
      "pools/default.yaml": repo.read("pools/default.yaml").replace("httpTokens: optional", "httpTokens: required"),
    });
    await repo.push();
    const accepted = await restarted.syncer.sync();
    assert.equal(accepted.outcome, "accepted");
    assert.notEqual(accepted.sha, fixed);
    assert.equal(accepted.desiredState?.sha, accepted.sha);
    assert.equal(accepted.desiredState?.nodePools[0]?.spec.limits?.cpu, "2000");
  });

  it("picks up a new commit by polling", async () => {
    const repo = await createPoolRepo(server, `poll-${++n}`, tmp, AUTH);
    const { syncer } = controller(repo);
    const stop = new AbortController();
    const seen: SyncResult[] = [];
    let waiter: ((sha: string) => void) | undefined;
    let next = "";
    // The push waits for the loop's first sync, so that the initial head is judged on its own whatever the
    // machine's speed (otherwise a slow first fetch could already see the new commit).
    let firstSynced: () => void = () => {};
    const first = new Promise<void>((resolve) => (firstSynced = resolve));
    const loop = startSyncLoop({
      sync: () => syncer.sync(),
      intervalMs: 50,
      signal: stop.signal,
      onSync: (result) => {
        seen.push(result);
        firstSynced();
        if (result.sha === next) waiter?.(next);
      },
    });
    try {
      await first;
      next = await repo.commit("pools: cpu 1800", { "pools/default.yaml": poolWithCpuLimit(repo, 1800) });
      const picked = new Promise<string>((resolve) => (waiter = resolve));
      await repo.push();
      assert.equal(await picked, next);
    } finally {
      stop.abort();
      await loop.done;
    }
    const accepted = seen.filter((r) => r.outcome === "accepted");
    assert.equal(accepted.length, 2, "the initial head and the new commit, each judged once");
    assert.equal(accepted[1]?.desiredState?.nodePools[0]?.spec.limits?.cpu, "1800");
    assert.ok(seen.slice(0, -1).every((r) => r.outcome !== "failed"));
  });

  it("reports a force-push and judges the rewritten head", async () => {
    const repo = await createPoolRepo(server, `force-${++n}`, tmp, AUTH);
    const { syncer, publisher } = controller(repo);
    await repo.commit("pools: cpu 1500", { "pools/default.yaml": poolWithCpuLimit(repo, 1500) });
    await repo.push();
    const before = await syncer.sync();
    assert.equal(before.outcome, "accepted");
    await gitCli(repo.work, "reset", "--quiet", "--hard", "HEAD~1");
    const rewritten = await repo.commit("pools: cpu 1200", { "pools/default.yaml": poolWithCpuLimit(repo, 1200) });
    await repo.push(true);
    const result = await syncer.sync();
    assert.equal(result.rewritten, true);
    assert.equal(result.outcome, "accepted");
    assert.equal(result.sha, rewritten);
    await publisher.flush();
    const log = await statusLog(repo);
    assert.match(
      log,
      new RegExp(
        `Poolkeeper-Event: rewritten: branch main was rewritten \\(force-push\\): ${rewritten.slice(0, 7)} does not descend from ${before.sha?.slice(0, 7) ?? "?"}`,
      ),
    );
  });

  it("lands every event exactly once with two controllers pushing to one status branch", async () => {
    const repo = await createPoolRepo(server, `concurrent-${++n}`, tmp, AUTH);
    const prod = controller(repo, { cluster: "prod" });
    const staging = controller(repo, { cluster: "staging" });
    const rounds = 6;
    const work = async (c: ReturnType<typeof controller>, name: string) => {
      for (let i = 0; i < rounds; i++) {
        c.publisher.record({ kind: "provisioned", pool: "default", node: `${name}-node-${i}`, reason: `round ${i}` });
        await c.publisher.flush();
      }
    };
    await Promise.all([work(prod, "prod"), work(staging, "staging")]);
    const log = await statusLog(repo);
    for (const name of ["prod", "staging"]) {
      for (let i = 0; i < rounds; i++) {
        const line = `Poolkeeper-Event: provisioned default ${name}-node-${i}: round ${i}`;
        assert.equal(log.split("\n").filter((l) => l === line).length, 1, line);
      }
    }
    assert.equal(prod.publisher.pendingEvents + staging.publisher.pendingEvents, 0);
    // Both clusters' files are on the branch.
    assert.match(await statusFile(repo, "status/prod/summary.md"), /prod/);
    assert.match(await statusFile(repo, "status/staging/summary.md"), /staging/);
  });

  it("keeps the last good state and every event while the server is down, and pushes them after", async () => {
    const repo = await createPoolRepo(server, `outage-${++n}`, tmp, AUTH);
    const { syncer, publisher } = controller(repo);
    const good = await syncer.sync();
    await publisher.flush();
    server.setDown(true);
    let failed;
    try {
      failed = await syncer.sync();
      publisher.record({ kind: "drained", pool: "default", node: "i-0abc", reason: "spot interruption" });
      const local = await publisher.flush();
      assert.equal(local?.pushed, false);
      assert.equal(publisher.unpushed, true);
      const stillDown = await syncer.sync();
      assert.equal(stillDown.outcome, "failed");
    } finally {
      server.setDown(false);
    }
    assert.equal(failed.outcome, "failed");
    assert.equal(failed.error?.kind, "unreachable");
    assert.equal(failed.desiredState?.sha, good.sha);
    const resumed = await publisher.flush();
    assert.equal(resumed?.pushed, true);
    assert.equal(publisher.unpushed, false);
    const log = await statusLog(repo);
    assert.equal(log.split("\n").filter((l) => l.startsWith("Poolkeeper-Event: fetch-failed")).length, 1);
    assert.equal(
      log.split("\n").filter((l) => l === "Poolkeeper-Event: drained default i-0abc: spot interruption").length,
      1,
    );
    assert.equal((await syncer.sync()).outcome, "unchanged");
  });

  it("fails with a clear error on wrong credentials and never logs the password", async () => {
    const repo = await createPoolRepo(server, `auth-${++n}`, tmp, AUTH);
    const wrong = { username: "bot", password: "wr0ng-Pa55-for-sync" };
    const { logger, lines } = memoryLogger();
    const syncer = new Syncer({
      source: openSource({ url: repo.url, branch: "main", cacheDir: join(tmp, `wrong-${n}`), credentials: wrong }),
      cluster: "prod",
      clock: systemClock,
      logger,
    });
    const result = await syncer.sync();
    assert.equal(result.outcome, "failed");
    assert.ok(result.error instanceof SourceError);
    assert.equal(result.error.kind, "auth");
    assert.match(result.error.message, /rejected the credentials/);
    const everything = `${result.error.message}\n${lines.join("")}`;
    assert.doesNotMatch(everything, /wr0ng-Pa55-for-sync/);
    assert.doesNotMatch(everything, new RegExp(Buffer.from("bot:wr0ng-Pa55-for-sync").toString("base64")));
  });

  it("rejects a commit with an invalid poolkeeper.yaml or unreadable YAML, naming file and line", async () => {
    const repo = await createPoolRepo(server, `invalid-${++n}`, tmp, AUTH);
    const { syncer } = controller(repo);
    const good = await syncer.sync();
    await repo.commit("config: typo", {
      "poolkeeper.yaml": repo.read("poolkeeper.yaml").replace("pollInterval: 10s", "pollIntervall: 10s"),
    });
    await repo.push();
    const badConfig = await syncer.sync();
    assert.equal(badConfig.outcome, "rejected");
    assert.equal(badConfig.desiredState?.sha, good.sha);
    assert.match(badConfig.judgement?.reason ?? "", /poolkeeper\.yaml:5:3: .*pollIntervall.*pollInterval/);

    await repo.commit("config: fixed, pool broken", {
      "poolkeeper.yaml": repo.read("poolkeeper.yaml").replace("pollIntervall", "pollInterval"),
      "pools/broken.yaml": "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: x\n",
    });
    await repo.push();
    const badYaml = await syncer.sync();
    assert.equal(badYaml.outcome, "rejected");
    assert.match(badYaml.judgement?.reason ?? "", /pools\/broken\.yaml:\d+:\d+/);

    await repo.commit("pools: duplicate", {
      "pools/broken.yaml": repo.read("pools/default.yaml"),
    });
    await repo.push();
    const duplicate = await syncer.sync();
    assert.equal(duplicate.outcome, "rejected");
    assert.match(
      duplicate.judgement?.reason ?? "",
      /NodePool\/default is defined twice \(first at pools\/broken\.yaml/,
    );
    assert.equal(duplicate.desiredState?.sha, good.sha);
  });

  it("converts a NodePool written in v1beta1 and accepts it as v1", async () => {
    const repo = await createPoolRepo(server, `convert-${++n}`, tmp, AUTH);
    const { syncer } = controller(repo);
    await syncer.sync();
    // Karpenter no longer serves v1beta1, so baseline denies it (api.deprecated-version) as `check` does; the gate
    // applies the converted object itself, which is where a policy lowers that rule to a warning.
    const lowered = IMDS_WARN_POLICY.replace("legacy-imds", "gate-converts").replace(
      "imds.http-tokens",
      "api.deprecated-version",
    );
    await repo.commit("policies: the gate converts older versions", { "policies/converts.yaml": lowered });
    await repo.push();
    assert.equal((await syncer.sync()).outcome, "accepted");
    const v1beta1 = [
      "apiVersion: karpenter.sh/v1beta1",
      "kind: NodePool",
      "metadata: {name: batch}",
      "spec:",
      "  template:",
      "    spec:",
      "      nodeClassRef: {name: default}",
      "      requirements:",
      "        - {key: karpenter.k8s.aws/instance-category, operator: In, values: [c, m]}",
      "  limits: {cpu: 200}",
      "  disruption:",
      "    consolidationPolicy: WhenUnderutilized",
      "    expireAfter: 168h",
      "",
    ].join("\n");
    const sha = await repo.commit("pools: batch (old shape)", { "pools/batch.yaml": v1beta1 });
    await repo.push();
    const result = await syncer.sync();
    assert.equal(result.outcome, "accepted", result.judgement?.reason);
    assert.equal(result.desiredState?.sha, sha);
    const batch = result.desiredState?.nodePools.find((p) => p.metadata.name === "batch");
    assert.equal(batch?.apiVersion, "karpenter.sh/v1");
    assert.equal(batch?.spec.template.spec.expireAfter, "168h");
    assert.equal(batch?.spec.disruption?.consolidationPolicy, "WhenEmptyOrUnderutilized");
    assert.deepEqual(batch?.spec.template.spec.nodeClassRef, {
      group: "karpenter.k8s.aws",
      kind: "EC2NodeClass",
      name: "default",
    });
  });

  it("with allowed signers, accepts a commit signed by a listed SSH key and rejects an unsigned one", async () => {
    const repo = await createPoolRepo(server, `signed-${++n}`, tmp, AUTH);
    const key = join(tmp, `signer-${n}`);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "platform@example.test", "-f", key]);
    const signers = parseAllowedSigners(
      `platform@example.test ${readFileSync(`${key}.pub`, "utf8")}`,
      "allowed_signers",
    );
    assert.deepEqual(signers.errors, []);
    const { logger } = memoryLogger();
    const syncer = new Syncer({
      source: openSource({
        url: repo.url,
        branch: "main",
        cacheDir: join(tmp, `signed-cache-${n}`),
        credentials: AUTH,
      }),
      cluster: "prod",
      signers: signers.signers,
      clock: systemClock,
      logger,
    });
    const unsigned = await syncer.sync();
    assert.equal(unsigned.outcome, "rejected");
    assert.match(unsigned.judgement?.reason ?? "", /signature: commit is not signed/);
    assert.equal(unsigned.desiredState, undefined, "nothing was ever accepted");

    await gitCli(repo.work, "add", "-A");
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
    await repo.push();
    const signed = await syncer.sync();
    assert.equal(signed.outcome, "accepted", signed.judgement?.reason);
    assert.equal(signed.desiredState?.sha, signed.sha);
  });
});
