// What users get: `npm pack` (its prepack builds dist/), the tarball installed into an empty directory outside the
// checkout, and `npx poolkeeper check` there on the two Nodes package.json's engines promise — Node 24 (the
// `node` devDependency running this test) and Node 22.19.0 (the floor, fetched from the registry like Node 24).
// One test file, one pack, one install: it is the slowest test of the suite.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "./support/fixtures.ts";
import { node22Path } from "./support/node22.ts";

const execFileAsync = promisify(execFile);

/** The environment of a shell outside the project: no npm lifecycle variables, no PATH entry inside the checkout. */
function outsideEnv(nodeDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.toLowerCase().startsWith("npm_") || key === "NODE_PATH" || key === "NODE_OPTIONS") continue;
    env[key] = value;
  }
  const inCheckout = (dir: string) => !relative(projectRoot, dir).startsWith("..");
  const rest = (process.env["PATH"] ?? "").split(delimiter).filter((dir) => dir !== "" && !inCheckout(dir));
  env["PATH"] = [nodeDir, ...rest].join(delimiter);
  return env;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== "number") throw err;
    return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

test(
  "the packed tarball installs into an empty directory and `npx poolkeeper check` runs on Node 24 and Node 22",
  {
    timeout: 600_000,
  },
  async () => {
    const node24 = process.execPath;
    assert.match(process.version, /^v24\./, "run this test with the project's Node 24 (npx node --test)");
    const node22 = await node22Path();

    const work = mkdtempSync(join(tmpdir(), "poolkeeper-package-"));
    try {
      const packed = await run("npm", ["pack", "--pack-destination", work, "--json"], projectRoot, process.env);
      assert.equal(packed.code, 0, packed.stderr);
      const [pack] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
      assert.ok(pack !== undefined);
      const files = pack.files.map((f) => f.path);
      assert.ok(files.includes("dist/cli/main.js"), "the tarball ships the built command");
      assert.ok(files.includes("dist/data/ec2-instance-types.json"), "and the instance-type catalog it imports");
      assert.deepEqual(
        files.filter((f) => f.endsWith(".ts")),
        [],
        "no TypeScript: Node refuses to strip types under node_modules",
      );

      // A pool repository of its own: the project's example pools, and the upstream examples beside them.
      const repo = join(work, "pools");
      cpSync(join(projectRoot, "test", "fixtures", "upstream"), join(repo, "upstream"), { recursive: true });
      cpSync(join(projectRoot, "examples", "pools"), join(repo, "pools"), { recursive: true });
      writeFileSync(join(repo, "package.json"), JSON.stringify({ name: "pools", private: true }));
      const install = await run(
        "npm",
        ["install", "--no-audit", "--no-fund", "--ignore-scripts", join(work, pack.filename)],
        repo,
        outsideEnv(dirname(node24)),
      );
      assert.equal(install.code, 0, install.stderr);

      const reports: string[] = [];
      for (const [node, major] of [
        [node24, "v24."],
        [node22, "v22.19.0"],
      ] as const) {
        // --offline: nothing may be fetched when the command runs.
        const env = { ...outsideEnv(dirname(node)), npm_config_offline: "true" };
        const version = await run("node", ["--version"], repo, env);
        assert.ok(version.stdout.startsWith(major), `${version.stdout.trim()} is not Node ${major}`);

        const text = await run("npx", ["--no", "poolkeeper", "check", "."], repo, env);
        // examples/pools/gpu.yaml: expireAfter "30d" does not match the CRD's pattern (Go durations have no days).
        assert.equal(text.code, 1, `${major}: ${text.stderr}`);
        assert.match(
          text.stdout,
          /deny +pools\/gpu\.yaml:17:7 +spec\.template\.spec\.expireAfter +Invalid value: "30d"/,
        );
        assert.doesNotMatch(text.stderr, /\n +at /, "no stack trace");

        const clean = await run("npx", ["--no", "poolkeeper", "check", "upstream/general-purpose.yaml"], repo, env);
        assert.equal(clean.code, 0, `${major}: ${clean.stdout}${clean.stderr}`);

        const json = await run("npx", ["--no", "poolkeeper", "check", "pools", "--format", "json"], repo, env);
        assert.equal(json.code, 1, `${major}: ${json.stderr}`);
        reports.push(json.stdout);
      }
      // The example pool repository holds 7 objects in 7 files; both Nodes judge them alike.
      const report = JSON.parse(reports[0] ?? "") as { files: number; objects: number };
      assert.deepEqual([report.files, report.objects], [7, 7]);
      assert.equal(reports[1], reports[0], "Node 22 and Node 24 report the same findings");
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
);
