// Every module URL a fresh Node process resolves (record-modules.ts's hook): what a test reads to see which files
// a command or a part loads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "./fixtures.ts";

/**
 * Every module URL a fresh Node process resolves while it runs with `args` (record-modules.ts's hook); the process
 * must end with one of `exitCodes`.
 */
export function modulesResolvedRunning(args: readonly string[], exitCodes: readonly number[] = [0]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-modules-"));
  const record = join(dir, "modules.txt");
  try {
    const result = spawnSync(
      process.execPath,
      ["--import", join(projectRoot, "test", "support", "record-modules.ts"), ...args],
      { cwd: projectRoot, env: { ...process.env, RECORD_MODULES_TO: record }, encoding: "utf8" },
    );
    assert.ok(exitCodes.includes(result.status ?? -1), result.stderr);
    return readFileSync(record, "utf8").split("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function modulesResolvedImporting(module: URL): string[] {
  return modulesResolvedRunning(["--input-type=module", "-e", `await import(${JSON.stringify(module.href)});`]);
}

/** The files of `pkg` (a path under node_modules) among `urls`, relative to the package. */
export function filesOf(pkg: string, urls: readonly string[]): string[] {
  const marker = `/node_modules/${pkg}/`;
  return urls.filter((url) => url.includes(marker)).map((url) => url.slice(url.indexOf(marker) + marker.length));
}
