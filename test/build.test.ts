// `npm run build` compiles the product to JavaScript that runs without type stripping: the command, built
// into a temporary directory, validates the upstream examples; and the built demo finds the checkout's pinned
// kubectl where the sources do (test/support/binaries.ts's cache), though it sits a directory deeper.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { kubectlPath } from "./support/binaries.ts";
import { projectRoot } from "./support/fixtures.ts";

const run = promisify(execFile);

// No timeout: a full compile takes minutes on a loaded machine, and a test must not bound wall time.
test("the build emits runnable JavaScript", async () => {
  // Inside the project, so the built modules resolve their dependencies from node_modules.
  const cache = join(projectRoot, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(join(cache, "poolkeeper-build-"));
  const tsc = join(projectRoot, "node_modules", "typescript", "bin", "tsc");
  const kubectl = await kubectlPath();
  let stdout: string;
  let builtKubectl: string;
  try {
    await run(process.execPath, [tsc, "-p", join(projectRoot, "tsconfig.build.json"), "--outDir", outDir]);
    const main = pathToFileURL(join(outDir, "cli", "main.js")).href;
    const script = `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(["validate", "test/fixtures/upstream"]);`;
    ({ stdout } = await run(process.execPath, ["--no-experimental-strip-types", "--input-type=module", "-e", script], {
      cwd: projectRoot,
    }));
    const built = (await import(pathToFileURL(join(outDir, "cli", "demo", "kubectl.js")).href)) as {
      findKubectl(env: NodeJS.ProcessEnv): Promise<string>;
    };
    builtKubectl = await built.findKubectl({});
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  // The same file, whatever links lead to it (the build sits under node_modules, which may be a link).
  assert.equal(realpathSync(builtKubectl), realpathSync(kubectl), "the built demo's kubectl is the checkout's one");
  assert.match(stdout, /^11 file\(s\), 22 object\(s\): 0 error\(s\), 0 warning\(s\)$/m);
});
