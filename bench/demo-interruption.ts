// `poolkeeper demo`'s spot interruption (step 8) played again and again, to find out whether it holds on every run:
//   node bench/demo-interruption.ts [RUNS] [INTERRUPTIONS]
// Each run starts a fresh environment, plays the steps step 8 needs (the accepted pools, the 300 pending pods
// placed), then interrupts INTERRUPTIONS spot nodes one after the other (1 by default, as the demo does), each
// required to hold by step 8's own assertion: every interruption lands on another node, with its own neighbours
// and zone, so one run tries as many layouts. Several of these at once (separate processes: one demo per process,
// as its clock counts the whole process's work) load the machine as a busy CI runner would: the demo's virtual
// clock must give the same outcome however slow the machine is. A failure prints the step's evidence (the world's
// timeline since the notice and the clock's jumps: cli/demo/interruption-trace.ts) and keeps the demo's directory
// with its log. Exits 1 if any interruption failed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDemoEnvironment } from "../cli/demo/environment.ts";
import { playScenario } from "../cli/demo/scenario.ts";
import { pendingPodsGetNodes, spotInterruption } from "../cli/demo/steps/autoscaler.ts";
import { gateAccepts } from "../cli/demo/steps/policy.ts";
import { main } from "../cli/main.ts";
import { capturedOutput } from "../cli/output.ts";

const runs = Number(process.argv[2] ?? "5");
const interruptions = Number(process.argv[3] ?? "1");
/** The scenario's start (cli/commands/demo.ts): Wednesday 10:00 UTC. */
const START = new Date("2026-03-04T10:00:00Z");

let failures = 0;
for (let run = 1; run <= runs; run++) {
  const dir = mkdtempSync(join(tmpdir(), `poolkeeper-step8-${run}-`));
  const out = capturedOutput();
  const started = performance.now();
  const env = await startDemoEnvironment({ dir, start: START, env: process.env, main }, () => {});
  const steps = [gateAccepts, pendingPodsGetNodes, ...Array.from({ length: interruptions }, () => spotInterruption)];
  const results = await playScenario(env, steps, out);
  await env.stop();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const failed = results.filter((result) => !result.ok);
  failures += failed.length;
  const held = results.slice(2).filter((result) => result.ok).length;
  process.stdout.write(`run ${run}: ${held} of ${interruptions} interruptions held (${seconds} s)\n`);
  for (const line of out.out.split("\n"))
    if (/warned; its|replacement|no replacement/.test(line)) process.stdout.write(`${line}\n`);
  if (failed.length === 0) rmSync(dir, { recursive: true, force: true });
  else process.stdout.write(`logs in ${dir}\n${out.out}\n`);
}
process.stdout.write(failures === 0 ? `every interruption held\n` : `${failures} step(s) failed\n`);
process.exitCode = failures === 0 ? 0 : 1;
