import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { commitMessage, type StatusEvent, type StatusModel } from "../../gitops/status-render.ts";
import { createStatusWriter, type StatusWriter } from "../../gitops/status-writer.ts";
import { startGitServer, type GitServer } from "../support/git-server.ts";

const execFileAsync = promisify(execFile);
const AUTH = { username: "bot", password: "s3cret-Pa55word" };
const TOKEN = "t0ken-Abc123-xyz";
const BRANCH = "poolkeeper-status";

async function history(...argv: string[]) {
  const out = capturedOutput();
  const code = await main(["history", ...argv], out);
  return { code, out: out.out, err: out.err };
}

async function gitCli(cwd: string, args: string[], date?: string): Promise<string> {
  const { stdout } = await execFileAsync("git", ["-c", "user.name=t", "-c", "user.email=t@e", ...args], {
    cwd,
    env: {
      ...process.env,
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_NOSYSTEM: "1",
      ...(date === undefined ? {} : { GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date }),
    },
  });
  return stdout.trim();
}

function model(cluster: string, source: { sha: string; accepted: boolean; rejectedSha?: string }): StatusModel {
  return { cluster, source: { ...source, findings: [] }, pools: [], events: [] };
}

function event(kind: StatusEvent["kind"], reason: string, pool?: string, node?: string): StatusEvent {
  return { time: "2024-06-01T00:00:00Z", kind, reason, ...(pool ? { pool } : {}), ...(node ? { node } : {}) };
}

/** One text row of the timeline, as renderTimeline writes it. */
function row(time: string, sha: string, kind: string, where: string, reason: string): string {
  return [time, sha.slice(0, 7), kind, where, reason].filter((f) => f !== "").join("  ");
}

