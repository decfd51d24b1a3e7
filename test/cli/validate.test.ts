import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { projectRoot } from "../support/fixtures.ts";

const run = async (...argv: string[]) => {
  const out = capturedOutput();
  const code = await main(argv, out);
  return { code, out: out.out, err: out.err };
};

describe("poolkeeper validate", () => {
  test("the upstream examples are valid: exit 0, no problems", async () => {
    const { code, out } = await run("validate", join(projectRoot, "test", "fixtures", "upstream"));
    assert.equal(code, 0);
    assert.match(out, /^11 file\(s\), 22 object\(s\): 0 error\(s\), 0 warning\(s\)$/m);
  });

  test("the example pool repository: each mistake at its file:line:col, exit 1", async () => {
    const { code, out } = await run("validate", "examples/pools");
    assert.equal(code, 1);
    const lines = out.trim().split("\n");
    assert.ok(
      lines.includes(
        "examples/pools/gpu.yaml:17:7: error: NodePool/gpu spec.template.spec.expireAfter: Invalid value: \"30d\": must match '^(([0-9]+(s|m|h))+|Never)$'",
      ),
      out,
    );
    assert.ok(
      lines.includes(
        'examples/pools/gpu.yaml:19:5: error: NodePool/gpu spec.disruption.consolidationPolcy: unknown field "consolidationPolcy" (did you mean "consolidationPolicy"?)',
      ),
      out,
    );
    assert.ok(
      lines.includes(
        "examples/pools/gpu.yaml:21:5: error: NodePool/gpu spec.disruption.budgets: Invalid value: 'schedule' must be set with 'duration'",
      ),
      out,
    );
    assert.ok(
      lines.includes(
        "examples/pools/system.yaml:7:3: error: NodePool/system spec.weight: Invalid value: 150: must be less than or equal to 100",
      ),
      out,
    );
    assert.ok(
      lines.includes(
        'examples/pools/system.yaml:14:11: error: NodePool/system spec.template.spec.requirements[0].key: Invalid value: label domain "karpenter.sh" is restricted',
      ),
      out,
    );
    assert.ok(
      lines.includes(
        "examples/pools/namespace.yaml:2:1: note: skipped: Namespace (v1) is not a Karpenter NodePool, EC2NodeClass or NodeClaim",
      ),
      out,
    );
    assert.ok(
      !lines.some((l) => l.startsWith("examples/pools/general-purpose.yaml")),
      "the correct file has no problems",
    );
    assert.ok(
      lines.some((l) => l.startsWith("examples/pools/batch-v1beta1.yaml") && l.includes("warning")),
      out,
    );
    assert.ok(
      lines.some((l) => l.startsWith("examples/pools/legacy-nodeclass.yaml") && l.includes("warning")),
      out,
    );
  });

  test("--format json gives the same problems as data", async () => {
    const { code, out } = await run("validate", "examples/pools/system.yaml", "--format", "json");
    assert.equal(code, 1);
    const report = JSON.parse(out) as { files: number; objects: number; errors: number; problems: { path?: string }[] };
    assert.equal(report.files, 1);
    assert.equal(report.objects, 1);
    assert.equal(report.errors, 2);
    assert.deepEqual(report.problems.map((p) => p.path).sort(), [
      "spec.template.spec.requirements[0].key",
      "spec.weight",
    ]);
  });

  test("a missing path is a usage error: exit 2 with a message, no stack trace", async () => {
    const { code, err } = await run("validate", "no/such/dir");
    assert.equal(code, 2);
    assert.equal(err, "poolkeeper: no/such/dir: no such file or directory\n");
  });

  test("a path the file system refuses for another reason names that reason, exit 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "poolkeeper-validate-"));
    const loop = join(dir, "loop.yaml");
    symlinkSync(join(dir, "other.yaml"), loop);
    symlinkSync(loop, join(dir, "other.yaml"));
    const { code, err } = await run("validate", loop);
    assert.equal(code, 2);
    assert.equal(err, `poolkeeper: ${loop}: cannot be read (ELOOP)\n`);
  });

  test("broken YAML is reported with its position, exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "poolkeeper-validate-"));
    const file = join(dir, "broken.yaml");
    writeFileSync(file, "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: x\n");
    const { code, out } = await run("validate", file);
    assert.equal(code, 1);
    assert.ok(
      out.startsWith(`${file}:4:1: error: Flow map in block collection must be sufficiently indented and end with a }`),
      out,
    );
  });

  test("a v1 object with older-shape leftovers: the API server's errors, and a hint on how to repair each", async () => {
    const dir = mkdtempSync(join(tmpdir(), "poolkeeper-validate-"));
    const file = join(dir, "leftover.yaml");
    writeFileSync(
      file,
      [
        "apiVersion: karpenter.sh/v1",
        "kind: NodePool",
        "metadata:",
        "  name: leftover",
        "spec:",
        "  template:",
        "    spec:",
        "      requirements: []",
        "      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}",
        "  disruption:",
        "    consolidateAfter: 0s",
        "    expireAfter: 720h",
        "",
      ].join("\n"),
    );
    const { code, out } = await run("validate", file);
    assert.equal(code, 1);
    const lines = out.trim().split("\n");
    assert.ok(
      lines.includes(`${file}:12:5: error: NodePool/leftover spec.disruption.expireAfter: unknown field "expireAfter"`),
      out,
    );
    assert.ok(
      lines.some((l) =>
        l.startsWith(`${file}:12:5: hint: NodePool/leftover spec.disruption.expireAfter: older-shape leftover: Moved`),
      ),
      out,
    );
  });

  test("--help exits 0 and lists validate", async () => {
    const { code, out } = await run("--help");
    assert.equal(code, 0);
    assert.match(out, /validate \[options\] \[paths\.\.\.\]/);
  });
});

describe("the poolkeeper bin", () => {
  test("runs on Node 24 from a checkout and reads standard input", async () => {
    const child = execFile(process.execPath, [join(projectRoot, "bin", "poolkeeper.js"), "validate", "-"], {
      cwd: projectRoot,
    });
    child.stdin?.end("apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: x\nspec: {}\n");
    const [code, stdout] = await new Promise<[number | null, string]>((resolve) => {
      let text = "";
      child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
      child.on("close", (c) => resolve([c, text]));
    });
    assert.equal(code, 1);
    assert.match(stdout, /^<stdin>:5:1: error: NodePool\/x spec\.template: Required value$/m);
  });

  test("node version used by npm scripts is 24", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--version"]);
    assert.match(stdout, /^v24\./);
  });
});
