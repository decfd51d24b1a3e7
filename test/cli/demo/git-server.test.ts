import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { startGitServer, type GitServer } from "../../../cli/demo/git-server.ts";

const execFileAsync = promisify(execFile);
const AUTH = { username: "user", password: "s3cret pass" };

describe("git test server (git http-backend over a Node CGI bridge)", () => {
  let server: GitServer;
  let work: string;
  let clientEnv: NodeJS.ProcessEnv;

  const git = (cwd: string, ...args: string[]) =>
    execFileAsync("git", ["-c", "credential.helper=", ...args], { cwd, env: clientEnv, timeout: 30_000 });

  before(async () => {
    server = await startGitServer({ auth: AUTH });
    work = mkdtempSync(join(tmpdir(), "poolkeeper-git-client-"));
    clientEnv = {
      PATH: process.env.PATH,
      HOME: work,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.com",
    };
  });

  after(async () => {
    const root = server.root;
    await server.stop();
    rmSync(work, { recursive: true, force: true });
    assert.equal(existsSync(root), false, "temp root removed on stop");
  });

  test("clone, push, clone again and ls-remote with credentials in the URL", async () => {
    const bare = server.createBareRepo("pools.git");
    assert.ok(existsSync(join(bare, "HEAD")));
    const url = server.url("pools.git", AUTH);

    await git(work, "clone", "--quiet", url, "first");
    const first = join(work, "first");
    writeFileSync(join(first, "nodepool.yaml"), "kind: NodePool\n");
    await git(first, "add", "nodepool.yaml");
    await git(first, "commit", "--quiet", "-m", "add nodepool");
    await git(first, "push", "--quiet", "origin", "HEAD:main");

    await git(work, "clone", "--quiet", url, "second");
    assert.equal(readFileSync(join(work, "second", "nodepool.yaml"), "utf8"), "kind: NodePool\n");

    const { stdout: head } = await git(first, "rev-parse", "HEAD");
    const { stdout: remote } = await git(work, "ls-remote", url);
    assert.match(remote, new RegExp(`^${head.trim()}\\trefs/heads/main$`, "m"));
    assert.ok(server.requests > 0);
  });

  test("gzip-compressed request bodies are inflated by http-backend", async () => {
    // protocol v2 ls-refs request, gzip-encoded like git clients send large bodies
    const body = gzipSync(Buffer.from("0014command=ls-refs\n0000"));
    const auth = Buffer.from(`${AUTH.username}:${AUTH.password}`).toString("base64");
    const response = await fetch(server.url("pools.git") + "/git-upload-pack", {
      method: "POST",
      headers: {
        Authorization: `Basic ${auth}`,
        "Content-Type": "application/x-git-upload-pack-request",
        "Content-Encoding": "gzip",
        "Git-Protocol": "version=2",
      },
      body,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/x-git-upload-pack-result");
    assert.match(await response.text(), /refs\/heads\/main/);
  });

  test("wrong or missing credentials: the git command fails", async () => {
    server.createBareRepo("private.git");
    const wrong = server.url("private.git", { username: AUTH.username, password: "wrong" });
    await assert.rejects(git(work, "ls-remote", wrong), (error: Error & { stderr?: string }) => {
      assert.match(error.stderr ?? "", /Authentication failed|could not read Username/i);
      return true;
    });
    await assert.rejects(git(work, "ls-remote", server.url("private.git")));
    const response = await fetch(server.url("private.git") + "/info/refs?service=git-upload-pack");
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("www-authenticate"), 'Basic realm="git"');
  });

  test("setDown(true) makes fetches fail with 503, setDown(false) restores service", async () => {
    server.createBareRepo("flaky.git", { initialBranch: "trunk" });
    const url = server.url("flaky.git", AUTH);
    await git(work, "clone", "--quiet", url, "flaky");
    const clone = join(work, "flaky");
    server.setDown(true);
    try {
      const before = server.requests;
      await assert.rejects(git(clone, "fetch", "--quiet", "origin"), (error: Error & { stderr?: string }) => {
        assert.match(error.stderr ?? "", /503/);
        return true;
      });
      assert.ok(server.requests > before);
    } finally {
      server.setDown(false);
    }
    await git(clone, "fetch", "--quiet", "origin");
    const { stdout } = await git(clone, "symbolic-ref", "HEAD");
    assert.equal(stdout.trim(), "refs/heads/trunk");
  });
});

describe("git test server without auth and with a caller-owned root", () => {
  test("anonymous ls-remote works and a caller root is kept on stop", async () => {
    const root = mkdtempSync(join(tmpdir(), "poolkeeper-git-root-"));
    const server = await startGitServer({ root });
    try {
      server.createBareRepo("open.git");
      assert.throws(() => server.createBareRepo("../escape.git"), /escapes/);
      const { stdout } = await execFileAsync("git", ["ls-remote", server.url("open.git")], {
        env: { PATH: process.env.PATH, HOME: root, GIT_TERMINAL_PROMPT: "0" },
      });
      assert.equal(stdout, "");
    } finally {
      await server.stop();
    }
    assert.equal(existsSync(join(root, "open.git")), true);
    rmSync(root, { recursive: true, force: true });
  });
});
