// `poolkeeper plan` at scale (bench/plan-fleet.ts): a repository of N NodePools (N/20 EC2NodeClasses, 10 files) and a
// snapshot of 2N nodes, with a change that drifts one class's pools, cuts limits, adds a budget window and a label.
// Per size (the arguments; 100 250 500 1000 by default): `plan --format markdown` in process, median of 3, in wall
// time and in this process's CPU time (on a shared machine the CPU time is the steadier figure), each run's too (the
// first one cold: modules loaded and compiled as it goes); at the largest size, once more as a process (start-up
// included). Target (issue 26): < 5 s at 1,000 pools and 2,000 nodes.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { poolkeeperIn } from "../test/support/plan-fixture.ts";
import { buildPlanFleet, type PlanFleet } from "./plan-fleet.ts";

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = sizes.length > 0 ? sizes : [100, 250, 500, 1_000];
const ARGS = ["plan", "--base", "main", "--head", "change", "--snapshot", "snapshot.json", "--format", "markdown"];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
let previous: { pools: number; cpu: number } | undefined;
let last: PlanFleet | undefined;
for (const size of SIZES) {
  const fleet = buildPlanFleet(size);
  console.log(
    `${fleet.pools} NodePools, ${fleet.classes} EC2NodeClasses; snapshot: ${fleet.nodes} nodes, ${fleet.pods} pods ` +
      `(${fleet.pending} pending), ${fleet.offerings} offerings, ${(fleet.snapshotBytes / 1024 / 1024).toFixed(1)} MiB`,
  );
  const wall: number[] = [];
  const cpu: number[] = [];
  let output = "";
  for (let run = 0; run < 3; run++) {
    const startCpu = process.cpuUsage();
    const start = performance.now();
    const { code, stdout, stderr } = await poolkeeperIn(fleet.dir, ...ARGS, "pools");
    wall.push(performance.now() - start);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1000);
    if (code !== 0) throw new Error(`plan exited ${code}: ${stderr}`);
    output = stdout;
  }
  const drifting = output.split("\n").filter((line) => /^\| pool-\d+ \| \d+ of/.test(line)).length;
  const growth =
    previous === undefined
      ? ""
      : `; ×${(median(cpu) / previous.cpu).toFixed(1)} CPU for ×${(size / previous.pools).toFixed(1)} pools`;
  console.log(
    `  in process: median ${median(wall).toFixed(0)} ms wall, ${median(cpu).toFixed(0)} ms CPU of 3 ` +
      `(${wall.map((t) => t.toFixed(0)).join(", ")} ms wall; ${cpu.map((t) => t.toFixed(0)).join(", ")} ms CPU, ` +
      `the first one cold)${growth}; ${drifting} pools drifting, ` +
      `${output.length} characters of Markdown`,
  );
  previous = { pools: size, cpu: median(cpu) };
  if (last !== undefined) rmSync(last.dir, { recursive: true, force: true });
  last = fleet;
}
if (last !== undefined) {
  const start = performance.now();
  execFileSync(process.execPath, [join(import.meta.dirname, "..", "bin", "poolkeeper.js"), ...ARGS, "pools"], {
    cwd: last.dir,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "ignore", "inherit"],
  });
  console.log(
    `as a process at ${last.pools} pools: ${(performance.now() - start).toFixed(0)} ms wall (start-up included)`,
  );
  console.log(`peak RSS of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  rmSync(last.dir, { recursive: true, force: true });
}
