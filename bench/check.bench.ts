// What a pull-request check costs as a process: `poolkeeper check` on one small file beside `node -e 0` on the
// same Node (start-up: the modules, the compiled schemas and rules), and `check` over 1,000 files. Both the source
// checkout (TypeScript run by type stripping) and the built package (dist/, what `npm pack` ships; measured when
// dist/ exists: `npm run build`). Runs are interleaved and each figure is the median.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { realisticBundles, upstreamFiles } from "./realistic-objects.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "poolkeeper.js");
const work = mkdtempSync(join(tmpdir(), "poolkeeper-check-bench-"));

// One small file: the upstream general-purpose example (a NodePool and its EC2NodeClass).
const small = join(work, "small.yaml");
writeFileSync(small, (upstreamFiles()[0] ?? []).map((o) => stringify(o)).join("---\n"));
// 1,000 files of one object each, varied (realistic-objects.ts), under one directory.
const many = join(work, "pools");
mkdirSync(many);
realisticBundles(50)
  .flat()
  .slice(0, 1000)
  .forEach((o, i) => writeFileSync(join(many, `object-${String(i).padStart(4, "0")}.yaml`), stringify(o)));

function once(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - start;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${args.join(" ")}: ${String(result.stderr)}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function compare(cases: [string, string[]][], runs: number): Map<string, number> {
  const times = new Map(cases.map(([name]) => [name, [] as number[]]));
  for (const [, args] of cases) once(args); // warm-up: the file system cache
  for (let i = 0; i < runs; i++) for (const [name, args] of cases) times.get(name)?.push(once(args));
  return new Map([...times].map(([name, xs]) => [name, median(xs)]));
}

const built = existsSync(join(root, "dist", "cli", "main.js"));
const source = ["--disable-warning=ExperimentalWarning", bin];
// Without type stripping the entry point runs dist/, as it does from an installed package.
const dist = ["--no-experimental-strip-types", bin];

const startup = compare(
  [
    ["node -e 0", ["-e", "0"]],
    ["check small.yaml (source)", [...source, "check", small]],
    ...(built ? [["check small.yaml (dist)", [...dist, "check", small]] as [string, string[]]] : []),
  ],
  11,
);
const bare = startup.get("node -e 0") ?? 0;
console.log(`Node ${process.version}`);
for (const [name, ms] of startup) {
  console.log(
    `${name.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  ${(ms - bare).toFixed(0).padStart(6)} ms over node -e 0`,
  );
}
const big = compare(
  [
    ["check 1,000 files (source)", [...source, "check", "pools"]],
    ...(built ? [["check 1,000 files (dist)", [...dist, "check", "pools"]] as [string, string[]]] : []),
  ],
  5,
);
for (const [name, ms] of big) {
  console.log(`${name.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / 1000).toFixed(2)} ms per file`);
}
rmSync(work, { recursive: true, force: true });
