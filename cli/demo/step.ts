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

/** What a wait may also be given: a measure of progress that, while it changes, keeps the wait going. */
export interface WaitOptions {
  /**
   * Called each probe; while its answer changes the limit counts from that change (the controller is at work,
   * just slower than the scaled clock on a loaded machine), so the wait fails only after `limitMs` without progress.
   * Without it, `limitMs` is a hard deadline (the scenario's own, such as EC2's two-minute notice).
   */
  progress?: () => string;
  /**
   * With `progress`: the wall time that must also pass without progress before the wait fails. A controller's
   * pass over hundreds of pods is CPU work that a loaded machine stretches over many simulated minutes at ×30
   * while nothing changes yet; this keeps such a pass from reading as a stall.
   */
  stallWallMs?: number;
  /** Why, added to the failure. */
  why?: () => string;
}

/**
 * Resolves with `probe`'s first defined answer, probing every simulated second; throws a StepFailure naming `what`
 * once `limitMs` of simulated time has passed (without progress, when `progress` is given).
 */
export async function waitFor<T>(
  env: DemoEnvironment,
  what: string,
  limitMs: number,
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitOptions = {},
): Promise<T> {
  let deadline = env.clock.now().getTime() + limitMs;
  let lastProgress = options.progress?.();
  let progressedAt = performance.now();
  for (;;) {
    const answer = await probe();
    if (answer !== undefined) return answer;
    const now = env.clock.now().getTime();
    const progress = options.progress?.();
    if (progress !== lastProgress) {
      lastProgress = progress;
      deadline = now + limitMs;
      progressedAt = performance.now();
    }
    const stalled = options.progress === undefined || performance.now() - progressedAt >= (options.stallWallMs ?? 0);
    if (now >= deadline && stalled) {
      const bound = `${formatDuration(limitMs)} of simulated time${options.progress ? " without progress" : ""}`;
      throw new StepFailure(`${what}: not within ${bound}${options.why ? `; ${options.why()}` : ""}`);
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
