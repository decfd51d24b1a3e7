// Bad input to `poolkeeper check`: each case gets a clear message and the right exit code, never a stack trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
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
