import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { SourceError } from "../../gitops/source.ts";
import { createStatusWriter, type StatusWriterOptions } from "../../gitops/status-writer.ts";
import { startGitServer, type GitServer } from "../support/git-server.ts";

const run = promisify(execFile);
const AUTH = { username: "bot", password: "s3cret-Pa55word" };
const BRANCH = "poolkeeper-status";
const AUTHOR = { name: "poolkeeper", email: "poolkeeper@example.test" };

async function gitCli(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...args], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
  });
  return stdout.trim();
}

describe("StatusWriter over HTTP", () => {
  let server: GitServer;
  let tmp: string;
  let n = 0;

  before(async () => {
    server = await startGitServer({ auth: AUTH });
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-status-writer-"));
  });
  after(async () => {
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function setup(extra: Partial<StatusWriterOptions> = {}) {
    const repo = `status-${++n}.git`;
    server.createBareRepo(repo);
    // The status branch lives next to the desired state (main). isomorphic-git's fetch needs the remote HEAD to
    // resolve, so the repository is not empty.
    const seed = join(tmp, `seed-${n}`);
    await gitCli(tmp, "init", "--quiet", "--initial-branch=main", seed);
    await gitCli(seed, "commit", "--quiet", "--allow-empty", "-m", "desired state");
    await gitCli(seed, "push", "--quiet", server.url(repo, AUTH), "main");
    const options: StatusWriterOptions = {
      url: server.url(repo),
      branch: BRANCH,
      path: "status/prod/",
      cacheDir: join(tmp, `cache-${n}`),
      author: AUTHOR,
      credentials: AUTH,
      retries: { max: 3, minBackoffMs: 1, maxBackoffMs: 4 },
      sleep: async () => {},
      ...extra,
    };
    return { repo, options, pushUrl: server.url(repo, AUTH) };
  }

  async function cloneBranch(pushUrl: string): Promise<string> {
    const dir = join(tmp, `clone-${++n}`);
    await gitCli(tmp, "clone", "--quiet", "--branch", BRANCH, pushUrl, dir);
    return dir;
  }

  it("creates the orphan branch on first write, then makes no commit for an unchanged report", async () => {
    const { options, pushUrl } = await setup();
    const writer = createStatusWriter(options);
    const files = new Map([
      ["summary.md", "# ok\n"],
      ["general.yaml", "name: general\n"],
    ]);
    const first = await writer.write({ files, message: "status: 1 pool\n\nPoolkeeper-Cluster: prod\n" });
    assert.equal(first.pushed, true);
    assert.equal(first.unchanged, false);
    const remoteRefs = await gitCli(tmp, "ls-remote", pushUrl, `refs/heads/${BRANCH}`);
    assert.equal(remoteRefs, `${first.sha}\trefs/heads/${BRANCH}`);
    const clone = await cloneBranch(pushUrl);
    assert.equal(
      await gitCli(clone, "log", "--format=%s%n%(trailers)", BRANCH),
      "status: 1 pool\nPoolkeeper-Cluster: prod",
    );
    assert.equal(await gitCli(clone, "ls-files"), "status/prod/general.yaml\nstatus/prod/summary.md");
    await gitCli(clone, "fsck", "--strict");
    assert.equal(await gitCli(clone, "rev-list", "--count", BRANCH), "1"); // orphan: no parent from main

    const again = await writer.write({ files, message: "status: 1 pool" });
    assert.deepEqual(again, { sha: first.sha, pushed: true, unchanged: true });
    assert.equal(await gitCli(tmp, "ls-remote", pushUrl, `refs/heads/${BRANCH}`), remoteRefs);

    // A file no longer written under our path is removed.
    const third = await writer.write({ files: new Map([["summary.md", "# ok\n"]]), message: "status: 0 pools" });
    assert.equal(third.unchanged, false);
    await gitCli(clone, "pull", "--quiet");
    assert.equal(await gitCli(clone, "ls-files"), "status/prod/summary.md");
    assert.equal(await gitCli(clone, "rev-list", "--count", "HEAD"), "2");
  });

  it("rebuilds on top of a concurrent push, keeping the other writer's files", async () => {
    const { options, pushUrl } = await setup();
    await createStatusWriter(options).write({ files: new Map([["summary.md", "v1\n"]]), message: "ours 1" });
    const clone = await cloneBranch(pushUrl);
    let sleeps = 0;
    const writer = createStatusWriter({
      ...options,
      sleep: async () => {
        sleeps++;
      },
    });
    // Their push lands between our fetch and our push: simulate with a fetch-time hook by pushing first, but
    // from a writer whose local state is stale (second writer on a stale cache).
    const staleCache = join(tmp, `stale-${n}`);
    const stale = createStatusWriter({ ...options, cacheDir: staleCache });
    await stale.write({ files: new Map([["summary.md", "v1\n"]]), message: "noop" });
    await gitCli(clone, "checkout", "--quiet", "-b", "x");
    await run("sh", ["-c", "mkdir -p status/staging && echo theirs > status/staging/summary.md"], { cwd: clone });
    await gitCli(clone, "add", "-A");
    await gitCli(clone, "commit", "--quiet", "-m", "theirs");
    await gitCli(clone, "push", "--quiet", pushUrl, `HEAD:${BRANCH}`);
    const result = await writer.write({ files: new Map([["summary.md", "v2\n"]]), message: "ours 2" });
    assert.equal(result.pushed, true);
    await gitCli(clone, "fetch", "--quiet", pushUrl, BRANCH);
    assert.equal(await gitCli(clone, "log", "--format=%s", "FETCH_HEAD"), "ours 2\ntheirs\nours 1");
    assert.equal(await gitCli(clone, "show", "FETCH_HEAD:status/staging/summary.md"), "theirs");
    assert.equal(await gitCli(clone, "show", "FETCH_HEAD:status/prod/summary.md"), "v2");
    assert.equal(sleeps, 0);

    // The stale writer's push is rejected (non-fast-forward): it retries on the new tip.
    const staleResult = await stale.write({ files: new Map([["summary.md", "v3\n"]]), message: "ours 3" });
    assert.equal(staleResult.pushed, true);
    await gitCli(clone, "fetch", "--quiet", pushUrl, BRANCH);
    assert.equal(await gitCli(clone, "log", "--format=%s", "FETCH_HEAD"), "ours 3\nours 2\ntheirs\nours 1");
    assert.equal(await gitCli(clone, "show", "FETCH_HEAD:status/staging/summary.md"), "theirs");
  });

  it("retries a push rejected because another writer pushed between fetch and push", async () => {
    const { options, pushUrl } = await setup();
    await createStatusWriter(options).write({ files: new Map([["a.md", "1\n"]]), message: "ours 1" });
    const clone = await cloneBranch(pushUrl);
    const delays: number[] = [];
    // The competing push happens inside `fetch` of the first attempt: wrap via a second writer racing on the
    // same remote — run it, then ours with a stale local copy (first attempt is rejected).
    const cacheDir = join(tmp, `race-${n}`);
    const writer = createStatusWriter({
      ...options,
      cacheDir,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    await writer.write({ files: new Map([["a.md", "1\n"]]), message: "noop" });
    await run("sh", ["-c", "mkdir -p other && echo x > other/x.md"], { cwd: clone });
    await gitCli(clone, "add", "-A");
    await gitCli(clone, "commit", "--quiet", "-m", "theirs");
    await gitCli(clone, "push", "--quiet", pushUrl, `HEAD:${BRANCH}`);
    const result = await writer.write({ files: new Map([["a.md", "2\n"]]), message: "ours 2" });
    assert.equal(result.pushed, true);
    await gitCli(clone, "pull", "--quiet");
    assert.equal(await gitCli(clone, "log", "--format=%s"), "ours 2\ntheirs\nours 1");
  });

  it("keeps the commit locally while the server is down and pushes it after a restart", async () => {
    const { options, pushUrl } = await setup();
    await createStatusWriter(options).write({ files: new Map([["s.md", "1\n"]]), message: "one" });
    server.setDown(true);
    let down;
    try {
      down = await createStatusWriter(options).write({ files: new Map([["s.md", "2\n"]]), message: "two" });
    } finally {
      server.setDown(false);
    }
    assert.equal(down.pushed, false);
    assert.equal(down.unchanged, false);
    const restarted = createStatusWriter(options);
    const result = await restarted.write({ files: new Map([["s.md", "2\n"]]), message: "two again" });
    assert.deepEqual(result, { sha: down.sha, pushed: true, unchanged: true });
    const clone = await cloneBranch(pushUrl);
    assert.equal(await gitCli(clone, "log", "--format=%s"), "two\none");
  });

  it("fails with a clear error without the password on wrong credentials", async () => {
    const wrong = { username: "bot", password: "wr0ng-Secret-xyz" };
    const { options } = await setup({ credentials: wrong });
    await assert.rejects(
      createStatusWriter({ ...options, url: server.url(`status-${n}.git`, wrong) }).write({
        files: new Map([["s.md", "1\n"]]),
        message: "one",
      }),
      (error: unknown) => {
        assert.ok(error instanceof SourceError);
        assert.equal(error.kind, "auth");
        assert.match(error.message, /rejected the credentials/);
        assert.doesNotMatch(error.message, /wr0ng-Secret-xyz|d3IwbmctU2VjcmV0LXh5eg/);
        assert.doesNotMatch(error.message, /bot:/);
        return true;
      },
    );
  });
});

describe("StatusWriter in a local repository written by several replicas", () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-status-writer-local-"));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("keeps every writer's commits when two write the branch at once", async () => {
    // Two replicas of run over one repository (a stalled leader and its successor, both writing): each write's
    // trailer must reach the branch, read back by git's own trailer parser.
    const repo = join(tmp, "repo");
    await gitCli(tmp, "init", "--quiet", "--initial-branch=main", repo);
    await gitCli(repo, "commit", "--quiet", "--allow-empty", "-m", "desired state");
    const writer = (name: string) =>
      createStatusWriter({
        url: repo,
        branch: BRANCH,
        path: `status/${name}/`,
        cacheDir: join(tmp, `cache-${name}`),
        author: AUTHOR,
        retries: { max: 50, minBackoffMs: 1, maxBackoffMs: 4 },
        sleep: async () => {},
      });
    const writers = [writer("a"), writer("b")];
    const writes = writers.flatMap((w, i) =>
      Array.from({ length: 15 }, (_, k) =>
        w.write({
          files: new Map([["summary.md", `${i} ${k}\n`]]),
          message: `status ${i} ${k}\n\nPoolkeeper-Event: provisioned default node-${i}-${k}: launched\n`,
        }),
      ),
    );
    const results = await Promise.all(writes);
    assert.ok(results.every((r) => r.pushed && !r.unchanged));
    const trailers = await gitCli(repo, "log", "--format=%(trailers:key=Poolkeeper-Event,valueonly)", BRANCH);
    const events = trailers.split("\n").filter((line) => line !== "");
    const expected = [0, 1].flatMap((i) => Array.from({ length: 15 }, (_, k) => `node-${i}-${k}`));
    assert.deepEqual(
      events.map((e) => /node-\d+-\d+/.exec(e)?.[0]).sort(),
      expected.sort(),
      "every write of both writers is in the branch once",
    );
    await gitCli(repo, "fsck", "--strict");
  });
});
