import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { judge, nodeClass, summary, upstreamDenials } from "./judge.ts";

const rules = ["userdata.*"];
const withUserData = (userData: string, spec: Record<string, unknown> = {}) => nodeClass("a", { ...spec, userData });

describe("userdata.secrets", () => {
  const cases: [string, string, RegExp][] = [
    ["an AWS access key id", "export AWS_ACCESS_KEY_ID=AKIA2E0A8F3B244C9986", /an AWS access key id/],
    ["a temporary access key id", "ASIAY34FZKBOKMUTVV7A", /an AWS access key id/],
    [
      "a secret access key",
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYz9Q2xW4LmT",
      /an AWS secret access key/,
    ],
    ["a private key", "-----BEGIN OPENSSH PRIVATE KEY-----", /a private key/],
    ["an RSA private key", "-----BEGIN RSA PRIVATE KEY-----", /a private key/],
    ["a password assignment", 'DB_PASSWORD="hunter2hunter2"', /a literal value for DB_PASSWORD/],
    ["a YAML token", "  token: 8f4e1c2a9b", /a literal value for token/],
    ["a token in a URL", "curl https://example.internal/join?token=abcd1234", /a literal value for token/],
    ["a GitHub token", "git clone https://ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/o/r", /a GitHub token/],
  ];
  for (const [name, line, kind] of cases) {
    test(`${name} is denied, with its line and kind but not the secret`, () => {
      const findings = judge([withUserData(`#!/bin/bash\necho start\n${line}\n`)], { rules });
      assert.deepEqual(summary(findings), ["userdata.secrets deny /spec/userData"]);
      const message = findings[0]?.message ?? "";
      assert.match(message, /^line 3 of spec\.userData holds /);
      assert.match(message, kind);
      for (const secret of ["AKIA2E0A8F3B244C9986", "wJalrXUtnFEMI", "hunter2", "8f4e1c2a9b", "abcd1234", "ghp_0123"]) {
        assert.ok(!message.includes(secret), `the message must not repeat the secret: ${message}`);
      }
    });
  }

  test("variable references, command output, templates and placeholders are not secrets", () => {
    const script = [
      "#!/bin/bash",
      'TOKEN=$(curl -sX PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")',
      'curl -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id',
      'DB_PASSWORD="${DB_PASSWORD}"',
      "password: {{ .Password }}",
      "api_key=<your-api-key>",
      "secret_name=prod/db",
      "token_file=/var/run/secrets/token",
      "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
      "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host",
    ].join("\n");
    assert.deepEqual(judge([withUserData(script)], { rules: ["userdata.secrets"] }), []);
  });

  test("one finding per line that holds a secret", () => {
    const findings = judge([withUserData("PASSWORD=abcdefgh\necho ok\nTOKEN=zyxwvuts\n")], {
      rules: ["userdata.secrets"],
    });
    assert.deepEqual(
      findings.map((f) => f.message.slice(0, 30)),
      ["line 1 of spec.userData holds ", "line 3 of spec.userData holds "],
    );
  });
});

describe("userdata.size", () => {
  test("over 16384 bytes (UTF-8, before base64) is denied", () => {
    const findings = judge([withUserData("#".repeat(16_385))], { rules });
    assert.deepEqual(summary(findings), ["userdata.size deny /spec/userData"]);
    assert.match(findings[0]?.message ?? "", /16385 bytes, over EC2's 16384-byte/);
  });

  test("bytes, not characters: multi-byte text is counted as EC2 counts it", () => {
    // 5462 × "é€" is 10924 characters, under the limit if counted as characters, but 27310 UTF-8 bytes.
    assert.deepEqual(summary(judge([withUserData("é€".repeat(5_462), { amiFamily: "Custom" })], { rules })), [
      "userdata.size deny /spec/userData",
    ]);
  });

  test("exactly 16384 bytes fits", () => {
    assert.deepEqual(judge([withUserData("#".repeat(16_384), { amiFamily: "Custom" })], { rules }), []);
  });
});

describe("userdata.size-headroom", () => {
  test("above maxBytes (14 KiB) for a family Karpenter merges into: warned, denied in strict", () => {
    const object = withUserData("#".repeat(15_000));
    assert.deepEqual(summary(judge([object], { rules })), ["userdata.size-headroom warn /spec/userData"]);
    assert.deepEqual(summary(judge([object], { rules, preset: "strict" })), [
      "userdata.size-headroom deny /spec/userData",
    ]);
    assert.match(judge([object], { rules })[0]?.message ?? "", /for AL2023/);
  });

  test("Custom user data is passed unchanged, so only the hard limit applies", () => {
    assert.deepEqual(judge([withUserData("#".repeat(15_000), { amiFamily: "Custom" })], { rules }), []);
  });

  test("maxBytes is a parameter", () => {
    const findings = judge([withUserData("#".repeat(9_000))], {
      rules,
      settings: { "userdata.size-headroom": { params: { maxBytes: 8192 } } },
    });
    assert.deepEqual(summary(findings), ["userdata.size-headroom warn /spec/userData"]);
  });
});

test("every upstream example passes baseline with no denial from the userdata family", () => {
  assert.deepEqual(upstreamDenials(rules), []);
});
