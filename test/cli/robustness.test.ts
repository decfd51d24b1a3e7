// Bad input to `poolkeeper check`: each case gets a clear message and the right exit code, never a stack trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";

const dir = mkdtempSync(join(tmpdir(), "poolkeeper-robust-"));
const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

async function check(path: string) {
  const out = capturedOutput();
  const code = await main(["check", path], out);
  assert.doesNotMatch(out.out + out.err, /\n\s+at .*\(.*:\d+:\d+\)/, "no stack trace");
  return { code, out: out.out, err: out.err };
}

const cases: { name: string; content: string | Uint8Array; code: number; says: RegExp }[] = [
  {
    name: "empty.yaml",
    content: "",
    code: 0,
    says: /^0 of 0 objects denied: 0 denials, 0 warnings, 0 audit; 1 file$/m,
  },
  {
    name: "comments.yaml",
    content: "# nothing here\n---\n",
    code: 0,
    says: /^0 of 0 objects denied: 0 denials, 0 warnings, 0 audit; 1 file$/m,
  },
  {
    name: "configmap.yaml",
    content: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    code: 0,
    says: /skipped: ConfigMap \(v1\) is not a Karpenter/,
  },
  {
    name: "malformed.yaml",
    content: "apiVersion: karpenter.sh/v1\nkind: [NodePool\n",
    code: 1,
    says: /malformed\.yaml:3:1 /m,
  },
  { name: "scalar.yaml", content: "just a string\n", code: 1, says: /document is not a Kubernetes object/ },
  {
    name: "nokind.yaml",
    content: "apiVersion: karpenter.sh/v1\nmetadata: {name: x}\n",
    code: 1,
    says: /document has no kind/,
  },
  {
    name: "binary.yaml",
    content: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0xff]),
    code: 1,
    says: /file is not text \(binary data or invalid UTF-8\)/,
  },
  {
    name: "bomb.yaml",
    content: [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...["b", "c", "d", "e", "f", "g"].map((n, i) => `${n}: &${n} [${Array(9).fill(`*${"abcdef"[i]}`).join(",")}]`),
    ].join("\n"),
    code: 1,
    says: /refusing a possible alias bomb/,
  },
];

for (const c of cases) {
  test(`check ${c.name}: exit ${c.code}`, async () => {
    const { code, out } = await check(file(c.name, c.content));
    assert.equal(code, c.code, out);
    assert.match(out, c.says);
  });
}

test("a file over the size limit is refused before it is read: exit 2", async () => {
  const { code, err } = await check(file("huge.yaml", "a: " + "x".repeat(5 * 1024 * 1024)));
  assert.equal(code, 2);
  assert.match(err, /huge\.yaml: file is too large \(\d+ bytes; the limit is 4194304 bytes\)/);
});

// fix reads the same files: a document it cannot read is named on stderr with what stopped it, and the run fails
// (exit 2) instead of reporting "fixed 0 finding(s)" as if the file were clean.
for (const c of cases.filter((c) => c.code === 1)) {
  test(`fix ${c.name}: exit 2, the file named with what check says of it`, async () => {
    const path = file(`fix-${c.name}`, c.content);
    const checked = capturedOutput();
    await main(["check", path, "--format", "json"], checked);
    const { errors } = JSON.parse(checked.out) as {
      errors: { file: string; line: number; col: number; message: string }[];
    };
    assert.ok(errors.length > 0);
    const out = capturedOutput();
    const code = await main(["fix", path], out);
    assert.equal(code, 2, out.out + out.err);
    assert.equal(out.err, errors.map((e) => `poolkeeper fix: ${e.file}:${e.line}:${e.col}: ${e.message}\n`).join(""));
    assert.equal(out.out, "fixed 0 finding(s) in 0 file(s); 1 file(s) could not be read\n");
  });
}

test("fix beside an unreadable file: the readable one is fixed, the run still fails (exit 2)", async () => {
  const sub = mkdtempSync(join(dir, "mixed-"));
  const pool = join(sub, "pool.yaml");
  // imds.http-tokens denies httpTokens: optional and its fix sets required (docs/policies.md).
  const nodeClass =
    "apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nmetadata: {name: default}\nspec:\n  role: R\n" +
    "  amiSelectorTerms: [{alias: al2023@v20240807}]\n  subnetSelectorTerms: [{tags: {a: b}}]\n" +
    "  securityGroupSelectorTerms: [{tags: {a: b}}]\n  metadataOptions:\n    httpTokens: optional\n";
  writeFileSync(pool, nodeClass);
  writeFileSync(join(sub, "broken.yaml"), "apiVersion: karpenter.sh/v1\nkind: [NodePool\n");
  const out = capturedOutput();
  const code = await main(["fix", sub], out);
  assert.equal(code, 2, out.out + out.err);
  assert.match(out.err, /broken\.yaml:3:1: /);
  assert.match(readFileSync(pool, "utf8"), /^ {4}httpTokens: required$/m);
  assert.match(out.out, /^fixed 1 finding\(s\) in 1 file\(s\); 1 file\(s\) could not be read$/m);
});
