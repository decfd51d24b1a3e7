// Control characters from the input (an escape sequence, a bidirectional override, a CR in a name, a comment or a
// path) reach the terminal escaped from every command, not only from check's reports
// (test/adversarial/report-control-characters.test.ts): validate, fix's diff and messages, explain, test, and the
// usage errors main prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";

const hostile = "x\u001b[31my\u202ez\u0007";
// As a reader must see it, written by hand.
const shown = "x\\x1b[31my\\u202ez\\x07";
// What must never be written raw: C0 but tab, LF and a CR ending a line; DEL and C1; U+2028/9; bidi controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\r(?!\n)/;

const run = async (...argv: string[]) => {
  const out = capturedOutput();
  const code = await main(argv, out);
  return { code, text: out.out + out.err };
};

const dir = mkdtempSync(join(tmpdir(), "poolkeeper-control-"));
const file = join(dir, "class.yaml");
// imds.http-tokens denies httpTokens: optional and fixes it on that line, where the comment sits.
writeFileSync(
  file,
  `apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: "class-${hostile.replace("\u001b", "\\e").replace("\u202e", "\\u202e").replace("\u0007", "\\a")}"
spec:
  role: KarpenterNodeRole-demo
  amiSelectorTerms: [{alias: al2023@v20240807}]
  subnetSelectorTerms: [{tags: {karpenter.sh/discovery: demo}}]
  securityGroupSelectorTerms: [{tags: {karpenter.sh/discovery: demo}}]
  metadataOptions:
    httpTokens: optional # owner ${hostile}
`,
);

for (const argv of [
  ["validate", file],
  ["validate", file, "--format", "json"],
  ["check", file],
  ["fix", file, "--dry-run"],
  ["explain", `imds.${hostile}`],
]) {
  test(`poolkeeper ${argv.filter((a) => a !== file).join(" ")}: escaped`, async () => {
    const { text } = await run(...argv);
    assert.doesNotMatch(text, RAW);
    if (argv.includes("json")) assert.ok(text.includes("x\\u001b[31my\\u202ez\\u0007"), text);
    else assert.ok(text.includes(shown), text);
  });
}

test("a path in a usage error: escaped", async () => {
  const empty = join(dir, `empty-${hostile}`);
  mkdirSync(empty);
  const { code, text } = await run("check", empty);
  assert.equal(code, 2);
  assert.doesNotMatch(text, RAW);
  assert.ok(text.includes(`empty-${shown} (*.yaml, *.yml)`), text);
});

test("a file fix cannot read, named with its control characters escaped", async () => {
  const sub = join(dir, `bad-${hostile}`);
  mkdirSync(sub);
  writeFileSync(join(sub, "pool.yaml"), "kind: [\n");
  const { code, text } = await run("fix", sub);
  assert.equal(code, 2);
  assert.doesNotMatch(text, RAW);
  assert.ok(text.includes(`bad-${shown}`), text);
});
