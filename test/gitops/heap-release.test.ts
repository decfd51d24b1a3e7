// The memory-reducing collection between syncs: only after a sync that judged a new head, at most once per interval
// on the clock, with the options that make V8 release its pooled pages, and nothing without an exposed `gc`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exposedGc, HEAP_RELEASE_INTERVAL_MS, heapRelease, type ExposedGc } from "../../gitops/heap-release.ts";
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

  it("does nothing without an exposed gc", () => {
    const clock = new FakeClock(new Date("2026-12-05T10:00:00Z"));
    assert.equal(heapRelease({ clock, gc: undefined })(result("accepted")), false);
    // This test process runs without --expose-gc.
    assert.equal(exposedGc(), undefined);
  });
});
