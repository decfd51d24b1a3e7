import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { SourceError, openSource, type GitSource } from "../../gitops/source.ts";
import { startGitServer, type GitServer } from "../support/git-server.ts";

const run = promisify(execFile);
const AUTH = { username: "bot", password: "s3cret-Pa55word" };
const POOLS = ["pools/**/*.yaml"];

async function gitCli(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...args], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
  });
  return stdout.trim();
}

function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

async function commit(work: string, message: string, files: Record<string, string>): Promise<string> {
  for (const [path, text] of Object.entries(files)) write(work, path, text);
  await gitCli(work, "add", "-A");
  await gitCli(work, "commit", "--quiet", "-m", message);
  return gitCli(work, "rev-parse", "HEAD");
}

describe("GitSource over HTTP", () => {
  let server: GitServer;
  let tmp: string;
  let work: string;
  let pushUrl: string;
  let source: GitSource;
  let firstSha: string;

  before(async () => {
    server = await startGitServer({ auth: AUTH });
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-source-"));
    server.createBareRepo("desired.git");
    pushUrl = server.url("desired.git", AUTH);
    work = join(tmp, "work");
    mkdirSync(work);
    await gitCli(work, "init", "--quiet", "--initial-branch=main");
    firstSha = await commit(work, "initial", {
      "pools/general.yaml": "kind: NodePool\nname: general\n",
      "pools/team/gpu.yaml": "kind: NodePool\nname: gpu\n",
      "policies/base.yaml": "kind: PoolPolicy\n",
      "README.md": "hello\n",
    });
    await gitCli(work, "push", "--quiet", pushUrl, "HEAD:main");
    source = openSource({
      url: server.url("desired.git"),
      branch: "main",
      cacheDir: join(tmp, "cache"),
      credentials: AUTH,
    });
  });

  after(async () => {
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("clones the branch and reads the pools", async () => {
    const result = await source.fetch();
    assert.deepEqual(result, { sha: firstSha, kind: "initial" });
    const files = await source.readTree(result.sha, POOLS);
    assert.deepEqual(files, [
      { path: "pools/general.yaml", text: "kind: NodePool\nname: general\n" },
      { path: "pools/team/gpu.yaml", text: "kind: NodePool\nname: gpu\n" },
    ]);
    assert.equal(source.remote, server.url("desired.git"));
  });

  it("has the head's files from the clone's process: texts in the cache before the first read", async () => {
    const fresh = openSource({
      url: server.url("desired.git"),
      branch: "main",
      cacheDir: join(tmp, "handed"),
      credentials: AUTH,
    });
    assert.equal((await fresh.fetch()).sha, firstSha);
    // The four files committed above, every one of them (the clone's process does not know the globs).
    const committed = [
      "kind: NodePool\nname: general\n",
      "kind: NodePool\nname: gpu\n",
      "kind: PoolPolicy\n",
      "hello\n",
    ];
    const held = (await fresh.cacheSizes?.())?.blobs;
    assert.equal(held, committed.join("").length);
    assert.deepEqual(
      (await fresh.readTree(firstSha, ["policies/*.yaml"])).map((f) => f.text),
      ["kind: PoolPolicy\n"],
    );
  });

  // Git's smart HTTP (gitprotocol-http): a ref advertisement (GET info/refs), then an upload-pack request (POST) for
  // what is missing. With credentials sent from the first request, a poll that finds the head where it was needs only
  // the first, and a new head both, the advertisement read once.
  it("reports an unchanged branch after one request, the ref advertisement", async () => {
    const requests = server.requests;
    assert.deepEqual(await source.fetch(), { sha: firstSha, previousSha: firstSha, kind: "unchanged" });
    assert.equal(server.requests - requests, 1);
  });

  let secondSha = "";
  it("sees a pushed commit as a fast-forward, in two requests", async () => {
    secondSha = await commit(work, "more", {
      "pools/general.yaml": "kind: NodePool\nname: general\nlimit: 2\n",
      "pools/new.yaml": "kind: NodePool\nname: new\n",
    });
    await gitCli(work, "push", "--quiet", pushUrl, "HEAD:main");
    const requests = server.requests;
    const result = await source.fetch();
    assert.deepEqual(result, { sha: secondSha, previousSha: firstSha, kind: "fast-forward" });
    assert.equal(server.requests - requests, 2, "the advertisement and the upload-pack request");
    const files = await source.readTree(result.sha, POOLS);
    assert.deepEqual(
      files.map((f) => f.path),
      ["pools/general.yaml", "pools/new.yaml", "pools/team/gpu.yaml"],
    );
    assert.equal(files[0]?.text, "kind: NodePool\nname: general\nlimit: 2\n");
    // Older commits remain readable.
    assert.equal((await source.readTree(firstSha, POOLS)).length, 2);
  });

  it("reports a force-push as rewritten and follows it", async () => {
    await gitCli(work, "reset", "--quiet", "--hard", firstSha);
    const rewrittenSha = await commit(work, "rewrite", { "pools/other.yaml": "kind: NodePool\nname: other\n" });
    await gitCli(work, "push", "--quiet", "--force", pushUrl, "HEAD:main");
    const result = await source.fetch();
    assert.deepEqual(result, { sha: rewrittenSha, previousSha: secondSha, kind: "rewritten" });
    const files = await source.readTree(result.sha, POOLS);
    assert.deepEqual(
      files.map((f) => f.path),
      ["pools/general.yaml", "pools/other.yaml", "pools/team/gpu.yaml"],
    );
    assert.equal(files[0]?.text, "kind: NodePool\nname: general\n");
    assert.deepEqual(await source.fetch(), { sha: rewrittenSha, previousSha: rewrittenSha, kind: "unchanged" });
  });

  it("rejects wrong credentials with a scrubbed auth error", async () => {
    const wrong = { username: "bot", password: "wr0ng-Pa55word" };
    const bad = openSource({
      url: server.url("desired.git"),
      branch: "main",
      cacheDir: join(tmp, "cache-bad"),
      credentials: wrong,
    });
    const error = await bad.fetch().then(
      () => assert.fail("fetch should fail"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof SourceError);
    assert.equal(error.kind, "auth");
    assert.match(error.message, /127\.0\.0\.1/);
    assert.ok(!error.message.includes(wrong.password), error.message);
    assert.ok(!String(error.stack).includes(wrong.password));
    // A token is never shown either, even if the remote URL carries it.
    const tokenSource = openSource({
      url: server.url("desired.git", { username: "x", password: "tok-123456" }),
      branch: "main",
      cacheDir: join(tmp, "cache-token"),
      credentials: { token: "tok-123456" },
    });
    const tokenError = await tokenSource.fetch().then(
      () => assert.fail("fetch should fail"),
      (e: unknown) => e,
    );
    assert.ok(tokenError instanceof SourceError);
    assert.equal(tokenError.kind, "auth");
    assert.ok(!tokenError.message.includes("tok-123456"), tokenError.message);
  });

  it("reports an unknown branch as not-found", async () => {
    const missing = openSource({
      url: server.url("desired.git"),
      branch: "nope",
      cacheDir: join(tmp, "cache-nope"),
      credentials: AUTH,
    });
    await assert.rejects(missing.fetch(), (e: unknown) => {
      assert.ok(e instanceof SourceError);
      assert.equal(e.kind, "not-found");
      assert.match(e.message, /nope/);
      return true;
    });
  });

  it("reports a down server as unreachable and recovers", async () => {
    const thirdSha = await commit(work, "third", { "pools/third.yaml": "kind: NodePool\n" });
    await gitCli(work, "push", "--quiet", pushUrl, "HEAD:main");
    server.setDown(true);
    try {
      await assert.rejects(source.fetch(), (e: unknown) => {
        assert.ok(e instanceof SourceError);
        assert.equal(e.kind, "unreachable");
        assert.match(e.message, /127\.0\.0\.1/);
        assert.ok(!e.message.includes(AUTH.password));
        return true;
      });
    } finally {
      server.setDown(false);
    }
    const result = await source.fetch();
    assert.equal(result.sha, thirdSha);
    assert.equal(result.kind, "fast-forward");
  });

  it("reports a refused connection as unreachable", async () => {
    const other = await startGitServer();
    const url = other.url("x.git");
    await other.stop();
    const dead = openSource({ url, branch: "main", cacheDir: join(tmp, "cache-dead") });
    await assert.rejects(dead.fetch(), (e: unknown) => e instanceof SourceError && e.kind === "unreachable");
  });
});

describe("GitSource over a local repository", () => {
  it("reads the branch in place and classifies changes", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "poolkeeper-source-local-"));
    try {
      const work = join(tmp, "repo");
      mkdirSync(work);
      await gitCli(work, "init", "--quiet", "--initial-branch=main");
      const first = await commit(work, "one", { "pools/a.yaml": "a: 1\n" });
      const source = openSource({ url: work, branch: "main", cacheDir: join(tmp, "unused") });
      assert.deepEqual(await source.fetch(), { sha: first, kind: "initial" });
      const second = await commit(work, "two", { "pools/b.yaml": "b: 1\n" });
      assert.deepEqual(await source.fetch(), { sha: second, previousSha: first, kind: "fast-forward" });
      assert.deepEqual(await source.readTree(second, POOLS), [
        { path: "pools/a.yaml", text: "a: 1\n" },
        { path: "pools/b.yaml", text: "b: 1\n" },
      ]);
      await gitCli(work, "reset", "--quiet", "--hard", first);
      const third = await commit(work, "three", { "pools/c.yaml": "c: 1\n" });
      assert.deepEqual(await source.fetch(), { sha: third, previousSha: second, kind: "rewritten" });

      const notRepo = openSource({ url: join(tmp, "unused"), branch: "main", cacheDir: join(tmp, "c") });
      await assert.rejects(notRepo.fetch(), (e: unknown) => e instanceof SourceError && e.kind === "not-found");
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("GitSource.readTree", () => {
  it("reports an unknown commit as not-found", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "poolkeeper-source-sha-"));
    try {
      await gitCli(tmp, "init", "--quiet", "--initial-branch=main");
      await commit(tmp, "one", { "pools/a.yaml": "a: 1\n" });
      const source = openSource({ url: tmp, branch: "main", cacheDir: join(tmp, "unused") });
      await assert.rejects(source.readTree("0123456789012345678901234567890123456789", POOLS), (e: unknown) => {
        assert.ok(e instanceof SourceError);
        assert.equal(e.kind, "not-found");
        assert.match(e.message, /Commit 0123456789/);
        return true;
      });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("GitSource over a shallow clone", () => {
  let server: GitServer;
  let tmp: string;
  let work: string;
  let pushUrl: string;
  let source: GitSource;
  const shas: string[] = [];

  before(async () => {
    server = await startGitServer();
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-source-shallow-"));
    server.createBareRepo("desired.git");
    pushUrl = server.url("desired.git");
    work = join(tmp, "work");
    mkdirSync(work);
    await gitCli(work, "init", "--quiet", "--initial-branch=main");
    for (let i = 1; i <= 4; i++) {
      shas.push(await commit(work, `revision ${i}`, { "pools/general.yaml": `kind: NodePool\nrevision: ${i}\n` }));
    }
    await gitCli(work, "push", "--quiet", pushUrl, "HEAD:main");
    source = openSource({ url: pushUrl, branch: "main", cacheDir: join(tmp, "cache"), cloneDepth: 2 });
  });

  after(async () => {
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("clones only the newest commits", async () => {
    assert.deepEqual(await source.fetch(), { sha: shas[3], kind: "initial" });
    assert.equal((await source.readTree(shas[2] ?? "", POOLS))[0]?.text, "kind: NodePool\nrevision: 3\n");
    await assert.rejects(source.readTree(shas[0] ?? "", POOLS), { name: "SourceError", kind: "not-found" });
  });

  it("tells a fast-forward from force-pushes, onto the shallow boundary and beyond it", async () => {
    const fifth = await commit(work, "revision 5", { "pools/general.yaml": "kind: NodePool\nrevision: 5\n" });
    await gitCli(work, "push", "--quiet", pushUrl, "HEAD:main");
    assert.deepEqual(await source.fetch(), { sha: fifth, previousSha: shas[3], kind: "fast-forward" });

    // From the boundary (revision 3, whose parent the clone does not have), then from revision 1, beyond it.
    for (const base of [shas[2] ?? "", shas[0] ?? ""]) {
      const previous = await gitCli(work, "rev-parse", "HEAD");
      await gitCli(work, "reset", "--quiet", "--hard", base);
      const rewritten = await commit(work, `rewrite onto ${base}`, { "pools/other.yaml": "kind: NodePool\n" });
      await gitCli(work, "push", "--quiet", "--force", pushUrl, "HEAD:main");
      assert.deepEqual(await source.fetch(), { sha: rewritten, previousSha: previous, kind: "rewritten" });
    }
  });

  it("fetches the whole history when a commit it must read is older than the clone", async () => {
    // A new clone of one commit, the head force-pushed onto revision 1 above.
    const fresh = openSource({ url: pushUrl, branch: "main", cacheDir: join(tmp, "fresh"), cloneDepth: 1 });
    const head = (await fresh.fetch()).sha;
    await assert.rejects(fresh.readTree(shas[0] ?? "", POOLS), { name: "SourceError", kind: "not-found" });
    await fresh.ensureCommits?.([shas[0] ?? ""]);
    assert.equal((await fresh.readTree(shas[0] ?? "", POOLS))[0]?.text, "kind: NodePool\nrevision: 1\n");
    assert.equal(await fresh.descends(head, shas[0] ?? ""), true);
    assert.equal(existsSync(join(tmp, "fresh", ".git", "shallow")), false, "no longer shallow");
  });
});
