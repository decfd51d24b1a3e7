// Scrubbing credentials from what a Git remote's errors say (pure): every form of the Basic credentials sent,
// wherever a remote quotes them, computed independently here with Buffer (RFC 7617's `base64(user ":" password)`).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scrub, secretsOf } from "../../gitops/git-errors.ts";

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const PASSWORDS = ["s3cret-Pa55word", "s3cret-Pa55word#", "s3cret-Pa55word#2"]; // lengths mod 3: 0, 1, 2

describe("secretsOf and scrub", () => {
  it("scrubs the Authorization header sent, for a user and password and for a token", () => {
    const basic = secretsOf({ username: "ci-a", password: PASSWORDS[0] ?? "" });
    assert.ok(basic.includes(`Basic ${base64(`ci-a:${PASSWORDS[0] ?? ""}`)}`));
    const token = secretsOf({ token: "ghp_T0kenT0kenT0kenT0" });
    assert.ok(token.includes(`Basic ${base64("x-access-token:ghp_T0kenT0kenT0kenT0")}`));
    for (const [secrets, header] of [
      [basic, `Basic ${base64(`ci-a:${PASSWORDS[0] ?? ""}`)}`],
      [token, `Basic ${base64("x-access-token:ghp_T0kenT0kenT0kenT0")}`],
    ] as const) {
      assert.equal(
        scrub(`you sent Authorization: ${header}, go away`, secrets),
        "you sent Authorization: ***, go away",
      );
    }
  });

  it("scrubs the password inside base64 whatever comes before it (every offset mod 3)", () => {
    for (const password of PASSWORDS) {
      const secrets = secretsOf({ username: "bot", password });
      for (const other of ["", "a", "ab", "abc", "abcd", "abcde"]) {
        const quoted = `Authorization: Basic ${base64(`${other}:${password}`)}.`;
        assert.equal(scrub(quoted, secrets), "Authorization: Basic ***.", `user "${other}", ${password.length}`);
      }
    }
  });

  it("scrubs user:password raw and URL-encoded, and URL user info", () => {
    const secrets = secretsOf({ username: "b@t", password: "pa ss/w0rd" });
    assert.equal(scrub("b@t:pa ss/w0rd", secrets), "***");
    assert.equal(scrub("b%40t:pa%20ss%2Fw0rd", secrets), "***");
    assert.equal(scrub("see https://b%40t:pa%20ss%2Fw0rd@git.example.com/x", secrets), "see https://git.example.com/x");
    assert.equal(scrub("short pw: pw1.", secretsOf({ username: "u", password: "pw1" })), "short pw: ***.");
  });

  it("scrubs the start of a form where a quoted answer was cut short", () => {
    for (const user of ["bot", "ci-a", "robot"]) {
      for (const password of PASSWORDS) {
        const secrets = secretsOf({ username: user, password });
        const header = `Basic ${base64(`${user}:${password}`)}`;
        // Characters of the header decided by "Basic " and the user name alone are no secret.
        const userOnly = "Basic ".length + Math.floor(((user.length + 1) * 8) / 6);
        for (let cut = userOnly + 1; cut < header.length; cut++) {
          const text = scrub(`received: ${header.slice(0, cut)}...`, secrets);
          assert.ok(
            !text.includes(header.slice(0, userOnly + 1)),
            `${user}, ${password.length}, cut at ${cut}: ${text}`,
          );
        }
        assert.equal(scrub(`received: ${password.slice(0, 8)}…`, secrets), "received: ***…");
      }
    }
  });
});
