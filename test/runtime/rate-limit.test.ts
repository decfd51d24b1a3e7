// SourceRateLimiter: a token bucket per source, refilled by the time on the clock given (the test moves it), as
// golang.org/x/time/rate's Limiter is; and the source of an address: IPv4 as is, IPv6 by its /64 (the text forms
// are RFC 4291's, section 2.2).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { SourceRateLimiter, sourceOf } from "../../runtime/rate-limit.ts";
import { FakeClock } from "../support/fake-clock.ts";

describe("SourceRateLimiter", () => {
  test("a burst, then one token per 1 / perSecond seconds; each source its own bucket", () => {
    const clock = new FakeClock(new Date("2026-11-25T10:00:00Z"));
    const limiter = new SourceRateLimiter({ perSecond: 0.5, burst: 3 }, clock);
    const take = (address: string) => limiter.take(address);
    assert.deepEqual([take("10.0.0.1"), take("10.0.0.1"), take("10.0.0.1")], Array(3).fill({ allowed: true }));
    assert.deepEqual(take("10.0.0.1"), { allowed: false, retryAfterSeconds: 2 }, "empty: a token in 2 s");
    assert.deepEqual(take("10.0.0.2"), { allowed: true }, "another source is not affected");
    clock.step(1_000);
    assert.deepEqual(take("10.0.0.1"), { allowed: false, retryAfterSeconds: 1 }, "half a token after 1 s");
    clock.step(1_000);
    assert.deepEqual(take("10.0.0.1"), { allowed: true });
    assert.deepEqual(take("10.0.0.1"), { allowed: false, retryAfterSeconds: 2 });
    clock.step(60_000);
    assert.deepEqual(
      [take("10.0.0.1"), take("10.0.0.1"), take("10.0.0.1"), take("10.0.0.1")],
      [{ allowed: true }, { allowed: true }, { allowed: true }, { allowed: false, retryAfterSeconds: 2 }],
      "a quiet minute refills to the burst, not beyond",
    );
  });

  test("addresses of one IPv6 /64 share a bucket; an IPv4-mapped address is its IPv4 address", () => {
    const clock = new FakeClock(new Date("2026-11-25T10:00:00Z"));
    const limiter = new SourceRateLimiter({ perSecond: 1, burst: 1 }, clock);
    assert.equal(limiter.take("2001:db8:0:1::a").allowed, true);
    assert.equal(limiter.take("2001:db8:0:1:ffff:ffff:ffff:ffff").allowed, false);
    assert.equal(limiter.take("2001:db8:0:2::a").allowed, true);
    assert.equal(limiter.take("192.0.2.1").allowed, true);
    assert.equal(limiter.take("::ffff:192.0.2.1").allowed, false);
  });

  test("a limit without tokens or rate is refused", () => {
    const clock = new FakeClock(new Date());
    assert.throws(() => new SourceRateLimiter({ perSecond: 0, burst: 1 }, clock), RangeError);
    assert.throws(() => new SourceRateLimiter({ perSecond: 1, burst: 0 }, clock), RangeError);
  });
});

test("sourceOf", () => {
  const cases: [string | undefined, string][] = [
    ["192.0.2.1", "192.0.2.1"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["::FFFF:192.0.2.1", "192.0.2.1"],
    ["2001:DB8:0:0:8:800:200C:417A", "2001:db8:0:0::/64"],
    ["2001:db8::8:800:200c:417a", "2001:db8:0:0::/64"],
    ["2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3:8d3::/64"],
    ["ff01::101", "ff01:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["2001:0db8:0001:0000::1", "2001:db8:1:0::/64"],
    [undefined, "unknown"],
  ];
  for (const [address, source] of cases) assert.equal(sourceOf(address), source, address);
});
