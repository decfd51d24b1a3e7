// A scenario step: what it shows, what it asserts. A step either returns the lines it shows (its assertion held)
// or throws a StepFailure saying what it expected and what it saw instead. Waits are bounded in simulated time on
// the world's clock, which moves only once the work in flight is done, so what a step sees does not depend on the
// machine's speed, and a step that cannot happen fails instead of hanging.
import type { DemoEnvironment } from "./environment.ts";

export interface DemoStep {
  id: string;
  title: string;
  /** `progress` updates the step's live line (a count, a rollout's state) while it waits. */
  run(env: DemoEnvironment, state: ScenarioState, progress: (text: string) => void): Promise<string[]>;
}

/** What later steps need from earlier ones. */
export interface ScenarioState {
  /** The converted guide pool (written by `fix`). */
  convertedPool?: string;
  /** The pool repository's accepted head before the broken commit. */
  goodHead?: string;
}

export class StepFailure extends Error {}

export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StepFailure(message);
}

/** The longest the clock jumps between two probes: the soonest due timer is usually sooner. */
const MAX_TICK_MS = 1_000;

/**
 * Resolves with `probe`'s first defined answer, probing after each move of the world's clock (which moves only once
 * nothing is under way, to the soonest due timer: quiescent-clock.ts); throws a StepFailure naming `what` once
 * `limitMs` of simulated time has passed. `why` adds what the failure should say about the state then.
 */
export async function waitFor<T>(
  env: DemoEnvironment,
  what: string,
  limitMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
  options: { why?: () => string } = {},
): Promise<T> {
  const deadline = env.clock.now().getTime() + limitMs;
  for (;;) {
    const answer = await probe();
    if (answer !== undefined) return answer;
    if (env.clock.now().getTime() >= deadline) {
      const bound = `${formatDuration(limitMs)} of simulated time`;
      throw new StepFailure(`${what}: not within ${bound}${options.why ? `; ${options.why()}` : ""}`);
    }
    await env.clock.tick(Math.min(MAX_TICK_MS, deadline - env.clock.now().getTime()));
  }
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}
