// Walking a pool repository as users have them: Helm values and CI workflows beside the pools are noted and
// skipped, --exclude and .poolkeeperignore leave paths out, and a path holding no YAML at all is a usage error.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { projectRoot } from "../support/fixtures.ts";

const generalPurpose = readFileSync(join(projectRoot, "test", "fixtures", "upstream", "general-purpose.yaml"), "utf8");
// The head of a chart's values.yaml and of a GitHub Actions workflow: maps, but not Kubernetes objects.
const helmValues = "replicaCount: 2\nimage:\n  repository: public.ecr.aws/karpenter/controller\n  tag: 1.8.1\n";
const workflow =
  "name: ci\non: [pull_request]\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n";

function repoWith(files: Record<string, string>): string {
  const repo = mkdtempSync(join(tmpdir(), "poolkeeper-walk-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(repo, path, ".."), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  return repo;
}

/** Runs `poolkeeper <argv>` in `cwd`, as a CI step in the repository would. */
async function runIn(cwd: string, ...argv: string[]) {
  const out = capturedOutput();
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const code = await main(argv, out);
    return { code, out: out.out, err: out.err };
  } finally {
    process.chdir(previous);
  }
}

const repository = {
  "pools/general-purpose.yaml": generalPurpose,
  "charts/karpenter/values.yaml": helmValues,
  ".github/workflows/ci.yaml": workflow,
};

describe("check walks a repository", () => {
  test("Helm values and workflow files are skipped with a note, not an error", async () => {
    const repo = repoWith(repository);
    const { code, out } = await runIn(repo, "check", ".");
    assert.equal(code, 0, out);
    assert.match(out, /note +\.github\/workflows\/ci\.yaml:1:1 +skipped: not a Kubernetes object/);
    assert.match(out, /note +charts\/karpenter\/values\.yaml:1:1 +skipped: not a Kubernetes object/);
    const json = JSON.parse((await runIn(repo, "check", ".", "--format", "json")).out) as {
      files: number;
      objects: number;
      skipped: { file: string }[];
    };
    // general-purpose.yaml holds a NodePool and an EC2NodeClass.
    assert.deepEqual([json.files, json.objects, json.skipped.length], [3, 2, 2]);
  });

  test("a map that names a Karpenter kind or group but lacks the other is still an error", async () => {
    const repo = repoWith({ "pools/a.yaml": "kind: NodePool\nmetadata: {name: a}\n" });
    const { code, out } = await runIn(repo, "check", "pools");
    assert.equal(code, 1);
    assert.match(out, /document has no apiVersion/);
  });

  test("--exclude leaves paths out (repeatable; a name matches at any depth)", async () => {
    const repo = repoWith(repository);
    const json = JSON.parse(
      (await runIn(repo, "check", ".", "--exclude", "charts/", "--exclude", "ci.yaml", "--format", "json")).out,
    ) as { files: number; skipped: unknown[] };
    assert.deepEqual([json.files, json.skipped.length], [1, 0]);
  });

  test(".poolkeeperignore in the working directory does the same, with comments", async () => {
    const repo = repoWith({ ...repository, ".poolkeeperignore": "# not pools\n/charts\n\n.github/\n" });
    const json = JSON.parse((await runIn(repo, "check", ".", "--format", "json")).out) as {
      files: number;
      skipped: unknown[];
    };
    assert.deepEqual([json.files, json.skipped.length], [1, 0]);
  });

  test("a path that holds no YAML is an error (exit 2), not a silent pass", async () => {
    const repo = repoWith({ "docs/README.md": "# pools\n", "pools/general-purpose.yaml": generalPurpose });
    const empty = await runIn(repo, "check", "docs");
    assert.equal(empty.code, 2);
    assert.match(empty.err, /no YAML files under docs/);
    const excluded = await runIn(repo, "check", "pools", "--exclude", "pools/**");
    assert.equal(excluded.code, 2);
    assert.match(excluded.err, /no YAML files under pools/);
  });

  test("an excluded file at the base is not reported as deleted", async () => {
    const { execFileSync } = await import("node:child_process");
    const repo = repoWith(repository);
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: repo,
        stdio: "pipe",
      });
    git("init", "-q", "-b", "main");
    writeFileSync(join(repo, "pools", "old.yaml"), generalPurpose.replaceAll("name: general-purpose", "name: old"));
    git("add", ".");
    git("commit", "-q", "-m", "base");
    const json = JSON.parse(
      (await runIn(repo, "check", ".", "--base", "HEAD", "--exclude", "pools/old.yaml", "--format", "json")).out,
    ) as { changes: { kind: string; name: string; change: string }[] };
    assert.deepEqual(
      json.changes.filter((c) => c.change === "deleted"),
      [],
    );
  });
});
