// A token bucket per client address, for an endpoint anyone can reach before authenticating (the push hook): each
// address may make `burst` requests at once and then one per `1 / perSecond` seconds; a request beyond that is told
// how long to wait (Retry-After). Mirrors golang.org/x/time/rate's Limiter (Allow/Reserve: tokens refilled by the
// elapsed time, capped at the burst), one per source, with the time from the clock given. IPv6 clients are bucketed
// by their /64, which one host usually holds whole: per address, a single host could take 2^64 buckets.
import type { Clock } from "../api/index.ts";

export interface RateLimit {
  /** Tokens added to each bucket per second. */
  perSecond: number;
  /** A bucket's size: what a source that has been quiet may send at once. */
  burst: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Most sources remembered; past it the least recently seen are forgotten (a forgotten one starts full). */
const MAX_SOURCES = 10_000;

export class SourceRateLimiter {
  readonly #limit: RateLimit;
  readonly #clock: Clock;
  /** By source, least recently seen first. */
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(limit: RateLimit, clock: Clock) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) {
      throw new RangeError(`a rate limit needs perSecond > 0 and burst ≥ 1 (${JSON.stringify(limit)})`);
    }
    this.#limit = limit;
    this.#clock = clock;
  }

  /** Takes a token from the bucket of `address` (a socket's remoteAddress), or says when one will be there. */
  take(address: string | undefined): RateDecision {
    const { perSecond, burst } = this.#limit;
    const source = sourceOf(address);
    const now = this.#clock.now().getTime();
    const bucket = this.#buckets.get(source) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.#buckets.delete(source);
    this.#buckets.set(source, bucket);
    for (const oldest of this.#buckets.keys()) {
      if (this.#buckets.size <= MAX_SOURCES) break;
      this.#buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / perSecond) };
  }
}

/** The bucket an address falls in: an IPv4 address (also written IPv4-mapped), or an IPv6 address's /64. */
export function sourceOf(address: string | undefined): string {
  if (address === undefined) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!address.includes(":")) return address;
  const [head = "", tail] = address.toLowerCase().split("%", 1)[0]?.split("::", 2) ?? [];
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
