// `poolkeeper sync` as users run it: `--once` in CI (exit codes, reports, status written), local repositories,
// credentials from the environment, and the long-running controller woken by a signed push hook.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runSync, type SyncOptions } from "../../cli/commands/sync.ts";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import type { SyncResult } from "../../gitops/sync.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { startGitServer, type GitServer } from "../support/git-server.ts";
import { createPoolRepo, gitCli, insecurePool, poolWithCpuLimit } from "../support/pool-repo.ts";

const AUTH = { username: "ci", password: "cli-Pa55-s3cret" };
const ENV = { POOLKEEPER_GIT_USERNAME: AUTH.username, POOLKEEPER_GIT_PASSWORD: AUTH.password };

describe("poolkeeper sync", () => {
  let server: GitServer;
  let tmp: string;
  let n = 0;
  const savedEnv = { ...process.env };

  before(async () => {
    server = await startGitServer({ auth: AUTH });
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-cli-sync-"));
    Object.assign(process.env, ENV);
  });
  after(async () => {
    process.env = savedEnv;
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const once = (repo: string, ...extra: string[]) => {
    const out = capturedOutput();
    const args = ["sync", "--once", "--repo", repo, "--cache-dir", join(tmp, `cache-${++n}`), ...extra];
    return main(args, out).then((code) => ({ code, out: out.out, err: out.err }));
  };

  it("--once: exit 0 for an accepted head, 1 for a rejected one, with the report and the status committed", async () => {
    const repo = await createPoolRepo(server, `once-${++n}`, tmp, AUTH);
    const good = await gitCli(repo.work, "rev-parse", "HEAD");
    const accepted = await once(repo.url);
    assert.equal(accepted.code, 0, accepted.err);
    assert.match(accepted.out, /0 of 2 objects denied: 0 denials, 1 warning/);
    assert.match(accepted.out, new RegExp(`commit ${good.slice(0, 7)} accepted with 1 warning`));

    const bad = await repo.commit("pools: IMDSv1", { "pools/default.yaml": insecurePool(repo) });
    await repo.push();
    const rejected = await once(repo.url, "--format", "json");
    assert.equal(rejected.code, 1, rejected.err);
    const report = JSON.parse(rejected.out) as { findings: { rule: string; severity: string }[] };
    assert.ok(report.findings.some((f) => f.rule === "imds.http-tokens" && f.severity === "deny"));

    await gitCli(repo.work, "fetch", "--quiet", repo.pushUrl, "+poolkeeper-status:refs/remotes/check/status");
    const trailers = await gitCli(
      repo.work,
      "log",
      "--format=%(trailers:key=Poolkeeper-Source,valueonly)",
      "refs/remotes/check/status",
    );
    assert.deepEqual(
      trailers.split("\n").filter((l) => l !== ""),
      [good, good],
      "both runs name the last good commit",
    );
    const events = await gitCli(
      repo.work,
      "log",
      "--format=%(trailers:key=Poolkeeper-Event,valueonly)",
      "refs/remotes/check/status",
    );
    assert.match(events, new RegExp(`^rejected: commit ${bad.slice(0, 7)} rejected`, "m"));
    assert.match(events, new RegExp(`^accepted: commit ${good.slice(0, 7)} accepted`, "m"));
  });

  it("--once on a local repository path writes the status branch in place", async () => {
    const repo = await createPoolRepo(server, `local-${++n}`, tmp, AUTH);
    const result = await once(repo.work);
    assert.equal(result.code, 0, result.err);
    const log = await gitCli(repo.work, "log", "--format=%(trailers:key=Poolkeeper-Cluster)", "poolkeeper-status");
    assert.equal(log.trim(), "Poolkeeper-Cluster: prod");
    assert.equal(
      await gitCli(repo.work, "ls-tree", "-r", "--name-only", "poolkeeper-status"),
      "status/prod/default.yaml\nstatus/prod/summary.md",
    );
    await gitCli(repo.work, "fsck", "--strict");
  });

  it("--once with wrong credentials: exit 2, a clear message, no password anywhere", async () => {
    const repo = await createPoolRepo(server, `wrong-${++n}`, tmp, AUTH);
    const passwordFile = join(tmp, `password-${n}`);
    writeFileSync(passwordFile, "n0t-the-Pa55word\n");
    const result = await once(repo.url, "--username", "ci", "--password-file", passwordFile);
    assert.equal(result.code, 2);
    assert.match(result.err, /rejected the credentials/);
    assert.doesNotMatch(result.out + result.err, /n0t-the-Pa55word|cli-Pa55-s3cret/);
  });

  it("--once with a config file that is not valid names file, line and field", async () => {
    const repo = await createPoolRepo(server, `config-${++n}`, tmp, AUTH);
    const config = join(tmp, `poolkeeper-${n}.yaml`);
    writeFileSync(config, "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolkeeperConfig\nspec:\n  cluster: Prod\n");
    const result = await once(repo.url, "--config", config);
    assert.equal(result.code, 2);
    assert.match(
      result.err,
      new RegExp(
        `${config.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:4:3: spec\\.cluster must be a DNS label.*found "Prod"`,
      ),
    );
  });

  it("refuses a --cache-size that is not a size in bytes, naming the flag", async () => {
    const result = await once("/nonexistent", "--cache-size", "64MB");
    assert.equal(result.code, 2);
    assert.match(result.err, /--cache-size: invalid quantity "64MB".*did you mean.*"64Mi"/);
    const small = await once("/nonexistent", "--cache-size", "1Mi");
    assert.equal(small.code, 2);
    assert.match(small.err, /--cache-size: "1Mi" is outside 4Mi to 16Gi/);
  });

  it("refuses --tls-cert without --tls-key", async () => {
    const result = await once("/nonexistent", "--tls-cert", "cert.pem");
    assert.equal(result.code, 2);
    assert.match(result.err, /--tls-cert and --tls-key go together/);
  });

  it("runs until stopped: a signed push hook triggers a sync, a bad signature is refused", async () => {
    const repo = await createPoolRepo(server, `hook-${++n}`, tmp, AUTH);
    const secretFile = join(tmp, `hook-secret-${n}`);
    const secret = "hook-s3cret-value";
    writeFileSync(secretFile, `${secret}\n`);
    const stop = new AbortController();
    const syncs: SyncResult[] = [];
    const waiters: [(r: SyncResult) => boolean, () => void][] = [];
    const until = (match: (r: SyncResult) => boolean) =>
      new Promise<void>((resolve) => {
        if (syncs.some(match)) resolve();
        else waiters.push([match, resolve]);
      });
    let address: AddressInfo | undefined;
    let onListen: () => void = () => {};
    const listening = new Promise<void>((resolve) => (onListen = resolve));
    const logLines: string[] = [];
    const options: SyncOptions = {
      repo: repo.url,
      branch: "main",
      once: false,
      cacheDir: join(tmp, `cache-hook-${n}`),
      status: true,
      format: "text",
      port: "0",
      host: "127.0.0.1",
      githubSecretFile: secretFile,
      logLevel: "info",
    };
    const running = runSync(options, capturedOutput(), {
      signal: stop.signal,
      // The poll interval passes only if the test moves this clock (it does not): every sync after the first is
      // the push hook's, however long the test takes. The status is written when the command stops.
      clock: new FakeClock(new Date()),
      env: { ...ENV },
      log: { write: (line: string) => void logLines.push(line) },
      onListening: (a) => {
        address = a;
        onListen();
      },
      onSync: (result) => {
        syncs.push(result);
        for (const [match, resolve] of waiters) if (match(result)) resolve();
      },
    });
    try {
      await listening;
      await until((r) => r.outcome === "accepted");
      const base = `http://127.0.0.1:${address?.port ?? 0}`;
      assert.equal((await fetch(`${base}/readyz`)).status, 200);

      const next = await repo.commit("pools: cpu 1600", { "pools/default.yaml": poolWithCpuLimit(repo, 1600) });
      await repo.push();
      const body = JSON.stringify({ ref: "refs/heads/main", after: next });
      const post = (signature: string) =>
        fetch(`${base}/hooks/git`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": signature },
          body,
        });
      const forged = await post(`sha256=${createHmac("sha256", "wrong").update(body).digest("hex")}`);
      assert.equal(forged.status, 401);
      assert.equal(syncs.length, 1, "a refused delivery triggers nothing (the poll interval is 10 s)");

      const signed = await post(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
      assert.equal(signed.status, 202);
      await until((r) => r.sha === next);
      assert.equal(syncs.at(-1)?.outcome, "accepted");
      assert.equal(syncs.at(-1)?.desiredState?.nodePools[0]?.spec.limits?.cpu, "1600");

      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /poolkeeper_gitops_syncs_total\{result="accepted"\} 2/);
      assert.match(metrics, /poolkeeper_gitops_head_accepted 1/);
    } finally {
      stop.abort();
    }
    assert.equal(await running, 0);
    // Stopping wrote what was left: both accepted commits are in the status history.
    await gitCli(repo.work, "fetch", "--quiet", repo.pushUrl, "+poolkeeper-status:refs/remotes/check/status");
    const events = await gitCli(
      repo.work,
      "log",
      "--format=%(trailers:key=Poolkeeper-Event,valueonly)",
      "refs/remotes/check/status",
    );
    assert.equal(events.split("\n").filter((l) => l.startsWith("accepted:")).length, 2);
    assert.doesNotMatch(logLines.join(""), /hook-s3cret-value|cli-Pa55-s3cret/);
  });
});
