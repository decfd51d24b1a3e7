// `fix` on manifests written in v1beta1 (the shapes of Karpenter v0.33–v0.37's guides, in test/fixtures/legacy/):
// it rewrites them in v1 in place, `validate` then finds no error, check's "N fixable" was exactly what `fix`
// fixed, and nothing fixable is left. The comments on surviving fields stay; a dropped field leaves one saying why.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { fixturesDir } from "../support/fixtures.ts";

const run = async (...argv: string[]) => {
  const out = capturedOutput();
  const code = await main(argv, out);
  return { code, out: out.out, err: out.err };
};

const migrated = [
  "v1beta1-nodepool.yaml",
  "v1beta1-nodepool-when-empty.yaml",
  "v1beta1-ec2nodeclass.yaml",
  "v1beta1-ec2nodeclass-ubuntu.yaml",
  "v1beta1-bundle-shared-kubelet.yaml",
  "v1beta1-bundle-kubelet-conflict.yaml",
  "v1alpha5-provisioner.yaml",
  "v1alpha5-provisioner-commented.yaml",
];

function copied(name: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "poolkeeper-migrate-")), name);
  copyFileSync(join(fixturesDir, "legacy", name), file);
  return file;
}

async function fixable(file: string): Promise<number> {
  const report = JSON.parse((await run("check", file, "--format", "json")).out) as { summary: { fixable: number } };
  return report.summary.fixable;
}

describe("poolkeeper fix rewrites v1beta1 manifests in v1", () => {
  for (const name of migrated) {
    test(`${name}: check's fixable count is what fix fixes; validate then finds no error`, async () => {
      const file = copied(name);
      const before = await fixable(file);
      assert.ok(before > 0, "an older version is fixable");
      const fixed = await run("fix", file);
      assert.equal(fixed.code, 0, fixed.err);
      assert.match(fixed.out, new RegExp(`^fixed ${before} finding\\(s\\) in 1 file\\(s\\)$`, "m"));
      const validate = await run("validate", file);
      assert.equal(validate.code, 0, validate.out);
      assert.match(validate.out, /: 0 error\(s\)/);
      assert.equal(await fixable(file), 0, "nothing fixable is left");
    });
  }

  test("the rewrite keeps the file's comments and says where a field was dropped", async () => {
    const file = copied("v1beta1-nodepool.yaml");
    const original = readFileSync(file, "utf8");
    await run("fix", file);
    const after = readFileSync(file, "utf8");
    // The header comment and every requirement line are untouched (flow `values` included).
    assert.equal(after.split("\n").slice(0, 2).join("\n"), original.split("\n").slice(0, 2).join("\n"));
    for (const line of original.split("\n").filter((l) => /values: \[/.test(l))) assert.ok(after.includes(line), line);
    assert.match(after, /^apiVersion: karpenter\.sh\/v1$/m);
    assert.match(after, /^ {6}# poolkeeper fix: removed spec\.template\.spec\.kubelet: .*EC2NodeClass/m);
    assert.doesNotMatch(after, /^\s+kubelet:/m);
  });

  test("audit findings' fixes apply only with --all", async () => {
    const file = copied("v1beta1-nodepool.yaml");
    await run("fix", file);
    const withoutAll = await run("fix", file, "--dry-run");
    assert.match(withoutAll.out, /^would fix 0 finding\(s\) in 0 file\(s\)$/m);
    const all = await run("fix", file, "--dry-run", "--all");
    assert.match(all.out, /^would fix [1-9]\d* finding\(s\) in 1 file\(s\)$/m);
  });
});

describe("tag-map selectors left in a v1 EC2NodeClass", () => {
  test("each is denied with a fix that writes its selector terms; validate then finds no error", async () => {
    const file = copied("legacy-selectors.yaml");
    const report = JSON.parse((await run("check", file, "--format", "json")).out) as {
      findings: { rule: string; severity: string; pointer: string; patch?: unknown[] }[];
    };
    const leftovers = report.findings.filter((f) => f.rule === "schema.unknown-field");
    assert.deepEqual(
      leftovers.map((f) => [f.pointer, f.severity, f.patch !== undefined]),
      [
        ["/spec/subnetSelector", "deny", true],
        ["/spec/securityGroupSelector", "deny", true],
        ["/spec/amiSelector", "deny", true],
      ],
    );
    const fixed = await run("fix", file);
    assert.equal(fixed.code, 0, fixed.err);
    // Karpenter's AWSNodeTemplate → EC2NodeClass mapping (v0.32 migration guide): other keys become tags, a
    // comma-separated tag value one term per value, aws-ids one id term per ID, aws::name / aws::owners name and
    // owner, one term per combination. Written out by hand from that mapping.
    const expected = `  subnetSelectorTerms:
    - tags:
        karpenter.sh/discovery: my-cluster
        kubernetes.io/role/internal-elb: "*"
        Name: my-cluster-private-a
    - tags:
        karpenter.sh/discovery: my-cluster
        kubernetes.io/role/internal-elb: "*"
        Name: my-cluster-private-b
  securityGroupSelectorTerms:
    - id: sg-0aaa1111bbbb2222c
    - id: sg-0ddd3333eeee4444f
  amiSelectorTerms:
    - name: amazon-eks-node-1.29-*
      owner: amazon
    - name: amazon-eks-node-1.29-*
      owner: "123456789012"
`;
    const after = readFileSync(file, "utf8");
    assert.ok(after.endsWith(expected), after);
    assert.ok(!/Selector:/.test(after));
    const validate = await run("validate", file);
    assert.equal(validate.code, 0, validate.out);
    assert.equal(await fixable(file), 0, "nothing fixable is left");
  });
});

describe("poolkeeper fix rewrites a v1alpha5 Provisioner as a v1 NodePool", () => {
  test("the fields a NodePool moves into its node template take their comments and styles along", async () => {
    const file = copied("v1alpha5-provisioner-commented.yaml");
    const fixed = await run("fix", file);
    assert.equal(fixed.code, 0, fixed.err);
    const after = readFileSync(file, "utf8");
    // Each moved block, as written but two levels deeper (spec.X → spec.template.{metadata,spec}.X), comments
    // and flow lists included, with the comment line above labels moving with it.
    for (const block of [
      ["# Who is billed for these nodes.", "labels:", "  team: platform # the cost-allocation tag reads this"],
      [
        "requirements:",
        "  # Spot only: the platform's batch jobs retry.",
        "  - key: karpenter.sh/capacity-type",
        "    operator: In",
        '    values: ["spot"]',
        "  - key: karpenter.k8s.aws/instance-family",
        "    operator: In",
        '    values: ["m5", "c5"] # no Graviton yet',
      ],
      [
        "taints:",
        "  - key: example.com/dedicated",
        "    value: platform",
        "    effect: NoSchedule # only platform pods tolerate it",
      ],
    ]) {
      const moved = block.map((line) => `      ${line}`).join("\n");
      assert.ok(after.includes(moved), `${moved}\n--- in ---\n${after}`);
    }
    // The NodePool is the one Karpenter's v1alpha5 → v1beta1 → v1 mapping gives (the conversion oracle written for
    // v1alpha5-provisioner.yaml, which this file only comments).
    const [pool] = parseAllDocuments(after).map((d) => d.toJS() as unknown);
    const [expected] = parseAllDocuments(
      readFileSync(join(fixturesDir, "legacy", "expected", "v1alpha5-provisioner.yaml"), "utf8"),
    )
      .map((d) => d.toJS() as unknown)
      .filter((d) => d !== null);
    assert.deepEqual(pool, expected);
  });
});
