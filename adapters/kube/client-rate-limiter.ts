// The client side's request rate limit, as client-go's flowcontrol token bucket (golang.org/x/time/rate's
// Limiter.Wait): `burst` requests at once, then `qps` per second; a request past it waits its turn instead of
// being refused. Karpenter's defaults are QPS 200, burst 300 (KUBE_CLIENT_QPS / KUBE_CLIENT_BURST,
// pkg/operator/options/options.go). The wait runs on the TimerClock, so a test moves the time instead of waiting.
import type { TimerClock } from "../../api/index.ts";

export interface ClientRateLimit {
  qps: number;
  burst: number;
}

export const KARPENTER_CLIENT_RATE_LIMIT: ClientRateLimit = { qps: 200, burst: 300 };

export class ClientRateLimiter {
  readonly #limit: ClientRateLimit;
  readonly #clock: TimerClock;
  #tokens: number;
  #at: number;

  constructor(limit: ClientRateLimit, clock: TimerClock) {
    if (!(limit.qps > 0) || !(limit.burst >= 1)) {
      throw new RangeError(`a client rate limit needs qps > 0 and burst ≥ 1 (${JSON.stringify(limit)})`);
    }
    this.#limit = limit;
    this.#clock = clock;
    this.#tokens = limit.burst;
    this.#at = clock.now().getTime();
  }

  /**
   * Takes a token, waiting for it when the bucket is empty. As rate.Limiter's Reserve, the token is taken at once
   * (the count may go below zero) and the wait is how long the deficit takes to refill, so callers go in order.
   */
  wait(): Promise<void> {
    const now = this.#clock.now().getTime();
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + (Math.max(0, now - this.#at) / 1000) * this.#limit.qps);
    this.#at = now;
    this.#tokens -= 1;
    if (this.#tokens >= 0) return Promise.resolve();
    const delayMs = (-this.#tokens / this.#limit.qps) * 1000;
    return new Promise((resolve) => this.#clock.afterFunc(delayMs, resolve));
  }
}
