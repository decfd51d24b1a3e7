// `npm run build` compiles the product to JavaScript that runs without type stripping: the command, built
// into a temporary directory, validates the upstream examples.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { projectRoot } from "./support/fixtures.ts";

const run = promisify(execFile);

// No timeout: a full compile takes minutes on a loaded machine, and a test must not bound wall time.
test("the build emits runnable JavaScript", async () => {
  // Inside the project, so the built modules resolve their dependencies from node_modules.
  const cache = join(projectRoot, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(join(cache, "poolkeeper-build-"));
  const tsc = join(projectRoot, "node_modules", "typescript", "bin", "tsc");
  let stdout: string;
  try {
    await run(process.execPath, [tsc, "-p", join(projectRoot, "tsconfig.build.json"), "--outDir", outDir]);
    const main = pathToFileURL(join(outDir, "cli", "main.js")).href;
    const script = `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(["validate", "test/fixtures/upstream"]);`;
    ({ stdout } = await run(process.execPath, ["--no-experimental-strip-types", "--input-type=module", "-e", script], {
      cwd: projectRoot,
    }));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  assert.match(stdout, /^11 file\(s\), 22 object\(s\): 0 error\(s\), 0 warning\(s\)$/m);
});
