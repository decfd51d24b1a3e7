// One verdict everywhere: `poolkeeper check` over a tree and the Git gate's judgeCommit over the same files deny
// the same objects. Each object (kind/name at file:line:col) is denied when a deny finding names it or an error
// (a gate problem) points at where it starts — a duplicate definition, say.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { loadConfig, type PoolkeeperConfig } from "../../gitops/config.ts";
import { judgeCommit } from "../../gitops/gate.ts";
import { main } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { projectRoot } from "../support/fixtures.ts";
import { poolRepoFixture } from "../support/pool-repo.ts";

const NOW = new Date("2026-11-25T10:00:00Z");
const config = loadConfig(readFileSync(join(poolRepoFixture, "poolkeeper.yaml"), "utf8"), "poolkeeper.yaml")
  .config as PoolkeeperConfig;

interface Position {
  file: string;
  line: number;
  col: number;
}
const at = (p: Position) => `${p.file}:${p.line}:${p.col}`;

interface Verdicts {
  /** Every object, `Kind/name@file:line:col` → denied. */
  objects: Map<string, boolean>;
  accepted: boolean;
}

function yamlFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => relative(root, join(root, f)))
    .sort();
}

function objectVerdicts(
  objects: { kind: string; name: string; source?: Position }[],
  denials: { object: { kind: string; name: string; source?: Position } }[],
  errors: Position[],
): Map<string, boolean> {
  const id = (o: { kind: string; name: string; source?: Position }) =>
    `${o.kind}/${o.name}@${o.source ? at(o.source) : "?"}`;
  const denied = new Set(denials.map((f) => id(f.object)));
  const errorAt = new Set(errors.map(at));
  return new Map(
    objects.map((o) => [id(o), denied.has(id(o)) || (o.source !== undefined && errorAt.has(at(o.source)))]),
  );
}

async function checkVerdicts(repo: string, all: { kind: string; name: string; source: Position }[]): Promise<Verdicts> {
  const out = capturedOutput();
  const cwd = process.cwd();
  process.chdir(repo);
  let code: number;
  try {
    code = await main(["check", "pools", "--format", "json"], out);
  } finally {
    process.chdir(cwd);
  }
  const report = JSON.parse(out.out) as {
    findings: { severity: string; object: { kind: string; name: string; source?: Position } }[];
    errors: Position[];
  };
  // check's report lists findings, not objects: the objects are those the gate read from the same files (the
  // test asserts check's denials all fall on them).
  const objects = objectVerdicts(
    all,
    [],
    report.errors.concat(
      report.findings
        .filter((f) => f.severity === "deny")
        .map((f) => f.object.source)
        .filter((p): p is Position => p !== undefined),
    ),
  );
  const judged = objectVerdicts(
    report.findings.map((f) => f.object),
    report.findings.filter((f) => f.severity === "deny"),
    report.errors,
  );
  for (const [id, denied] of judged) assert.ok(!denied || objects.get(id) === true, `${id}: not an object of the tree`);
  return {
    objects: objectVerdicts(
      all,
      report.findings.filter((f) => f.severity === "deny"),
      report.errors,
    ),
    accepted: code === 0,
  };
}

function gateVerdicts(repo: string): Verdicts & { all: { kind: string; name: string; source: Position }[] } {
  const pools = yamlFiles(join(repo, "pools")).map((f) => ({
    path: `pools/${f}`,
    text: readFileSync(join(repo, "pools", f), "utf8"),
  }));
  const judgement = judgeCommit({ sha: "0".repeat(40), config, configProblems: [], pools, policies: [] }, { now: NOW });
  const all = (judgement.desiredState?.manifests ?? []).map((m) => ({ kind: m.kind, name: m.name, source: m.source }));
  return {
    all,
    objects: objectVerdicts(
      all,
      judgement.findings.filter((f) => f.severity === "deny"),
      judgement.problems,
    ),
    accepted: judgement.accepted,
  };
}

function repoWith(files: Record<string, string>): string {
  const repo = mkdtempSync(join(tmpdir(), "poolkeeper-verdict-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(repo, path, ".."), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  return repo;
}

function copyOf(dir: string): Record<string, string> {
  return Object.fromEntries(yamlFiles(dir).map((f) => [join("pools", f), readFileSync(join(dir, f), "utf8")]));
}

const upstream = join(projectRoot, "test", "fixtures", "upstream");
const examplePools = join(projectRoot, "examples", "pools");
const generalPurpose = readFileSync(join(upstream, "general-purpose.yaml"), "utf8");

describe("check and the Git gate give one verdict", () => {
  const trees: [string, Record<string, string>][] = [
    ["the upstream examples", copyOf(upstream)],
    ["the example pool repository", copyOf(examplePools)],
    [
      "a NodePool and an EC2NodeClass defined in two files",
      { "pools/a.yaml": generalPurpose, "pools/team/b.yaml": generalPurpose },
    ],
    [
      "a pool beside a Helm values file (skipped by both)",
      { "pools/a.yaml": generalPurpose, "pools/values.yaml": "replicaCount: 2\nimage: {tag: 1.8.1}\n" },
    ],
    [
      "the example pools with one file copied into a subfolder",
      { ...copyOf(examplePools), "pools/copy/gpu.yaml": readFileSync(join(examplePools, "gpu.yaml"), "utf8") },
    ],
  ];
  for (const [name, files] of trees) {
    test(name, async () => {
      const repo = repoWith(files);
      cpSync(join(poolRepoFixture, "poolkeeper.yaml"), join(repo, "poolkeeper.yaml"));
      const gate = gateVerdicts(repo);
      const check = await checkVerdicts(repo, gate.all);
      assert.ok(gate.all.length > 0);
      assert.deepEqual(check.objects, gate.objects);
      assert.equal(check.accepted, gate.accepted);
    });
  }

  test("a duplicate is denied at its second definition, naming the first", async () => {
    const repo = repoWith({ "pools/a.yaml": generalPurpose, "pools/team/b.yaml": generalPurpose });
    const out = capturedOutput();
    const cwd = process.cwd();
    process.chdir(repo);
    let code: number;
    try {
      code = await main(["check", "pools"], out);
    } finally {
      process.chdir(cwd);
    }
    assert.equal(code, 1);
    // general-purpose.yaml holds a NodePool (line 1 after its comment header) and an EC2NodeClass.
    const errors = out.out.split("\n").filter((l) => l.includes("is defined twice"));
    assert.equal(errors.length, 2, out.out);
    for (const line of errors) assert.match(line, /pools\/team\/b\.yaml:\d+:1 .*\(first at pools\/a\.yaml:\d+:1\)/);
  });
});
