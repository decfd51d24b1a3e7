import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { parseXml } from "../support/parse-xml.ts";

const run = async (...argv: string[]) => {
  const out = capturedOutput();
  const code = await main(argv, out);
  return { code, out: out.out, err: out.err };
};

// A NodePool without limits: limits.required warns on it under baseline (docs/policies.md), and denies with
// the policy below; a valid pool with a nodeClassRef to a class in the same file.
const POOLS = `apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: unlimited
spec:
  template:
    spec:
      requirements:
        - key: karpenter.k8s.aws/instance-category
          operator: In
          values: ["c", "m"]
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      expireAfter: 720h
      terminationGracePeriod: 1h
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: default
spec:
  role: KarpenterNodeRole-demo
  amiSelectorTerms: [{alias: al2023@v20240807}]
  subnetSelectorTerms: [{tags: {karpenter.sh/discovery: demo}}]
  securityGroupSelectorTerms: [{tags: {karpenter.sh/discovery: demo}}]
`;

const POLICY = `apiVersion: poolkeeper.dev/v1alpha1
kind: PoolPolicy
metadata: {name: limits}
spec:
  rules:
    limits.required: {enforcement: deny}
`;

function suite(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-test-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const testDoc = (results: string, extra = "") => `apiVersion: poolkeeper.dev/v1alpha1
kind: PoolPolicyTest
metadata: {name: limits-policy}
spec:
  policies: [../policy.yaml]
  manifests: [../pools.yaml]${extra}
  results:
${results}`;

describe("poolkeeper test", () => {
  test("the examples' policy tests pass (exit 0): what npm test runs", async () => {
    const { code, out } = await run("test", "examples");
    assert.equal(code, 0, out);
    assert.match(out, /^PASS +examples\/policies\/tests\/poolkeeper-test\.yaml:3:1 +platform-policy +\(11 results\)$/m);
    assert.match(out, /^3 tests: 3 passed, 0 failed, 0 in error; \d+ results checked, 0 differ$/m);
  });

  test("a passing suite: pass, deny and skip as expected", async () => {
    const dir = suite({
      "pools.yaml": POOLS,
      "policy.yaml": POLICY,
      "tests/poolkeeper-test.yaml":
        testDoc(`    - {rule: limits.required, kind: NodePool, objects: [unlimited], result: deny}
    - {rule: limits.required, kind: EC2NodeClass, objects: [default], result: skip}
    - {rule: references.node-class, kind: NodePool, objects: [unlimited], result: pass}
`),
    });
    const { code, out } = await run("test", dir);
    assert.equal(code, 0, out);
    assert.match(out, /^PASS .*limits-policy {2}\(3 results\)$/m);
  });

  test("a failing suite: exit 1, the diff of expected and actual, and the findings behind the difference", async () => {
    const dir = suite({
      "pools.yaml": POOLS,
      "policy.yaml": POLICY,
      "tests/poolkeeper-test.yaml": testDoc(`    - rule: references.node-class
      kind: NodePool
      objects: [unlimited]
      result: pass
    - rule: limits.required
      kind: NodePool
      objects: [unlimited]
      result: warn
`),
    });
    const { code, out } = await run("test", dir);
    assert.equal(code, 1, out);
    const lines = out.split("\n");
    const start = lines.findIndex((l) => l.startsWith("FAIL"));
    assert.match(
      lines[start] ?? "",
      /^FAIL +\S+poolkeeper-test\.yaml:1:1 {2}limits-policy {2}\(1 of 2 results differ\)$/,
    );
    assert.deepEqual(lines.slice(start + 1, start + 7), [
      "  --- expected",
      "  +++ actual",
      "  @@ -1,2 +1,2 @@",
      "   references.node-class  NodePool/unlimited  pass",
      "  -limits.required  NodePool/unlimited  warn",
      "  +limits.required  NodePool/unlimited  deny",
    ]);
    assert.match(
      lines[start + 7] ?? "",
      /poolkeeper-test\.yaml:14:17: limits\.required on NodePool\/unlimited: expected warn, got deny$/,
    );
    assert.match(
      lines[start + 8] ?? "",
      /^ {4}deny {2}\S*pools\.yaml:\d+:\d+ {2}spec\.limits {2}this NodePool sets no cpu or memory limit/,
    );
    assert.match(out, /^1 test: 0 passed, 1 failed, 0 in error; 2 results checked, 1 differ$/m);
  });

  test("JUnit: a suite per test, a case per expected result, a failure where it differs", async () => {
    const dir = suite({
      "pools.yaml": POOLS,
      "policy.yaml": POLICY,
      "tests/poolkeeper-test.yaml": testDoc(
        "    - {rule: limits.required, kind: NodePool, objects: [unlimited], result: pass}\n" +
          "    - {rule: imds.http-tokens, kind: EC2NodeClass, objects: [default], result: pass}\n",
      ),
    });
    const { code, out } = await run("test", dir, "--format", "junit");
    assert.equal(code, 1);
    const root = parseXml(out);
    assert.equal(root.name, "testsuites");
    assert.equal(root.attributes.tests, "2");
    assert.equal(root.attributes.failures, "1");
    const [suiteElement] = root.children;
    assert.equal(suiteElement?.attributes.name, "limits-policy");
    const cases = suiteElement?.children ?? [];
    assert.deepEqual(
      cases.map((c) => [c.attributes.name, c.children.map((f) => `${f.name}: ${f.attributes.message}`)]),
      [
        ["limits.required NodePool/unlimited", ["failure: expected pass, got deny"]],
        ["imds.http-tokens EC2NodeClass/default", []],
      ],
    );
  });

  test("a test file's mistakes: every one reported with file:line:col, exit 2", async () => {
    const dir = suite({
      "pools.yaml": POOLS,
      "policy.yaml": POLICY,
      "tests/poolkeeper-test.yaml": `apiVersion: poolkeeper.dev/v1alpha1
kind: PoolPolicyTest
metadata: {name: broken}
spec:
  manifests: [/etc/pools.yaml]
  result: []
  results:
    - {rule: limits.required, kind: NodePool, objects: [unlimited], result: fail}
`,
    });
    const { code, out } = await run("test", dir);
    assert.equal(code, 2);
    const errors = out.split("\n").filter((l) => /^ {2}\S+:\d+:\d+: /.test(l));
    assert.deepEqual(
      errors.map((l) => l.replace(/^ {2}\S+poolkeeper-test\.yaml:/, "")),
      [
        '5:15: spec.manifests[0] must be a path relative to the test file (found "/etc/pools.yaml")',
        '6:3: unknown field "spec.result" (did you mean "results"?)',
        '8:69: spec.results[0].result must be one of "pass", "deny", "warn", "audit", "skip"',
      ],
    );
  });

  test("an expectation naming an unknown rule or object, or a manifest that is missing: the closest id or name, exit 2", async () => {
    const dir = suite({
      "pools.yaml": POOLS,
      "policy.yaml": POLICY,
      "tests/poolkeeper-test.yaml": testDoc(
        "    - {rule: limits.requierd, kind: NodePool, objects: [unlimited], result: deny}\n" +
          "    - {rule: limits.required, kind: NodePool, objects: [unlimted], result: deny}\n",
      ),
      "other/poolkeeper-test.yaml": testDoc(
        "    - {rule: limits.required, kind: NodePool, objects: [unlimited], result: deny}\n",
      ).replace("../pools.yaml", "../missing.yaml"),
    });
    const { code, out } = await run("test", dir);
    assert.equal(code, 2);
    assert.match(out, /^ {2}\S*other\/poolkeeper-test\.yaml:6:15: \.\.\/missing\.yaml: no such file or directory$/m);
    assert.match(
      out,
      /tests\/poolkeeper-test\.yaml:8:8: unknown rule "limits\.requierd" \(did you mean "limits\.required"\?\)$/m,
    );
    assert.match(
      out,
      /tests\/poolkeeper-test\.yaml:9:57: no NodePool named "unlimted" in the test's manifests \(did you mean "unlimited"\?\)$/m,
    );
  });

  test("a directory without tests is a usage error (exit 2), not a silent pass", async () => {
    const dir = suite({ "pools.yaml": POOLS });
    const { code, err } = await run("test", dir);
    assert.equal(code, 2);
    assert.match(err, /no poolkeeper-test\.yaml or poolkeeper-test\.yml under /);
  });

  test("control characters in a name are escaped in the text report", async () => {
    const dir = suite({
      "pools.yaml": POOLS,
      "policy.yaml": POLICY,
      "tests/poolkeeper-test.yaml": testDoc(
        "    - {rule: limits.required, kind: NodePool, objects: [unlimited], result: deny}\n",
      ).replace("name: limits-policy", 'name: "evil\\e[2J\\u202e"'),
    });
    const { code, out } = await run("test", dir);
    assert.equal(code, 0, out);
    assert.ok(!out.includes("\u001b") && !out.includes("\u202e"));
    assert.match(out, /evil\\x1b\[2J\\u202e/);
  });
});
