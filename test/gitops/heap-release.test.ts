// The memory-reducing collection between syncs: only after a sync that judged a new head, at most once per interval
// on the clock, with the options that make V8 release its pooled pages, and nothing without an exposed `gc`; the one
// a burst of syncs left owed once idle, never while a sync runs. All on the virtual clock.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  exposedGc,
  HEAP_RELEASE_IDLE_MS,
  HEAP_RELEASE_INTERVAL_MS,
  heapRelease,
  type ExposedGc,
} from "../../gitops/heap-release.ts";
import type { SyncResult } from "../../gitops/sync.ts";
import { FakeClock } from "../support/fake-clock.ts";

const result = (outcome: SyncResult["outcome"]): SyncResult => ({ outcome, accepted: false, findings: [] });

describe("heapRelease", () => {
  it("collects after a judged head, at most once per interval", () => {
    const clock = new FakeClock(new Date("2026-12-05T10:00:00Z"));
    const calls: Parameters<ExposedGc>[0][] = [];
    const release = heapRelease({ clock, gc: (options) => calls.push(options) });
    assert.equal(release(result("unchanged")), false, "an unchanged head allocated little");
    assert.equal(release(result("failed")), false);
    assert.equal(release(result("accepted")), true);
    assert.deepEqual(calls, [{ type: "major", execution: "sync", flavor: "last-resort" }]);
    clock.step(HEAP_RELEASE_INTERVAL_MS - 1);
    assert.equal(release(result("accepted")), false, "within the interval");
    assert.equal(release(result("rejected")), false);
    clock.step(1);
    assert.equal(release(result("rejected")), true, "a rejected head was judged too");
    clock.step(HEAP_RELEASE_INTERVAL_MS * 5);
    assert.equal(release(result("unchanged")), false);
    assert.equal(release(result("accepted")), true);
    assert.equal(calls.length, 3);
  });

  it("collects what a burst left owed once no sync judged a head for the idle time", () => {
    const clock = new FakeClock(new Date("2026-12-05T10:00:00Z"));
    let collections = 0;
    const release = heapRelease({ clock, gc: () => collections++, timers: clock });
    assert.equal(release(result("accepted")), true);
    assert.deepEqual(clock.pending, [], "nothing owed after a collection");
    // A burst: a judged head every second, all within the interval.
    for (let i = 0; i < 10; i++) {
      clock.step(1_000);
      assert.equal(release(result("accepted")), false);
    }
    assert.equal(collections, 1);
    assert.equal(clock.pending.length, 1, "one collection owed, however many syncs put it off");
    clock.step(HEAP_RELEASE_IDLE_MS - 1);
    release(result("unchanged")); // a poll that found nothing new does not put it off
    assert.equal(collections, 1);
    clock.step(1);
    assert.equal(collections, 2, "made once idle");
    assert.deepEqual(clock.pending, []);
    clock.step(HEAP_RELEASE_IDLE_MS * 10);
    assert.equal(collections, 2, "and only once");
    // The idle collection counts as the last one: the interval starts again from it.
    clock.step(HEAP_RELEASE_INTERVAL_MS - HEAP_RELEASE_IDLE_MS * 10 - 1);
    assert.equal(release(result("rejected")), false);
    assert.equal(clock.pending.length, 1);
    clock.step(1);
    assert.equal(release(result("accepted")), true, "the interval is over: this one replaces the owed one");
    assert.deepEqual(clock.pending, []);
    clock.step(HEAP_RELEASE_IDLE_MS);
    assert.equal(collections, 3);
  });

  it("puts the owed collection off while a sync runs", () => {
    const clock = new FakeClock(new Date("2026-12-05T10:00:00Z"));
    let collections = 0;
    let syncing = false;
    const release = heapRelease({ clock, gc: () => collections++, timers: clock, busy: () => syncing });
    release(result("accepted"));
    clock.step(1_000);
    release(result("accepted"));
    syncing = true;
    clock.step(HEAP_RELEASE_IDLE_MS);
    assert.equal(collections, 1, "not inside a sync");
    clock.step(HEAP_RELEASE_IDLE_MS);
    assert.equal(collections, 1);
    syncing = false;
    clock.step(HEAP_RELEASE_IDLE_MS);
    assert.equal(collections, 2);
  });

  it("owes nothing without timers: the interval alone decides", () => {
    const clock = new FakeClock(new Date("2026-12-05T10:00:00Z"));
    let collections = 0;
    const release = heapRelease({ clock, gc: () => collections++ });
    release(result("accepted"));
    clock.step(1_000);
    release(result("accepted"));
    clock.step(HEAP_RELEASE_IDLE_MS * 2);
    assert.equal(collections, 1);
  });

  it("does nothing without an exposed gc", () => {
    const clock = new FakeClock(new Date("2026-12-05T10:00:00Z"));
    assert.equal(heapRelease({ clock, gc: undefined })(result("accepted")), false);
    // This test process runs without --expose-gc.
    assert.equal(exposedGc(), undefined);
  });
});