describe("poolkeeper history", () => {
  let server: GitServer;
  let tokenServer: GitServer;
  let tmp: string;
  let url: string;
  let bare: string;
  let passwordFile: string;
  let n = 0;
  // The rows of the whole timeline, newest first, keyed for the filter tests.
  const rows: Record<string, { text: string; json: Record<string, unknown> }> = {};
  let all: string[] = [];

  async function statusCommit(work: string, date: string, message: string): Promise<string> {
    await gitCli(work, ["commit", "--quiet", "--allow-empty", "-m", message], date);
    return gitCli(work, ["rev-parse", "HEAD"]);
  }

  function add(
    key: string,
    sha: string,
    time: string,
    cluster: string,
    source: string | null,
    e: { kind: string; pool?: string; node?: string; reason: string },
  ): void {
    const where = [e.pool ? `pool=${e.pool}` : "", e.node ? `node=${e.node}` : ""].filter((p) => p).join(" ");
    rows[key] = {
      text: row(time, sha, e.kind, where, e.reason),
      json: { time, sha, cluster, source, kind: e.kind, pool: e.pool ?? null, node: e.node ?? null, reason: e.reason },
    };
  }

  function writer(repo: string, cacheDir: string): StatusWriter {
    return createStatusWriter({
      url: server.url(repo),
      branch: BRANCH,
      path: "status/eu-1/",
      cacheDir,
      author: { name: "poolkeeper", email: "poolkeeper@example.test" },
      credentials: AUTH,
      retries: { max: 3, minBackoffMs: 1, maxBackoffMs: 4 },
      sleep: async () => {},
    });
  }

  /** The committer time of `sha` in the bare repository, as the timeline prints it. */
  async function commitTime(repo: string, sha: string): Promise<string> {
    const seconds = Number(await gitCli(repo, ["log", "-1", "--format=%ct", sha]));
    return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  before(async () => {
    server = await startGitServer({ auth: AUTH });
    // The same repositories behind a server that wants the token (sent as the x-access-token user).
    tokenServer = await startGitServer({ root: server.root, auth: { username: "x-access-token", password: TOKEN } });
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-history-cli-"));
    passwordFile = join(tmp, "password");
    writeFileSync(passwordFile, `${AUTH.password}\n`);
    bare = server.createBareRepo("status.git");
    url = server.url("status.git");

    // Older history with fixed times, as an earlier poolkeeper (or a person) committed it.
    const work = join(tmp, "work");
    await gitCli(tmp, ["init", "--quiet", `--initial-branch=${BRANCH}`, work]);
    await statusCommit(work, "2024-05-31T08:00:00Z", "initial status branch");
    const c1 = await statusCommit(
      work,
      "2024-06-01T09:00:00Z",
      commitMessage(model("eu-1", { sha: "1a2b3c4d5e6f", accepted: true }), [event("accepted", "2 pools")], {
        cluster: "eu-1",
      }),
    );
    const c2 = await statusCommit(
      work,
      "2024-06-02T10:00:00Z",
      commitMessage(
        model("eu-1", { sha: "1a2b3c4d5e6f", accepted: true }),
        [
          event("provisioned", "launched g5.xlarge", "gpu", "ip-10-0-1-2"),
          event("drained", "empty", "general", "ip-10-0-2-2"),
        ],
        { cluster: "eu-1" },
      ),
    );
    const c3 = await statusCommit(
      work,
      "2024-06-03T11:00:00Z",
      commitMessage(
        model("us-2", { sha: "", accepted: false, rejectedSha: "9f8e7d6c5b4a" }),
        [event("rejected", "1 denial")],
        { cluster: "us-2" },
      ),
    );
    // The desired state on main, next to the status branch: the remote's HEAD must resolve for the writer.
    await gitCli(work, ["checkout", "--quiet", "--orphan", "main"]);
    await gitCli(work, ["commit", "--quiet", "--allow-empty", "-m", "desired state"]);
    await gitCli(work, ["push", "--quiet", server.url("status.git", AUTH), BRANCH, "main"]);

    // Newer history from the status writer itself (committed now).
    const w = writer("status.git", join(tmp, "writer-cache"));
    const w1 = await w.write({
      files: new Map([["summary.md", "1\n"]]),
      message: commitMessage(
        model("eu-1", { sha: "2b3c4d5e6f70", accepted: true }),
        [event("provisioned", "launched g5.2xlarge", "gpu", "ip-10-0-1-3")],
        { cluster: "eu-1" },
      ),
    });
    const w2 = await w.write({
      files: new Map([["summary.md", "2\n"]]),
      message: commitMessage(
        model("eu-1", { sha: "2b3c4d5e6f70", accepted: true }),
        [event("consolidated", "underused", "general")],
        { cluster: "eu-1" },
      ),
    });
    assert.ok(w1.pushed && w1.sha && w2.pushed && w2.sha);

    add("w2", w2.sha, await commitTime(bare, w2.sha), "eu-1", "2b3c4d5e6f70", {
      kind: "consolidated",
      pool: "general",
      reason: "underused",
    });
    add("w1", w1.sha, await commitTime(bare, w1.sha), "eu-1", "2b3c4d5e6f70", {
      kind: "provisioned",
      pool: "gpu",
      node: "ip-10-0-1-3",
      reason: "launched g5.2xlarge",
    });
    add("c3", c3, "2024-06-03T11:00:00Z", "us-2", null, { kind: "rejected", reason: "1 denial" });
    add("c2p", c2, "2024-06-02T10:00:00Z", "eu-1", "1a2b3c4d5e6f", {
      kind: "provisioned",
      pool: "gpu",
      node: "ip-10-0-1-2",
      reason: "launched g5.xlarge",
    });
    add("c2d", c2, "2024-06-02T10:00:00Z", "eu-1", "1a2b3c4d5e6f", {
      kind: "drained",
      pool: "general",
      node: "ip-10-0-2-2",
      reason: "empty",
    });
    add("c1", c1, "2024-06-01T09:00:00Z", "eu-1", "1a2b3c4d5e6f", { kind: "accepted", reason: "2 pools" });
    all = ["w2", "w1", "c3", "c2p", "c2d", "c1"];
  });

  after(async () => {
    await server.stop();
    await tokenServer.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const text = (...keys: string[]): string => keys.map((k) => `${rows[k]?.text}\n`).join("");
  const credentials = () => ["--username", AUTH.username, "--password-file", passwordFile];

  it("prints every event over HTTP(S), newest first, with a password from --password-file", async () => {
    const result = await history("--repo", url, ...credentials());
    assert.equal(result.err, "");
    assert.equal(result.out, text(...all));
    assert.equal(result.code, 0);
  });

  it("--format json: one object per event, in the same order", async () => {
    const result = await history("--repo", url, ...credentials(), "--format", "json");
    assert.equal(result.code, 0, result.err);
    assert.equal(result.err, "");
    assert.deepEqual(
      JSON.parse(result.out),
      all.map((k) => rows[k]?.json),
    );
  });

  it("filters by pool, event kind, cluster and time", async () => {
    const cases: [string[], string[]][] = [
      [
        ["--pool", "gpu"],
        ["w1", "c2p"],
      ],
      [["--event", "rejected"], ["c3"]],
      [["--pool", "general", "--event", "drained"], ["c2d"]],
      [["--cluster", "us-2"], ["c3"]],
      [
        ["--cluster", "eu-1", "--event", "provisioned"],
        ["w1", "c2p"],
      ],
      [
        ["--since", "2024-06-02"],
        ["w2", "w1", "c3", "c2p", "c2d"],
      ],
      [
        ["--since", "2024-06-02T10:00:00Z"],
        ["w2", "w1", "c3", "c2p", "c2d"],
      ],
      [
        ["--since", "2024-06-02T10:00:01Z"],
        ["w2", "w1", "c3"],
      ],
      [
        ["--since", "2024-06-02T12:00:01+02:00"],
        ["w2", "w1", "c3"],
      ],
      [
        ["--since", "24h"],
        ["w2", "w1"],
      ],
      [
        ["--since", "90m"],
        ["w2", "w1"],
      ],
      [
        ["--since", "7d"],
        ["w2", "w1"],
      ],
      [["--since", "1d12h", "--pool", "general"], ["w2"]],
    ];
    for (const [args, keys] of cases) {
      const result = await history("--repo", url, ...credentials(), ...args);
      assert.equal(result.out, text(...keys), args.join(" "));
      assert.equal(result.err, "", args.join(" "));
      assert.equal(result.code, 0, args.join(" "));
    }
  });

  it("no matching event: exit 0, nothing on stdout (text) or [] (json), a note on stderr for text", async () => {
    const none = await history("--repo", url, ...credentials(), "--pool", "no-such-pool");
    assert.deepEqual(none, {
      code: 0,
      out: "",
      err: "poolkeeper history: no status events match (6 commits on poolkeeper-status read).\n",
    });
    const json = await history("--repo", url, ...credentials(), "--cluster", "nowhere", "--format", "json");
    assert.deepEqual(json, { code: 0, out: "[]\n", err: "" });
  });

  it("a bad --since or --event is a usage error naming the option (exit 2)", async () => {
    for (const since of ["yesterday", "2024-02-30", "7", "-1h", "1d-2h", "2024-06-01T25:00:00Z"]) {
      const result = await history("--repo", url, ...credentials(), "--since", since);
      assert.equal(result.code, 2, since);
      assert.equal(result.out, "");
      assert.match(result.err, new RegExp(`^poolkeeper: --since "${since}": `), since);
    }
    const event = await history("--repo", url, "--event", "exploded");
    assert.equal(event.code, 2);
    assert.match(event.err, /--event <kind>.*exploded.*Allowed choices are accepted, rejected/s);
  });

  it("reads a local repository in place: a bare repository, a clone, a directory inside a clone", async () => {
    const fromBare = await history("--repo", bare);
    assert.deepEqual(fromBare, { code: 0, out: text(...all), err: "" });

    // A clone of the repository has the status branch only as origin/poolkeeper-status.
    const clone = join(tmp, `clone-${++n}`);
    await gitCli(tmp, ["clone", "--quiet", server.url("status.git", AUTH), clone]);
    assert.deepEqual(await history("--repo", clone, "--pool", "gpu"), { code: 0, out: text("w1", "c2p"), err: "" });

    await gitCli(clone, ["checkout", "--quiet", BRANCH]);
    const inside = join(clone, "status", "eu-1");
    assert.deepEqual(await history("--repo", inside, "--event", "rejected", "--format", "json"), {
      code: 0,
      out: `${JSON.stringify([rows["c3"]?.json], null, 2)}\n`,
      err: "",
    });
  });

  it("a missing status branch is exit 2 with a clear message", async () => {
    const remote = await history("--repo", url, ...credentials(), "--status-branch", "no-such-branch");
    assert.deepEqual(remote, {
      code: 2,
      out: "",
      err: `poolkeeper history: Status branch no-such-branch was not found in ${url}.\n`,
    });
    const local = await history("--repo", bare, "--status-branch", "no-such-branch");
    assert.deepEqual(local, {
      code: 2,
      out: "",
      err: `poolkeeper history: Status branch no-such-branch was not found in ${bare}.\n`,
    });
    const notRepo = await history("--repo", join(tmp, "nothing-here"));
    assert.equal(notRepo.code, 2);
    assert.match(notRepo.err, /^poolkeeper history: .*nothing-here is not a Git repository\.\n$/);
    const ssh = await history("--repo", "git@example.test:org/pools.git");
    assert.equal(ssh.code, 2);
    assert.match(ssh.err, /only HTTP\(S\) remotes and local repository paths are supported/);
  });

  it("rejected credentials: exit 2, a message that says so and never holds the password", async () => {
    const wrong = join(tmp, "wrong-password");
    writeFileSync(wrong, "wr0ng-Secret-xyz\n");
    const result = await history("--repo", url, "--username", "bot", "--password-file", wrong);
    assert.equal(result.code, 2);
    assert.equal(result.out, "");
    assert.match(
      result.err,
      /^poolkeeper history: Git remote http:\/\/127\.0\.0\.1:\d+\/status\.git rejected the credentials/,
    );
    assert.doesNotMatch(result.err, /wr0ng-Secret-xyz|d3IwbmctU2VjcmV0LXh5eg|bot:/);

    const anonymous = await history("--repo", url);
    assert.equal(anonymous.code, 2);
    assert.match(anonymous.err, /rejected the credentials/);
  });

  it("takes a token from POOLKEEPER_GIT_TOKEN, or from --token-file", async () => {
    const tokenUrl = tokenServer.url("status.git");
    const saved = process.env["POOLKEEPER_GIT_TOKEN"];
    process.env["POOLKEEPER_GIT_TOKEN"] = TOKEN;
    try {
      assert.deepEqual(await history("--repo", tokenUrl, "--event", "accepted"), {
        code: 0,
        out: text("c1"),
        err: "",
      });
    } finally {
      if (saved === undefined) delete process.env["POOLKEEPER_GIT_TOKEN"];
      else process.env["POOLKEEPER_GIT_TOKEN"] = saved;
    }
    const tokenFile = join(tmp, "token");
    writeFileSync(tokenFile, `${TOKEN}\n`);
    assert.deepEqual(await history("--repo", tokenUrl, "--token-file", tokenFile, "--pool", "general"), {
      code: 0,
      out: text("w2", "c2d"),
      err: "",
    });
  });

  it("--cache-dir keeps the clone and fetches what is new; without it the temporary clone is removed", async () => {
    const repo = "cached.git";
    const cachedBare = server.createBareRepo(repo);
    const w = writer(repo, join(tmp, "cached-writer"));
    const first = await w.write({
      files: new Map([["summary.md", "1\n"]]),
      message: commitMessage(model("eu-1", { sha: "abc", accepted: true }), [event("accepted", "first")], {
        cluster: "eu-1",
      }),
    });
    const cacheDir = join(tmp, "history-cache");
    const cachedUrl = server.url(repo);
    // Only the status branch so far: the remote's HEAD names the missing main, which isomorphic-git cannot fetch.
    const headless = await history("--repo", cachedUrl, ...credentials(), "--cache-dir", cacheDir);
    assert.equal(headless.code, 2);
    assert.match(headless.err, /has no default branch \(its HEAD names a branch that does not exist\)/);
    await gitCli(cachedBare, ["update-ref", "refs/heads/main", first.sha ?? ""]);

    const one = await history("--repo", cachedUrl, ...credentials(), "--cache-dir", cacheDir);
    assert.equal(
      one.out,
      `${row(await commitTime(cachedBare, first.sha ?? ""), first.sha ?? "", "accepted", "", "first")}\n`,
    );
    assert.ok(readdirSync(join(cacheDir, ".git")).includes("objects"));

    const second = await w.write({
      files: new Map([["summary.md", "2\n"]]),
      message: commitMessage(model("eu-1", { sha: "abc", accepted: true }), [event("drifted", "second", "gpu")], {
        cluster: "eu-1",
      }),
    });
    const two = await history("--repo", cachedUrl, ...credentials(), "--cache-dir", cacheDir, "--format", "json");
    assert.deepEqual(
      (JSON.parse(two.out) as { sha: string; kind: string }[]).map((r) => [r.sha, r.kind]),
      [
        [second.sha, "drifted"],
        [first.sha, "accepted"],
      ],
    );

    const temp = join(tmp, "os-tmp");
    mkdirSync(temp);
    const saved = process.env["TMPDIR"];
    process.env["TMPDIR"] = temp;
    try {
      const three = await history("--repo", cachedUrl, ...credentials(), "--event", "drifted");
      assert.equal(three.code, 0, three.err);
      assert.match(three.out, /^\S+ {2}[0-9a-f]{7} {2}drifted {2}pool=gpu {2}second\n$/);
    } finally {
      if (saved === undefined) delete process.env["TMPDIR"];
      else process.env["TMPDIR"] = saved;
    }
    assert.deepEqual(readdirSync(temp), []);
  });
});
