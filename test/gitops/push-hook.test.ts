import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { branchOf, verifyPushHook } from "../../gitops/push-hook.ts";

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const sign = (secret: string, body: Uint8Array): string =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

// GitHub's documented example (docs.github.com, "Validating webhook deliveries").
const DOC_SECRET = "It's a Secret to Everybody";
const DOC_BODY = encode("Hello, World!");
const DOC_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

test("github: the documented test vector verifies; a non-JSON body has no branch", () => {
  assert.equal(sign(DOC_SECRET, DOC_BODY), DOC_SIGNATURE);
  const result = verifyPushHook({
    headers: { "X-Hub-Signature-256": DOC_SIGNATURE },
    body: DOC_BODY,
    githubSecret: DOC_SECRET,
  });
  assert.deepEqual(result, { ok: true, provider: "github" });
});

test("github: header name case-insensitive, upper-case hex accepted, branch from the payload", () => {
  const body = encode(JSON.stringify({ ref: "refs/heads/main", after: "abc" }));
  const signature = `sha256=${sign("s3cret", body).slice("sha256=".length).toUpperCase()}`;
  const result = verifyPushHook({ headers: { "x-hub-signature-256": signature }, body, githubSecret: "s3cret" });
  assert.deepEqual(result, { ok: true, provider: "github", branch: "main" });
});

test("github: tampered body, wrong secret → 401 without echoing secrets or signatures", () => {
  const tampered = verifyPushHook({
    headers: { "X-Hub-Signature-256": DOC_SIGNATURE },
    body: encode("Hello, World?"),
    githubSecret: DOC_SECRET,
  });
  assert.equal(tampered.ok, false);
  assert.equal(!tampered.ok && tampered.status, 401);
  const wrong = verifyPushHook({
    headers: { "X-Hub-Signature-256": DOC_SIGNATURE },
    body: DOC_BODY,
    githubSecret: "not the secret",
  });
  assert.equal(!wrong.ok && wrong.status, 401);
  for (const r of [tampered, wrong]) {
    assert.ok(!r.ok);
    assert.ok(!r.reason.includes("757107ea"));
    assert.ok(!r.reason.includes("Secret to Everybody"));
    assert.ok(!r.reason.includes("not the secret"));
  }
});

test("github: missing and malformed headers → 401", () => {
  const base = { body: DOC_BODY, githubSecret: DOC_SECRET };
  const cases = [
    {},
    { "X-Hub-Signature-256": "" },
    { "X-Hub-Signature-256": "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" },
    { "X-Hub-Signature-256": "sha256=757107ea" },
    { "X-Hub-Signature-256": "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" },
    { "X-Hub-Signature-256": [DOC_SIGNATURE, DOC_SIGNATURE] },
    { "X-Hub-Signature": "sha1=0000000000000000000000000000000000000000" },
  ];
  for (const headers of cases) {
    const result = verifyPushHook({ ...base, headers });
    assert.equal(result.ok, false, JSON.stringify(headers));
    assert.equal(!result.ok && result.status, 401, JSON.stringify(headers));
  }
  const missing = verifyPushHook({ ...base, headers: {} });
  assert.ok(!missing.ok && missing.reason.includes("X-Hub-Signature-256"));
});

test("gitlab: right token → ok with branch; wrong, missing or repeated → 401", () => {
  const body = encode(JSON.stringify({ object_kind: "push", ref: "refs/heads/pools" }));
  const ok = verifyPushHook({ headers: { "X-Gitlab-Token": "tok-123" }, body, gitlabToken: "tok-123" });
  assert.deepEqual(ok, { ok: true, provider: "gitlab", branch: "pools" });
  for (const headers of [
    { "X-Gitlab-Token": "tok-124" },
    { "X-Gitlab-Token": "tok-12" },
    { "X-Gitlab-Token": "" },
    { "X-Gitlab-Token": ["tok-123", "tok-123"] },
    {},
  ]) {
    const result = verifyPushHook({ headers, body, gitlabToken: "tok-123" });
    assert.equal(!result.ok && result.status, 401, JSON.stringify(headers));
    assert.ok(!result.ok && !result.reason.includes("tok-12"));
  }
});

test("both configured: each provider verified by its own header; unconfigured provider refused", () => {
  const body = encode(JSON.stringify({ ref: "refs/tags/v1" }));
  const secrets = { githubSecret: "gh", gitlabToken: "gl" };
  assert.deepEqual(verifyPushHook({ headers: { "X-Hub-Signature-256": sign("gh", body) }, body, ...secrets }), {
    ok: true,
    provider: "github",
  });
  assert.deepEqual(verifyPushHook({ headers: { "X-Gitlab-Token": "gl" }, body, ...secrets }), {
    ok: true,
    provider: "gitlab",
  });
  // The GitLab token is no GitHub secret, and vice versa.
  const crossed = verifyPushHook({ headers: { "X-Hub-Signature-256": sign("gl", body) }, body, ...secrets });
  assert.equal(!crossed.ok && crossed.status, 401);
  const missing = verifyPushHook({ headers: {}, body, ...secrets });
  assert.ok(!missing.ok && missing.status === 401 && /X-Hub-Signature-256 or X-Gitlab-Token/.test(missing.reason));
  const both = verifyPushHook({
    headers: { "X-Hub-Signature-256": sign("gh", body), "X-Gitlab-Token": "gl" },
    body,
    ...secrets,
  });
  assert.equal(!both.ok && both.status, 400);
  const onlyGitlab = verifyPushHook({ headers: { "X-Hub-Signature-256": sign("gh", body) }, body, gitlabToken: "gl" });
  assert.equal(!onlyGitlab.ok && onlyGitlab.status, 401);
  const none = verifyPushHook({ headers: { "X-Gitlab-Token": "" }, body, gitlabToken: "" });
  assert.equal(!none.ok && none.status, 401);
});

test("branchOf: only refs/heads/ refs of a JSON object", () => {
  assert.equal(branchOf(encode('{"ref":"refs/heads/feature/x"}')), "feature/x");
  assert.equal(branchOf(encode('{"ref":"refs/tags/v1"}')), undefined);
  assert.equal(branchOf(encode('{"ref":"refs/heads/"}')), undefined);
  assert.equal(branchOf(encode('{"ref":1}')), undefined);
  assert.equal(branchOf(encode('["refs/heads/main"]')), undefined);
  assert.equal(branchOf(encode("not json")), undefined);
  assert.equal(branchOf(new Uint8Array([0x7b, 0xff, 0x7d])), undefined, "not UTF-8");
  assert.equal(branchOf(new Uint8Array([0xff, 0xfe])), undefined);
});
