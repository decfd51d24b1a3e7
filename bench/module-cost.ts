// What loading each module costs `poolkeeper run`: for each, a fresh Node process imports it and nothing else, runs
// two full GCs and reports its RSS, V8 heap in use, peak RSS and the CPU time the import took; a bare process is the
// floor. Run with the chart's memory settings (controller.nodeOptions, controller.mallocArenaMax) and any extra
// environment given on the command line:
//
//   node bench/module-cost.ts [NAME=VALUE…] [-- node flags…]
//
// e.g. `node bench/module-cost.ts MALLOC_MMAP_THRESHOLD_=32768 -- --lite-mode`. Figures vary with the machine's
// load by a few MiB; compare rows of one run. `run`'s graph from dist/ needs `npm run build` first, from the bundle
// `node scripts/bundle.ts`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const root = new URL("..", import.meta.url);
const project = (path: string) => new URL(path, root).href;

/** [label, what to import]: undefined is the bare process. */
const PROBES: [string, string | undefined][] = [
  ["bare node", undefined],
  ["@kubernetes/client-node (its index)", "@kubernetes/client-node"],
  ["  client-node's generated APIs and models (dist/gen/index.js)", "@kubernetes/client-node/dist/gen/index.js"],
  ["  client-node's Watch (dist/watch.js)", "@kubernetes/client-node/dist/watch.js"],
  ["  client-node's ListWatch (dist/cache.js)", "@kubernetes/client-node/dist/cache.js"],
  ["undici (client-node's HTTP)", "undici"],
  ["@aws-sdk/client-ec2", "@aws-sdk/client-ec2"],
  ["@aws-sdk/client-sqs", "@aws-sdk/client-sqs"],
  ["@aws-sdk/client-ssm", "@aws-sdk/client-ssm"],
  ["@aws-sdk/client-iam", "@aws-sdk/client-iam"],
  ["sqs-consumer", "sqs-consumer"],
  ["isomorphic-git", "isomorphic-git"],
  ["pino", "pino"],
  ["prom-client", "prom-client"],
  ["adapters/ (the Kubernetes and AWS adapters)", project("adapters/index.ts")],
  ["controller/", project("controller/index.ts")],
  ["gitops/", project("gitops/index.ts")],
  ["run's modules, from the sources (type stripping)", project("cli/commands/run.ts")],
  ["run's modules, from dist/ (tsc's output, without the bundle)", project("dist/cli/commands/run.js")],
  [
    "run's modules, from the bundle (dist/bundle/run.js: what the package and the image run)",
    project("dist/bundle/run.js"),
  ],
  ["the command line's entry, from dist/ (cli/main.js)", project("dist/cli/main.js")],
  ["the command line's entry, from the bundle (dist/bundle/main.js)", project("dist/bundle/main.js")],
];

/** The chart's defaults (charts/poolkeeper/values.yaml, controller.nodeOptions and controller.mallocArenaMax). */
const CHART_ENV = { NODE_OPTIONS: "--max-semi-space-size=4", MALLOC_ARENA_MAX: "2" };

const PROBE = `
const started = process.cpuUsage();
const spec = process.argv[1];
if (spec !== "") await import(spec);
const cpu = process.cpuUsage(started);
globalThis.gc(); globalThis.gc();
const m = process.memoryUsage();
console.log(JSON.stringify({ rss: m.rss, heap: m.heapUsed, peak: process.resourceUsage().maxRSS * 1024,
  cpuMs: (cpu.user + cpu.system) / 1000 }));
`;

interface Cost {
  rss: number;
  heap: number;
  peak: number;
  cpuMs: number;
}

const args = process.argv.slice(2);
const dash = args.indexOf("--");
const extraEnv = Object.fromEntries(
  (dash < 0 ? args : args.slice(0, dash)).map((pair) => {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`module-cost: "${pair}" is not NAME=VALUE`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const nodeFlags = dash < 0 ? [] : args.slice(dash + 1);

function measure(spec: string | undefined): Cost | string {
  const result = spawnSync(
    process.execPath,
    ["--expose-gc", ...nodeFlags, "--input-type=module", "-e", PROBE, spec ?? ""],
    {
      cwd: fileURLToPath(root),
      // No compile cache: each probe pays the compile, as a container's first start does.
      env: { ...process.env, ...CHART_ENV, ...extraEnv, NODE_DISABLE_COMPILE_CACHE: "1" },
      encoding: "utf8",
    },
  );
  if (result.status !== 0) return (result.stderr.trim().split("\n").at(-1) ?? "failed").slice(0, 120);
  return JSON.parse(result.stdout) as Cost;
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);
console.log(
  `Node ${process.version}, ${Object.entries({ ...CHART_ENV, ...extraEnv })
    .map(([k, v]) => `${k}=${v}`)
    .join(" ")}${nodeFlags.length > 0 ? ` ${nodeFlags.join(" ")}` : ""}; load average ${loadavg()[0]?.toFixed(1)}`,
);
console.log("\n| module | RSS after GC (MiB) | over bare | V8 heap used | peak RSS | import CPU (ms) |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
let bare: Cost | undefined;
for (const [label, spec] of PROBES) {
  if (spec?.startsWith(project("dist/")) && !existsSync(fileURLToPath(spec))) {
    console.log(`| ${label} | not built (npm run build) | | | | |`);
    continue;
  }
  const cost = measure(spec);
  if (typeof cost === "string") {
    console.log(`| ${label} | failed: ${cost} | | | | |`);
    continue;
  }
  bare ??= cost;
  console.log(
    `| ${label} | ${mib(cost.rss)} | ${mib(cost.rss - bare.rss)} | ${mib(cost.heap)} | ${mib(cost.peak)} | ` +
      `${cost.cpuMs.toFixed(0)} |`,
  );
}
