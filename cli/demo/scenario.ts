// The scenario of issue "poolkeeper demo": the steps in order, each run with a progress line — redrawn in place on a
// terminal while it waits, one plain line per step otherwise — then its lines, or what failed. A failing step does
// not stop the ones after it: each says for itself what it could and could not show.
import type { Output } from "../output.ts";
import type { DemoEnvironment } from "./environment.ts";
import { consolidationWithinBudgets, driftRollout, pendingPodsGetNodes, spotInterruption } from "./steps/autoscaler.ts";
import { checkExplains, fixConverts, gateAccepts, gateRejects, v1beta1Refused, webhookDenies } from "./steps/policy.ts";
import { StepFailure, type DemoStep, type ScenarioState } from "./step.ts";

export const SCENARIO: readonly DemoStep[] = [
  v1beta1Refused,
  checkExplains,
  fixConverts,
  webhookDenies,
  gateAccepts,
  gateRejects,
  pendingPodsGetNodes,
  spotInterruption,
  consolidationWithinBudgets,
  driftRollout,
];

export interface StepResult {
  id: string;
  title: string;
  ok: boolean;
  /** What failed, in words. */
  failure?: string;
  wallMs: number;
}

export interface ScenarioHooks {
  /** Runs before a step: a test breaks a step's precondition here, to see the demo fail and name it. */
  beforeStep?: (id: string, env: DemoEnvironment) => Promise<void>;
}

export async function playScenario(
  env: DemoEnvironment,
  steps: readonly DemoStep[],
  out: Output,
  hooks: ScenarioHooks = {},
): Promise<StepResult[]> {
  const state: ScenarioState = {};
  const results: StepResult[] = [];
  for (const [index, step] of steps.entries()) {
    const label = `[${index + 1}/${steps.length}] ${step.title}`;
    const started = performance.now();
    let lastDrawn = 0;
    const progress = (text: string) => {
      // A terminal gets the live line, at most ten times a second; a pipe gets only the step's outcome.
      if (!out.interactive || performance.now() - lastDrawn < 100) return;
      lastDrawn = performance.now();
      out.stderr(`\r\u001b[K${label} … ${text}`);
    };
    if (out.interactive) out.stderr(`\r\u001b[K${label} …`);
    let lines: string[] = [];
    let failure: string | undefined;
    try {
      await hooks.beforeStep?.(step.id, env);
      lines = await step.run(env, state, progress);
    } catch (error) {
      failure = error instanceof StepFailure ? error.message : `unexpected error: ${(error as Error).message}`;
      env.logger.error({ step: step.id, err: failure }, "demo step failed");
    }
    const wallMs = performance.now() - started;
    if (out.interactive) out.stderr("\r\u001b[K");
    const mark = failure === undefined ? out.style("green", "✔") : out.style("red", "✘");
    out.stdout(`${mark} ${label} (${(wallMs / 1000).toFixed(1)} s)\n`);
    for (const line of lines) out.stdout(`    ${line}\n`);
    if (failure !== undefined) out.stdout(`    ${out.style("red", `FAILED: ${failure}`)}\n`);
    results.push({
      id: step.id,
      title: step.title,
      ok: failure === undefined,
      wallMs,
      ...(failure ? { failure } : {}),
    });
  }
  return results;
}
