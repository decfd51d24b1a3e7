// Every module URL a fresh Node process resolves while it imports `module` (record-modules.ts's hook): what a test
// reads to see which files of a package a part loads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "./fixtures.ts";

export function modulesResolvedImporting(module: URL): string[] {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-modules-"));
  const record = join(dir, "modules.txt");
  try {
    const result = spawnSync(
      process.execPath,
      [
        "--import",
        join(projectRoot, "test", "support", "record-modules.ts"),
        "--input-type=module",
        "-e",
        `await import(${JSON.stringify(module.href)});`,
      ],
      { cwd: projectRoot, env: { ...process.env, RECORD_MODULES_TO: record }, encoding: "utf8" },
    );
    assert.equal(result.status, 0, result.stderr);
    return readFileSync(record, "utf8").split("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The files of `pkg` (a path under node_modules) among `urls`, relative to the package. */
export function filesOf(pkg: string, urls: readonly string[]): string[] {
  const marker = `/node_modules/${pkg}/`;
  return urls.filter((url) => url.includes(marker)).map((url) => url.slice(url.indexOf(marker) + marker.length));
}
