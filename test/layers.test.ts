// The layering rules (.dependency-cruiser.mjs) catch what they promise: each rule is shown a small tree that breaks
// it, and a tree that keeps every rule passes. `npm test` runs the same rules over the project itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const config = path.join(root, ".dependency-cruiser.mjs");
const depcruise = path.join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruiser.mjs");

/** Writes the files (path → source) into a new directory and returns the rules dependency-cruiser reports. */
async function violations(files: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "poolkeeper-layers-"));
  try {
    const tsconfig = { compilerOptions: { module: "NodeNext", allowImportingTsExtensions: true, noEmit: true } };
    await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    for (const [file, source] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), source);
    }
    const args = [depcruise, ".", "--config", config, "--output-type", "json"];
    const { stdout } = await run(process.execPath, args, { cwd: dir }).catch((error: { stdout?: string }) => {
      if (typeof error.stdout === "string" && error.stdout.startsWith("{")) return { stdout: error.stdout };
      throw error;
    });
    const result = JSON.parse(stdout) as { summary: { violations: { rule: { name: string } }[] } };
    return [...new Set(result.summary.violations.map((v) => v.rule.name))].sort();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const part = (name: string, body = "export const x = 1;\n") => ({ [`${name}/index.ts`]: body });

test("a tree that keeps the rules has no violations", async () => {
  assert.deepEqual(
    await violations({
      ...part("api"),
      ...part("scheduling", 'import { x } from "../api/index.ts";\nexport const y = x;\n'),
      ...part("policies", 'import { y } from "../scheduling/index.ts";\nexport const z = y;\n'),
      "policies/rules/a.ts": 'import { z } from "../index.ts";\nexport const a = z;\n',
      ...part("cli", 'import { z } from "../policies/index.ts";\nexport const c = z;\n'),
      "test/a.test.ts": 'import { a } from "../policies/rules/a.ts";\nexport const t = a;\n',
    }),
    [],
  );
});

test("an arrow pointing down the table breaks the layering", async () => {
  assert.deepEqual(
    await violations({
      ...part("api", 'import { z } from "../policies/index.ts";\nexport const x = z;\n'),
      ...part("policies"),
    }),
    ["layers-api"],
  );
});

test("a part's inner files are reached only through its index", async () => {
  assert.deepEqual(
    await violations({
      ...part("policies"),
      "policies/engine.ts": "export const evaluate = 1;\n",
      ...part("webhook", 'import { evaluate } from "../policies/engine.ts";\nexport const w = evaluate;\n'),
    }),
    ["parts-are-used-through-their-index"],
  );
});

test("runtime/ imports nothing of ours but the Clock port; sim/ only api/ and runtime/", async () => {
  assert.deepEqual(
    await violations({
      ...part("api"),
      ...part("scheduling"),
      ...part("runtime", 'import { x } from "../api/index.ts";\nexport const r = x;\n'),
      ...part("sim", 'import { x } from "../scheduling/index.ts";\nexport const s = x;\n'),
    }),
    ["sim-imports-only-api-and-runtime"],
  );
  assert.deepEqual(
    await violations({
      ...part("scheduling"),
      ...part("runtime", 'import { x } from "../scheduling/index.ts";\nexport const r = x;\n'),
    }),
    ["runtime-imports-nothing-of-ours"],
  );
});

test("controller/ reaches the cloud only through cloudprovider/'s interface; adapters/ hold no decisions", async () => {
  assert.deepEqual(
    await violations({
      ...part("cloudprovider"),
      "cloudprovider/aws/index.ts": "export const fleet = 1;\n",
      ...part("controller", 'import { fleet } from "../cloudprovider/aws/index.ts";\nexport const c = fleet;\n'),
    }),
    ["controller-reaches-the-cloud-through-cloudprovider", "parts-are-used-through-their-index"],
  );
  assert.deepEqual(
    await violations({
      ...part("policies"),
      ...part("adapters", 'import { x } from "../policies/index.ts";\nexport const a = x;\n'),
    }),
    ["adapters-are-thin"],
  );
});

test("pure parts do no I/O, and nothing runs in a circle", async () => {
  assert.deepEqual(
    await violations({
      ...part("policies", 'import { readFileSync } from "node:fs";\nexport const p = readFileSync;\n'),
    }),
    ["pure-parts-do-no-io"],
  );
  assert.deepEqual(
    await violations({
      ...part("gitops", 'import { b } from "./b.ts";\nexport const a = b;\n'),
      "gitops/b.ts": 'import { a } from "./index.ts";\nexport const b = () => a;\n',
    }),
    ["no-circular"],
  );
});
