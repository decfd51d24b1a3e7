// A Git server (or a proxy before it) that quotes the request's Authorization header in its errors must not get
// the credentials into anything poolkeeper shows: the log, the error message, the sync result or the status
// branch. Base64 packs three bytes into four characters, so where the password starts inside `user:password`
// depends on the user name's length: every length mod 3 of user names and passwords is tried.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runSync, type SyncOptions } from "../../cli/commands/sync.ts";
import { capturedOutput } from "../../cli/output.ts";
import type { SyncResult } from "../../gitops/sync.ts";
import { startGitServer, type AuthorizationEcho, type GitServer } from "../support/git-server.ts";
import { createPoolRepo, gitCli, poolRepoFixture, type PoolRepo } from "../support/pool-repo.ts";

const USERS = ["bot", "ci-a", "robot"]; // lengths 3, 4, 5
const PASSWORDS = ["s3cret-Pa55word", "s3cret-Pa55word#", "s3cret-Pa55word#2"]; // lengths 15, 16, 17
const TOKENS = ["ghp_T0kenT0kenT0kenT0", "ghp_T0kenT0kenT0kenT0k", "ghp_T0kenT0kenT0kenT0ke"]; // 21, 22, 23

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** Every form of the secret a message could carry, computed here with Buffer (RFC 7617's user-pass). */
function forms(user: string, password: string): string[] {
  const pair = `${user}:${password}`;
  return [
    password,
    encodeURIComponent(password),
    base64(password),
    pair,
    `${encodeURIComponent(user)}:${encodeURIComponent(password)}`,
    base64(pair),
    `Basic ${base64(pair)}`,
  ];
}

/** How many leading characters of base64(user:password) `text` shows. */
function longestShownPrefix(text: string, user: string, password: string): number {
  const encoded = base64(`${user}:${password}`);
  for (let length = encoded.length; length > 0; length--) if (text.includes(encoded.slice(0, length))) return length;
  return 0;
}

describe("credentials quoted back by the Git server", () => {
  let server: GitServer;
  let tmp: string;
  let repo: PoolRepo;
  let config: string;
  let n = 0;

  before(async () => {
    server = await startGitServer();
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-credential-leak-"));
    repo = await createPoolRepo(server, "echo", tmp);
    // The config as a file: a run gets past the start even though every Git request fails.
    config = join(poolRepoFixture, "poolkeeper.yaml");
  });
  after(async () => {
    server.setEchoAuthorization(undefined);
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * `sync --once` while the server echoes; the echo stops once the sync has failed, so the status (its
   * fetch-failed event with the error) is committed. Returns all it showed: stdout, stderr, log lines, the sync
   * result and the status branch's messages.
   */
  async function run(
    echo: AuthorizationEcho,
    credentials: Partial<SyncOptions>,
  ): Promise<{ code: number; shown: string }> {
    const out = capturedOutput();
    const lines: string[] = [];
    let result: SyncResult | undefined;
    const options: SyncOptions = {
      repo: repo.url,
      branch: "main",
      once: true,
      config,
      cacheDir: join(tmp, `cache-${++n}`),
      status: true,
      format: "json",
      port: "0",
      host: "127.0.0.1",
      logLevel: "trace",
      ...credentials,
    };
    server.setEchoAuthorization(echo);
    let code: number;
    try {
      code = await runSync(options, out, {
        env: {},
        log: { write: (line: string) => void lines.push(line) },
        onSync: (r) => {
          result = r;
          server.setEchoAuthorization(undefined);
        },
      });
    } finally {
      server.setEchoAuthorization(undefined);
    }
    assert.equal(result?.outcome, "failed");
    await gitCli(repo.work, "fetch", "--quiet", repo.pushUrl, "+poolkeeper-status:refs/remotes/check/status");
    const status = await gitCli(repo.work, "log", "--format=%B", "refs/remotes/check/status");
    assert.match(status, /Poolkeeper-Event: fetch-failed: /, "the failure is in the status branch");
    const shown = [out.out, out.err, lines.join(""), result?.error?.message, JSON.stringify(result), status].join("\n");
    return { code, shown };
  }

  function assertNoSecret(shown: string, user: string, password: string, what: string): void {
    for (const form of forms(user, password)) assert.ok(!shown.includes(form), `${what}: shows ${form}`);
    // A message cut short must not end in the start of the header either: no base64 character of the password.
    const userOnly = Math.floor(((user.length + 1) * 8) / 6);
    assert.ok(longestShownPrefix(shown, user, password) <= userOnly, `${what}: shows part of the password's base64`);
  }

  it("--username/--password-file: every user and password length mod 3, the header echoed in the body", async () => {
    for (const user of USERS) {
      for (const password of PASSWORDS) {
        const passwordFile = join(tmp, `password-${++n}`);
        writeFileSync(passwordFile, `${password}\n`);
        const { code, shown } = await run({ status: 200 }, { username: user, passwordFile });
        const what = `user ${user.length}, password ${password.length}`;
        assert.equal(code, 2, what);
        assert.match(shown, /does not look like a Git repository/, what);
        assertNoSecret(shown, user, password, what);
      }
    }
  });

  it("--username/--password-file: the header echoed in the HTTP reason phrase", async () => {
    for (const [i, user] of USERS.entries()) {
      const password = PASSWORDS[(i + 1) % PASSWORDS.length] ?? "";
      const passwordFile = join(tmp, `password-${++n}`);
      writeFileSync(passwordFile, password);
      const { code, shown } = await run({ status: 502 }, { username: user, passwordFile });
      const what = `user ${user.length}, password ${password.length}`;
      assert.equal(code, 2, what);
      assert.match(shown, /is unavailable \(HTTP 502 Bad credentials: Authorization: /, what);
      assertNoSecret(shown, user, password, what);
    }
  });

  it("--username/--password-file: the header cut short inside the password by the client's preview", async () => {
    for (const [i, user] of USERS.entries()) {
      const password = PASSWORDS[i] ?? "";
      const passwordFile = join(tmp, `password-${++n}`);
      writeFileSync(passwordFile, password);
      // isomorphic-git quotes the first 256 characters of the body: the cut falls 6 characters into the
      // password's part of base64(user:password).
      const shownOfHeader = Math.ceil(((user.length + 1) * 8) / 6) + 6;
      const offset = 256 - "Authorization: Basic ".length - shownOfHeader;
      const { code, shown } = await run({ status: 200, offset }, { username: user, passwordFile });
      const what = `user ${user.length}, password ${password.length}, cut`;
      assert.equal(code, 2, what);
      assertNoSecret(shown, user, password, what);
    }
  });

  it("--token-file: the token, sent as the password of x-access-token, in every length mod 3", async () => {
    for (const token of TOKENS) {
      const tokenFile = join(tmp, `token-${++n}`);
      writeFileSync(tokenFile, `${token}\n`);
      const { code, shown } = await run({ status: 200 }, { tokenFile });
      assert.equal(code, 2);
      assertNoSecret(shown, "x-access-token", token, `token ${token.length}`);
    }
  });
});
