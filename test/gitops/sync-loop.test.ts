// The polling loop: jitter and backoff as pure arithmetic, and triggers that coalesce instead of queueing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_BACKOFF_INTERVALS, nextDelay, startSyncLoop } from "../../gitops/sync-loop.ts";
import type { SyncResult } from "../../gitops/sync.ts";
import { FakeClock } from "../support/fake-clock.ts";

const T0 = new Date("2026-11-25T10:00:00Z");

describe("nextDelay", () => {
  it("is the interval with ±10 % jitter", () => {
    assert.equal(nextDelay(60_000, 0, 0), 54_000);
    assert.equal(nextDelay(60_000, 0, 0.5), 60_000);
    assert.equal(nextDelay(60_000, 0, 0.999999), 66_000);
  });
  it("doubles per consecutive failure, up to ten intervals", () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 50].map((failures) => nextDelay(1000, failures, 0.5)),
      [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000],
    );
    assert.equal(MAX_BACKOFF_INTERVALS, 10);
  });
});

describe("startSyncLoop", () => {
  const result = (outcome: SyncResult["outcome"]): SyncResult => ({ outcome, accepted: false, findings: [] });

  it("syncs at once, then per interval, and stops when aborted", async () => {
    const stop = new AbortController();
    const clock = new FakeClock(T0);
    let syncs = 0;
    const loop = startSyncLoop({
      sync: async () => {
        syncs++;
        if (syncs === 3) stop.abort();
        return result("unchanged");
      },
      intervalMs: 5,
      signal: stop.signal,
      random: () => 0.5,
      clock,
    });
    for (const expected of [1, 2]) {
      await clock.untilPending();
      assert.equal(syncs, expected, "one sync, then the wait");
      assert.deepEqual(clock.pending, [5], "the interval (jitter 0 at random 0.5)");
      clock.step(5);
    }
    await loop.done;
    assert.equal(syncs, 3);
    assert.deepEqual(clock.pending, [], "no wait after the stop");
  });

  it("a trigger wakes the loop at once; triggers during a sync coalesce into one more", async () => {
    const stop = new AbortController();
    const clock = new FakeClock(T0);
    let syncs = 0;
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const secondSync = new Promise<void>((resolve) => (entered = resolve));
    const loop = startSyncLoop({
      sync: async () => {
        syncs++;
        if (syncs === 2) {
          entered();
          await new Promise<void>((resolve) => (release = resolve));
        }
        if (syncs === 3) stop.abort();
        return result("accepted");
      },
      intervalMs: 3_600_000,
      signal: stop.signal,
      clock,
    });
    await clock.untilPending();
    assert.equal(syncs, 1, "waiting a whole interval");
    loop.trigger();
    await secondSync;
    assert.equal(syncs, 2);
    assert.deepEqual(clock.pending, [], "the trigger ended the wait");
    loop.trigger();
    loop.trigger();
    loop.trigger();
    release();
    await loop.done;
    assert.equal(syncs, 3, "three triggers during a sync make one more sync");
    assert.deepEqual(clock.now(), T0, "no time had to pass: the triggers, not the interval, ran the syncs");
  });

  it("survives a sync that throws and reports it", async () => {
    const stop = new AbortController();
    const errors: unknown[] = [];
    let syncs = 0;
    const loop = startSyncLoop({
      sync: async () => {
        syncs++;
        if (syncs === 1) throw new Error("bug");
        stop.abort();
        return result("accepted");
      },
      intervalMs: 1,
      signal: stop.signal,
      random: () => 0.5,
      onError: (error) => errors.push(error),
    });
    await loop.done;
    assert.equal(syncs, 2);
    assert.equal((errors[0] as Error).message, "bug");
  });
});
