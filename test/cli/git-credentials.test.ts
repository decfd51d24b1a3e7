import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Command } from "commander";
import { gitCredentialOptions, readGitCredentials } from "../../cli/git-credentials.ts";
import { InputError } from "../../cli/input-files.ts";

const SECRET = "s3cret-Pa55 word";

describe("readGitCredentials", () => {
  let tmp: string;
  const file = (name: string, text: string): string => {
    const path = join(tmp, name);
    writeFileSync(path, text);
    return path;
  };

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "poolkeeper-credentials-"));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** Asserts an InputError mentioning `mention` and never the secret. */
  const rejects = (run: () => unknown, mention: RegExp): void => {
    assert.throws(run, (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, mention);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
  };

  test("--token-file: the content without its trailing line break", () => {
    assert.deepEqual(readGitCredentials({ tokenFile: file("token", `${SECRET}\n`) }, {}), { token: SECRET });
    assert.deepEqual(readGitCredentials({ tokenFile: file("token-crlf", `${SECRET}\r\n`) }, {}), { token: SECRET });
    // A trailing space is part of the secret.
    assert.deepEqual(readGitCredentials({ tokenFile: file("token-space", `${SECRET} `) }, {}), { token: `${SECRET} ` });
  });

  test("--username with --password-file", () => {
    assert.deepEqual(readGitCredentials({ username: "bot", passwordFile: file("pw", `${SECRET}\n`) }, {}), {
      username: "bot",
      password: SECRET,
    });
  });

  test("the command line wins over the environment; the token variable over the user/password pair", () => {
    const env = {
      POOLKEEPER_GIT_TOKEN: "env-token",
      POOLKEEPER_GIT_USERNAME: "env-user",
      POOLKEEPER_GIT_PASSWORD: "env-password",
    };
    assert.deepEqual(readGitCredentials({ tokenFile: file("t2", "file-token") }, env), { token: "file-token" });
    assert.deepEqual(readGitCredentials({ username: "bot", passwordFile: file("p2", "file-pw") }, env), {
      username: "bot",
      password: "file-pw",
    });
    assert.deepEqual(readGitCredentials({}, env), { token: "env-token" });
    assert.deepEqual(readGitCredentials({}, { ...env, POOLKEEPER_GIT_TOKEN: "" }), {
      username: "env-user",
      password: "env-password",
    });
  });

  test("nothing given: anonymous", () => {
    assert.equal(readGitCredentials({}, {}), undefined);
    assert.equal(readGitCredentials({}, { POOLKEEPER_GIT_TOKEN: "", HOME: "/x" }), undefined);
  });

  test("errors name the option or variable and never hold the secret", () => {
    rejects(
      () => readGitCredentials({ tokenFile: join(tmp, "missing") }, {}),
      /^--token-file .*missing: no such file$/,
    );
    rejects(() => readGitCredentials({ tokenFile: tmp }, {}), /^--token-file .*: is a directory$/);
    rejects(
      () => readGitCredentials({ tokenFile: file("empty", "\n") }, {}),
      /^--token-file .*empty: the file is empty$/,
    );
    rejects(
      () => readGitCredentials({ tokenFile: file("two-lines", `${SECRET}\nsecond s3cret line\n`) }, {}),
      /^--token-file .*two-lines: the file holds more than one line$/,
    );
    rejects(
      () => readGitCredentials({ username: "bot", passwordFile: join(tmp, "nope") }, {}),
      /^--password-file .*nope: no such file$/,
    );
    rejects(
      () => readGitCredentials({ username: "bot", passwordFile: file("empty-pw", "") }, {}),
      /^--password-file .*: the file is empty$/,
    );
    rejects(() => readGitCredentials({ passwordFile: file("pw3", SECRET) }, {}), /^--password-file needs --username$/);
    rejects(() => readGitCredentials({ username: "bot" }, {}), /^--username needs --password-file/);
    rejects(
      () =>
        readGitCredentials({ tokenFile: file("t3", SECRET), username: "bot", passwordFile: file("p3", SECRET) }, {}),
      /alternatives/,
    );
    rejects(
      () => readGitCredentials({}, { POOLKEEPER_GIT_USERNAME: "bot" }),
      /^POOLKEEPER_GIT_USERNAME is set but POOLKEEPER_GIT_PASSWORD is not$/,
    );
    rejects(
      () => readGitCredentials({}, { POOLKEEPER_GIT_PASSWORD: SECRET }),
      /^POOLKEEPER_GIT_PASSWORD is set but POOLKEEPER_GIT_USERNAME is not$/,
    );
    rejects(
      () => readGitCredentials({ username: "bot:s3cret", passwordFile: file("p4", SECRET) }, {}),
      /^--username must not contain a colon or control characters/,
    );
    rejects(
      () => readGitCredentials({}, { POOLKEEPER_GIT_USERNAME: "bot\nx", POOLKEEPER_GIT_PASSWORD: SECRET }),
      /^POOLKEEPER_GIT_USERNAME must not contain a colon or control characters/,
    );
  });
});

test("gitCredentialOptions: fresh commander options a command can add", () => {
  const parse = (argv: string[]) => {
    const command = new Command("x").exitOverride();
    for (const option of gitCredentialOptions()) command.addOption(option);
    return command.parse(argv, { from: "user" }).opts();
  };
  assert.deepEqual(parse(["--token-file", "t"]), { tokenFile: "t" });
  assert.deepEqual(parse(["--username", "bot", "--password-file", "p"]), { username: "bot", passwordFile: "p" });
  assert.deepEqual(parse([]), {});
  assert.notEqual(gitCredentialOptions()[0], gitCredentialOptions()[0]);
  assert.deepEqual(
    gitCredentialOptions().map((o) => o.flags),
    ["--token-file <file>", "--username <name>", "--password-file <file>"],
  );
});
