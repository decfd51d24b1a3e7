// A scenario step: what it shows, what it asserts. A step either returns the lines it shows (its assertion held)
// or throws a StepFailure saying what it expected and what it saw instead. Waits are bounded in simulated time on
// the world's clock, so a step that cannot happen fails after a few wall seconds instead of hanging.
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

/**
 * Resolves with `probe`'s first defined answer, probing every simulated second; throws a StepFailure naming `what`
 * (and `why`'s answer, when given) once `limitMs` of simulated time has passed.
 */
export async function waitFor<T>(
  env: DemoEnvironment,
  what: string,
  limitMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
  why?: () => string,
): Promise<T> {
  const deadline = env.clock.now().getTime() + limitMs;
  for (;;) {
    const answer = await probe();
    if (answer !== undefined) return answer;
    if (env.clock.now().getTime() >= deadline) {
      throw new StepFailure(
        `${what}: not within ${formatDuration(limitMs)} of simulated time${why ? `; ${why()}` : ""}`,
      );
    }
    await env.clock.sleep(1_000);
  }
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}
