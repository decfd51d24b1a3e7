// `poolkeeper demo` from the npm package: what it reads at run time besides its modules — examples/demo/ (the pool
// repository, the guide's pool, the later commits, the workloads) — is in what `npm pack` ships, and a build finds
// it from dist/cli/demo/ and from the bundle's dist/bundle/. Checked with npm's own file list (`npm pack --dry-run`,
// scripts not run, nothing written or installed), not by reading package.json's patterns ourselves.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { test } from "node:test";
import { DEMO_EXAMPLES, demoExamplesDir } from "../../../cli/demo/repository.ts";
import { projectRoot } from "../../support/fixtures.ts";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(projectRoot, join(entry.parentPath, entry.name)));
}

test("npm pack ships every file of examples/demo/ and the command's entry", () => {
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: projectRoot, encoding: "utf8" }),
  ) as { files: { path: string }[] }[];
  const paths = new Set(packed[0]?.files.map((file) => file.path));
  const examples = filesUnder(join(projectRoot, "examples", "demo"));
  assert.ok(examples.length >= 5, `examples/demo/ holds the demo's files: ${examples.join(", ")}`);
  assert.deepEqual(
    [...examples, "bin/poolkeeper.js"].filter((path) => !paths.has(path)),
    [],
    "files the demo reads that the package lacks",
  );
});

test("the demo's examples are found from the sources, a build's dist/cli/demo/ and the bundle's dist/bundle/", () => {
  assert.equal(DEMO_EXAMPLES, `${join(projectRoot, "examples", "demo")}/`);
  const root = mkdtempSync(join(tmpdir(), "poolkeeper-package-layout-"));
  try {
    mkdirSync(join(root, "dist", "cli", "demo"), { recursive: true });
    mkdirSync(join(root, "dist", "bundle"), { recursive: true });
    mkdirSync(join(root, "examples", "demo"), { recursive: true });
    assert.equal(demoExamplesDir(join(root, "dist", "cli", "demo")), `${join(root, "examples", "demo")}/`);
    assert.equal(demoExamplesDir(join(root, "dist", "bundle")), `${join(root, "examples", "demo")}/`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
