// How long to wait before retrying after consecutive failures: client-go's workqueue
// ItemExponentialFailureRateLimiter (base × 2^failures, capped). Karpenter's singleton controllers
// (pkg/utils/singleton) take controller-runtime's default, 5 ms doubling to 1000 s; here a failure is a whole
// pass against the API server or AWS, so it starts at 1 s and is capped at 5 min, which keeps a broken loop to
// one log line every few minutes.

export interface FailureBackoffOptions {
  baseMs?: number;
  maxMs?: number;
}

export const DEFAULT_FAILURE_BACKOFF = { baseMs: 1_000, maxMs: 5 * 60_000 } as const;

export class FailureBackoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  #failures = 0;

  constructor(options: FailureBackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? DEFAULT_FAILURE_BACKOFF.baseMs;
    this.#maxMs = options.maxMs ?? DEFAULT_FAILURE_BACKOFF.maxMs;
  }

  get failures(): number {
    return this.#failures;
  }

  /** Records a failure; returns the delay before the next attempt. */
  when(): number {
    const delay = Math.min(this.#maxMs, this.#baseMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    return delay;
  }

  /** A success: the next failure starts from the base again (workqueue's Forget). */
  forget(): void {
    this.#failures = 0;
  }
}
