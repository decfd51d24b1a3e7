// A manifest of deeply nested collections: 3 MiB of `[[[[…` ran for about 15 s in the YAML parser, which composes
// nodes recursively, and ended in "Maximum call stack size exceeded"; `- - - -…` (block sequences, one per two
// characters) did the same. The loader now measures nesting over the text before parsing (api/manifests/
// yaml-nesting.ts) and refuses the file at the first level past 100, naming the file, line and column. Checked by
// the error and where it points, never by time; then through every command and the gate that read YAML. The webhook
// reads JSON only: its bodies are measured by runtime/json-shape.ts (webhook-json-bombs.test.ts). One object may
// have at most 256 KiB, and that bound is checked first: the shapes below are just under it (still hundreds of
// thousands of levels, far past any stack), and the attack's own 3 MiB is refused by its size.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadManifests } from "../../api/manifests/manifests.ts";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { loadConfig, type PoolkeeperConfig } from "../../gitops/config.ts";
import { judgeCommit } from "../../gitops/gate.ts";
import { loadPolicies } from "../../policies/load-policies.ts";
import { builtinRules } from "../../policies/rules/index.ts";
import { poolRepoFixture } from "../support/pool-repo.ts";

const MiB = 1024 * 1024;
// Just under the loader's bound on one document (256 KiB), leaving room for the header.
const BUDGET = 255 * 1024;
const HEADER = "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: deep\nspec:\n  template: ";
const REFUSED = "nesting is deeper than 100 levels";

// Each shape at the attack's size, and where its 101st level opens (line and column, 1-based), by construction.
const shapes: { name: string; text: string; line: number; col: number }[] = [
  { name: "flow sequences", text: HEADER + "[".repeat(BUDGET), line: 6, col: 13 + 100 - 2 },
  { name: "flow maps", text: HEADER + "{a: ".repeat(BUDGET / 4), line: 6, col: 13 + 4 * (100 - 2) },
  { name: "block sequences", text: "- ".repeat(BUDGET / 2) + "x\n", line: 1, col: 1 + 2 * 100 },
  { name: "explicit keys", text: "? ".repeat(BUDGET / 2) + "x\n", line: 1, col: 1 + 2 * 100 },
  {
    name: "block maps, one more space each line",
    text: Array.from({ length: 700 }, (_, i) => `${" ".repeat(i)}k:`).join("\n") + " v\n",
    line: 101,
    col: 101,
  },
];

describe("deeply nested YAML is refused before it is parsed", () => {
  for (const shape of shapes) {
    test(`${shape.name}: ${Math.round(shape.text.length / 1024)} KiB`, () => {
      const set = loadManifests(shape.text, "pools/deep.yaml");
      assert.deepEqual(set.errors, [
        {
          file: "pools/deep.yaml",
          source: { file: "pools/deep.yaml", line: shape.line, col: shape.col },
          message: REFUSED,
        },
      ]);
      assert.deepEqual(set.manifests, []);
    });
  }

  test("the attack's own 3 MiB is refused by its size, before its nesting is measured", () => {
    const set = loadManifests(HEADER + "[".repeat(3 * MiB), "pools/deep.yaml");
    assert.equal(set.errors.length, 1);
    assert.match(
      set.errors[0]?.message ?? "",
      /^document 1 is too large \(3145\d{3} bytes; one object may have at most 262144 bytes/,
    );
    assert.deepEqual(set.manifests, []);
  });

  test("100 levels are read, 101 are not", () => {
    const nested = (levels: number) => `${HEADER}${"[".repeat(levels - 2)}${"]".repeat(levels - 2)}\n`;
    assert.deepEqual(loadManifests(nested(100), "ok.yaml").errors, []);
    assert.equal(loadManifests(nested(101), "deep.yaml").errors[0]?.message, REFUSED);
  });
});

describe("every reader of YAML refuses it with the file and line", () => {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-deep-yaml-"));
  const deep = HEADER + "[".repeat(100_000);
  const path = join(dir, "deep.yaml");
  writeFileSync(path, deep);
  const where = `${path}:6:111`;

  for (const command of ["check", "validate"]) {
    test(`poolkeeper ${command}`, async () => {
      const out = capturedOutput();
      const code = await main([command, path], out);
      assert.equal(code, 1, out.out + out.err);
      assert.ok(out.out.includes(where) && out.out.includes(REFUSED), out.out);
      assert.doesNotMatch(out.out + out.err, /Maximum call stack|\n\s+at /);
    });
  }

  test("poolkeeper fix leaves the file alone and fails naming it (exit 2)", async () => {
    const out = capturedOutput();
    const code = await main(["fix", path], out);
    assert.equal(code, 2, out.out + out.err);
    assert.equal(out.err, `poolkeeper fix: ${where}: ${REFUSED}\n`);
    assert.equal(out.out, "fixed 0 finding(s) in 0 file(s); 1 file(s) could not be read\n");
    assert.equal(readFileSync(path, "utf8"), deep);
    assert.doesNotMatch(out.out + out.err, /Maximum call stack|\n\s+at /);
  });

  test("the Git gate rejects the commit", () => {
    const config = loadConfig(readFileSync(join(poolRepoFixture, "poolkeeper.yaml"), "utf8"), "poolkeeper.yaml")
      .config as PoolkeeperConfig;
    const judgement = judgeCommit(
      {
        sha: "d".repeat(40),
        config,
        configProblems: [],
        pools: [{ path: "pools/deep.yaml", text: deep }],
        policies: [],
      },
      { now: new Date("2026-12-05T00:00:00Z") },
    );
    assert.equal(judgement.accepted, false);
    assert.deepEqual(judgement.problems, [{ file: "pools/deep.yaml", line: 6, col: 111, message: REFUSED }]);
  });

  test("a policy file and the repository's config", () => {
    const policy = loadPolicies(
      "apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolPolicy\nspec: " + "[".repeat(100_000),
      "policy.yaml",
      builtinRules,
    );
    assert.equal(policy.errors[0]?.message, `policy file: ${REFUSED}`);
    assert.deepEqual(policy.errors[0]?.source, { file: "policy.yaml", line: 3, col: 106 });
    const config = loadConfig("cluster: prod\npools: " + "[".repeat(100_000), "poolkeeper.yaml");
    assert.deepEqual(config.errors, [
      { source: { file: "poolkeeper.yaml", line: 2, col: 107 }, message: `config file: ${REFUSED}` },
    ]);
  });
});
