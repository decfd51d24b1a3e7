// What a pull-request check costs as a process: `poolkeeper check` on one small file beside `node -e 0` on the
// same Node (start-up: the modules, the compiled schemas and rules), and `check` over 1,000 files. Both the source
// checkout (TypeScript run by type stripping) and the built package (the bundle, or dist/ without one: what
// `npm pack` ships; measured when built: `npm run build`). Runs are interleaved and each figure is the median, of wall time and of the
// process's CPU time. The command enables Node's compile cache: the warm-up run fills it, as a user's first run would.
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

// The process's own CPU time (user + system), written at exit to fd 3 by a module preloaded into it: on a shared
// machine wall time is mostly waiting for a core, CPU time is what the start-up costs. Preloaded into `node -e 0` too.
const cpuAtExit =
  "data:text/javascript," +
  encodeURIComponent(
    'import { writeSync } from "node:fs"; process.on("exit", () => { const u = process.cpuUsage(); ' +
      "writeSync(3, String((u.user + u.system) / 1000)); });",
  );

interface Run {
  wall: number;
  cpu: number;
}

function once(args: string[], env: Record<string, string> = {}): Run {
  const start = performance.now();
  const result = spawnSync(process.execPath, ["--import", cpuAtExit, ...args], {
    cwd: work,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe", "pipe"],
  });
  const wall = performance.now() - start;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${args.join(" ")}: ${String(result.stderr)}`);
  return { wall, cpu: Number(String(result.output[3])) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

type Case = [name: string, args: string[], env?: Record<string, string>];

function compare(cases: Case[], runs: number): Map<string, Run> {
  const times = new Map(cases.map(([name]) => [name, [] as Run[]]));
  for (const [, args, env] of cases) once(args, env); // warm-up: the file system cache (and Node's compile cache)
  for (let i = 0; i < runs; i++) for (const [name, args, env] of cases) times.get(name)?.push(once(args, env));
  return new Map(
    [...times].map(([name, rs]) => [name, { wall: median(rs.map((r) => r.wall)), cpu: median(rs.map((r) => r.cpu)) }]),
  );
}

// Without type stripping the entry point runs the bundle (dist/bundle/) when it is there, dist/ otherwise, as it does
// from an installed package: the rows say which.
const bundled = existsSync(join(root, "dist", "bundle", "main.js"));
const built = bundled || existsSync(join(root, "dist", "cli", "main.js"));
const builtName = bundled ? "bundle" : "dist";
const source = ["--disable-warning=ExperimentalWarning", bin];
const dist = ["--no-experimental-strip-types", bin];

const noCache = { NODE_DISABLE_COMPILE_CACHE: "1" };
const startup = compare(
  [
    ["node -e 0", ["-e", "0"]],
    ["check small.yaml (source)", [...source, "check", small]],
    ["check small.yaml (source, no compile cache)", [...source, "check", small], noCache],
    ...(built
      ? [
          [`check small.yaml (${builtName})`, [...dist, "check", small]] as Case,
          [`check small.yaml (${builtName}, no compile cache)`, [...dist, "check", small], noCache] as Case,
        ]
      : []),
  ],
  11,
);
const bare = startup.get("node -e 0") ?? { wall: 0, cpu: 0 };
console.log(`Node ${process.version}; medians; wall time, then the process's CPU time`);
for (const [name, { wall, cpu }] of startup) {
  console.log(
    `${name.padEnd(44)} ${wall.toFixed(0).padStart(6)} ms wall (${(wall - bare.wall).toFixed(0).padStart(5)} over node -e 0)` +
      `  ${cpu.toFixed(0).padStart(5)} ms CPU (${(cpu - bare.cpu).toFixed(0).padStart(5)} over node -e 0)`,
  );
}
const big = compare(
  [
    ["check 1,000 files (source)", [...source, "check", "pools"]],
    ...(built ? [[`check 1,000 files (${builtName})`, [...dist, "check", "pools"]] as Case] : []),
  ],
  5,
);
for (const [name, { wall, cpu }] of big) {
  console.log(
    `${name.padEnd(44)} ${wall.toFixed(0).padStart(6)} ms wall (${(wall / 1000).toFixed(2)} ms per file)` +
      `  ${cpu.toFixed(0).padStart(5)} ms CPU`,
  );
}
rmSync(work, { recursive: true, force: true });
