// The bundled command (scripts/bundle.ts), as the package and the container run it: built into a temporary package
// directory that holds bin/poolkeeper.js, package.json and dist/bundle/ and nothing else — no sources, no dist/, no
// node_modules — and run there as a process. What it prints is what the sources print for the same arguments; `run`
// starts against the simulated world, clones the pool repository in its Git child process, parses a pool file over
// the large-file threshold in its worker thread, leads, and stops with exit 0 on SIGTERM; `sim` builds its world
// from the catalog copied beside the bundle's chunks.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Metafile } from "esbuild";
import { bundleCli } from "../../scripts/bundle.ts";
import { LARGE_FILE_BYTES } from "../../gitops/large-files.ts";
import { projectRoot } from "../support/fixtures.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";
import { startPoolkeeper } from "../support/poolkeeper-process.ts";
import { startProcessWorld, type ProcessWorld } from "../support/run-process-world.ts";
import { CLUSTER, NODE_POOL } from "../support/run-world.ts";
import { kindOf } from "../support/sim-world.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function poolkeeper(entry: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [entry, ...args],
      { cwd: projectRoot, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === "number" ? error.code : error ? -1 : 0, stdout, stderr }),
    );
  });
}

const SOURCES = join(projectRoot, "bin", "poolkeeper.js");
let dir: string;
let bundled: string;
let metafile: Metafile;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "poolkeeper-bundle-"));
  mkdirSync(join(dir, "bin"));
  copyFileSync(SOURCES, join(dir, "bin", "poolkeeper.js"));
  copyFileSync(join(projectRoot, "package.json"), join(dir, "package.json"));
  ({ metafile } = await bundleCli(join(dir, "dist", "bundle")));
  bundled = join(dir, "bin", "poolkeeper.js");
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the bundled command", () => {
  test("stands alone: no sources, no dist/ beside it, no node_modules; licences of what it holds kept", () => {
    for (const absent of ["cli", "dist/cli", "node_modules"])
      assert.equal(existsSync(join(dir, absent)), false, absent);
    const licences = readFileSync(join(dir, "dist", "bundle", "THIRD-PARTY-LICENSES.txt"), "utf8");
    for (const dependency of [
      "@kubernetes/client-node@",
      "@aws-sdk/client-ec2@",
      "isomorphic-git@",
      "pino@",
      "yaml@",
    ]) {
      assert.ok(licences.includes(dependency), dependency);
    }
  });

  test("makes the adapters' substitutions: client-node without its generated APIs, the EC2 client's ES build", () => {
    const inputs = Object.keys(metafile.inputs);
    const has = (pattern: RegExp) => inputs.some((input) => pattern.test(input));
    assert.ok(has(/@kubernetes\/client-node\/dist\/config\.js$/), "KubeConfig is client-node's own");
    assert.ok(has(/@kubernetes\/client-node\/dist\/gen\/configuration\.js$/), "createConfiguration's file");
    assert.equal(has(/@kubernetes\/client-node\/dist\/gen\/index\.js$/), false, "gen/index.js is not bundled");
    assert.ok(has(/@aws-sdk\/client-ec2\/dist-es\/commands\/CreateFleetCommand\.js$/), "a command's own file");
    assert.equal(has(/@aws-sdk\/client-ec2\/dist-cjs\//), false, "the CommonJS bundle of every command is not");
    assert.equal(has(/adapters\/aws\/ec2-sdk\.ts$/) && has(/adapters\/kube\/client-node\.ts$/), true);
  });

  test("--version, --help, run --help and demo --help print what the sources print", async () => {
    const version = await poolkeeper(bundled, ["--version"]);
    const pkg = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string };
    assert.deepEqual(version, { code: 0, stdout: `${pkg.version}\n`, stderr: "" });
    // `demo` first starts again with its heap settings (bin/poolkeeper.js reads them from the bundle's own entry).
    for (const args of [["--help"], ["run", "--help"], ["demo", "--help"]]) {
      const [fromBundle, fromSources] = await Promise.all([poolkeeper(bundled, args), poolkeeper(SOURCES, args)]);
      assert.equal(fromBundle.code, 0, fromBundle.stderr);
      assert.deepEqual(fromBundle, fromSources, args.join(" "));
    }
  });

  test("check over examples/ reports what the sources report, exit code included", async () => {
    const args = ["check", "examples/"];
    const [fromBundle, fromSources] = await Promise.all([poolkeeper(bundled, args), poolkeeper(SOURCES, args)]);
    assert.match(fromSources.stdout, /objects denied/);
    assert.deepEqual(fromBundle, fromSources);
  });

  test("sim serves the world, whose instance types come from the catalog copied beside the chunks", async (t) => {
    const sim = startPoolkeeper(["sim", "--dir", join(dir, "sim")], { PATH: process.env.PATH }, bundled);
    t.after(() => void sim.child.kill("SIGKILL"));
    // Printed once the world is built (from the catalog) and serving.
    await sim.line((l) => String(l.msg).startsWith("export KUBECONFIG="), "the world serving");
    sim.child.kill("SIGTERM");
    assert.equal(await sim.exit(), 0, sim.stderr());
  });

  describe("run", () => {
    let w: ProcessWorld;
    before(async () => {
      // A pool file over the threshold is parsed in a worker thread (gitops/large-files.ts): padded with a comment.
      const padding = `# ${"padding ".repeat(LARGE_FILE_BYTES / 8)}\n`;
      w = await startProcessWorld({
        factor: 2,
        seed: 5,
        nodePool: padding + NODE_POOL,
        config: `apiVersion: poolkeeper.dev/v1alpha1\nkind: PoolkeeperConfig\nspec:\n  cluster: ${CLUSTER}\n`,
      });
    });
    after(async () => {
      await w?.stop();
    });

    test("clones in its Git process, reads the large pool file in its worker, leads; SIGTERM exits 0", async (t) => {
      assert.ok(readFileSync(join(w.repo, "pools", "nodepool.yaml")).length > LARGE_FILE_BYTES);
      const nodePools = kindOf(w.world.store, "karpenter.sh", "v1", "nodepools");
      // The NodePool reaches the cluster only from the clone (the Git child process) read through the worker: a
      // worker that cannot start leaves the file unreadable, and nothing is applied.
      const applied = new Promise<string>((resolve) => {
        const watch = w.world.store.watch(
          nodePools,
          { resourceVersion: String(w.world.store.resourceVersion) },
          (e) => {
            if (e.type === "ADDED") {
              watch.stop();
              resolve(String(e.object.metadata?.name));
            }
          },
        );
      });
      const run = startPoolkeeper(w.runArgs("bundle"), w.env, bundled);
      t.after(() => void run.child.kill("SIGKILL"));
      await run.line((l) => l.msg === "controller manager leading", "leading");
      assert.equal(await guardAgainstHang(applied, "the NodePool applied from Git"), "default");
      run.child.kill("SIGTERM");
      assert.equal(await run.exit(), 0, run.stderr());
    });
  });
});
