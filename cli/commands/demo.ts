// `poolkeeper demo`: the whole job on the embedded world, no AWS, no cluster, no network. It starts the simulated
// world, a Git server with an example pool repository, the admission webhook registered with the simulated API
// server and `poolkeeper run` over the real adapters, all in this process on one virtual clock that moves only once
// their work is done (cli/demo/environment.ts), plays the scenario's steps, each with its own assertion
// (cli/demo/scenario.ts), and prints a summary, the wall time and the peak memory. Exit 0
// only when every step's assertion held; 1 otherwise, naming the steps that failed; 2 when it cannot start. The
// parts' logs go to demo.log in its directory, never to the terminal. --keep-running leaves everything up and
// prints the commands to explore it, until Ctrl-C.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import v8 from "node:v8";
import { InputError } from "../input-files.ts";
import type { Output } from "../output.ts";
import { onStopRequest } from "../stop-request.ts";
import type { PoolkeeperMain } from "../demo/controller.ts";
import { ProcessTreeMemory } from "../demo/process-tree-memory.ts";
import { startDemoEnvironment, type DemoEnvironment } from "../demo/environment.ts";
import { playScenario, SCENARIO, type ScenarioHooks } from "../demo/scenario.ts";
import { summaryLines } from "../demo/summary.ts";
import { Timeline } from "../demo/timeline.ts";

export interface DemoOptions {
  keepRunning: boolean;
  dir?: string;
  timeFactor: string;
}

export interface DemoControl {
  /** The CLI's entry (cli/main.ts's `main`), through which the demo starts `poolkeeper run`. */
  main: PoolkeeperMain;
  /** Stops --keep-running when aborted; by default SIGTERM and SIGINT do. */
  signal?: AbortSignal;
  /** Where kubectl is looked for (POOLKEEPER_KUBECTL) and PATH comes from; the process's by default. */
  env?: NodeJS.ProcessEnv;
  /** Only these steps, in scenario order (tests). */
  steps?: readonly string[];
  hooks?: ScenarioHooks;
}

/** Wednesday 10:00 UTC: inside the GPU pool's weekday business-hours window, which holds its nodes. */
const SCENARIO_START = new Date("2026-03-04T10:00:00Z");

export async function runDemo(options: DemoOptions, out: Output, control: DemoControl): Promise<number> {
  const factor = parseFactor(options.timeFactor);
  const steps = control.steps ? SCENARIO.filter((step) => control.steps?.includes(step.id)) : SCENARIO;
  const started = performance.now();
  const memory = new ProcessTreeMemory();
  const temporary = options.dir === undefined;
  const dir = options.dir === undefined ? mkdtempSync(join(tmpdir(), "poolkeeper-demo-")) : resolve(options.dir);

  out.stdout("poolkeeper demo: the simulated world, a Git server, the webhook and poolkeeper run\n");
  // What bin/poolkeeper.js started this process with (cli/demo/heap-settings.ts), or the user's NODE_OPTIONS.
  const heapLimit = v8.getHeapStatistics().heap_size_limit;
  out.stdout(`  ● V8 heap limit ${mb(heapLimit)}\n`);
  let env: DemoEnvironment;
  try {
    env = await startDemoEnvironment(
      { dir, start: SCENARIO_START, env: control.env ?? process.env, main: control.main },
      (what) => out.stdout(`  ● ${what}\n`),
    );
  } catch (error) {
    memory.stop();
    out.stderr(`poolkeeper demo: cannot start: ${(error as Error).message}\n  logs: ${join(dir, "demo.log")}\n`);
    return 2;
  }
  out.stdout("\n");

  const timeline = new Timeline(env.world, env.clock);
  const results = await playScenario(env, steps, out, control.hooks);
  await timeline.stop();
  out.stdout(`\n${(await summaryLines(env, timeline.samples)).join("\n")}\n`);

  if (options.keepRunning) await keepRunning(env, out, factor, control.signal);
  await env.stop();
  const failed = results.filter((result) => !result.ok);
  if (temporary && failed.length === 0 && !options.keepRunning) rmSync(dir, { recursive: true, force: true });

  const wallSeconds = (performance.now() - started) / 1000;
  // One process holds the world, the webhook and run; kubectl and git come and go beside it.
  const peak = memory.stop();
  const what = peak.sawChildren
    ? "the world, the webhook and run, with kubectl and git"
    : "the world, the webhook and run";
  out.stdout(
    `\nwall time ${wallSeconds.toFixed(1)} s; peak RSS ${mb(peak.peakBytes)} (${what}); V8 heap limit ${mb(heapLimit)}\n`,
  );
  if (failed.length === 0) {
    out.stdout(out.style("green", `all ${results.length} steps held\n`));
    return 0;
  }
  out.stdout(out.style("red", `${failed.length} of ${results.length} steps failed:\n`));
  for (const result of failed) out.stdout(`  ${result.id}: ${result.failure}\n`);
  out.stdout(`logs: ${env.logFile}\n`);
  return 1;
}

async function keepRunning(
  env: DemoEnvironment,
  out: Output,
  factor: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  out.stdout(
    [
      "",
      `Everything stays up, simulated time running at ×${factor}; explore it, then Ctrl-C:`,
      `  kubectl --kubeconfig ${env.kubeconfig} get nodepools,nodeclaims,nodes`,
      `  git clone ${env.repository.url} pools`,
      `  npx poolkeeper history --repo ${env.repository.url}`,
      `  logs: ${env.logFile}`,
      "",
    ].join("\n"),
  );
  const stopped = new AbortController();
  const detach = onStopRequest(signal, () => {
    detach();
    stopped.abort();
  });
  await env.clock.followWallClock(factor, stopped.signal);
}

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function parseFactor(text: string): number {
  const factor = Number(text);
  if (text.trim() === "" || !Number.isFinite(factor) || factor < 1 || factor > 100)
    throw new InputError(`--time-factor ${text}: not a number in [1, 100]`);
  return factor;
}
