// The batch window (core:pkg/controllers/provisioning/batcher.go; FACTS.md §d: closes after 1 s idle or 10 s in
// all). Expected times are those durations added by hand to the fake clock's start.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Batcher, type BatchWindow } from "../../../controller/provisioning/batcher.ts";
import { FakeClock } from "../../support/fake-clock.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");

function setup(options = {}) {
  const clock = new FakeClock(new Date(T0));
  const closed: BatchWindow[] = [];
  const batcher = new Batcher(clock, (w) => closed.push(w), options);
  return { clock, closed, batcher };
}

describe("Batcher", () => {
  test("a lone trigger closes the window after 1 s idle", () => {
    const { clock, closed, batcher } = setup();
    batcher.trigger();
    clock.step(999);
    assert.equal(closed.length, 0);
    assert.equal(batcher.isOpen, true);
    clock.step(1);
    assert.deepEqual(closed, [
      { openedAt: new Date(T0), closedAt: new Date(T0 + 1000), triggers: 1, closedBy: "idle" },
    ]);
    assert.equal(batcher.isOpen, false);
  });

  test("each trigger restarts the idle timer", () => {
    const { clock, closed, batcher } = setup();
    batcher.trigger();
    clock.step(800);
    batcher.trigger();
    clock.step(800);
    batcher.trigger();
    clock.step(999);
    assert.equal(closed.length, 0);
    clock.step(1);
    assert.deepEqual(closed, [
      { openedAt: new Date(T0), closedAt: new Date(T0 + 2600), triggers: 3, closedBy: "idle" },
    ]);
  });

  test("a steady stream of triggers is cut at 10 s", () => {
    const { clock, closed, batcher } = setup();
    batcher.trigger();
    for (let i = 0; i < 12; i += 1) {
      clock.step(900);
      batcher.trigger();
    }
    // Triggers at 0, 900, ..., 9900 ms (12 of them) fall inside the window; the one at 10 800 opens a new one.
    assert.deepEqual(closed, [
      { openedAt: new Date(T0), closedAt: new Date(T0 + 10_000), triggers: 12, closedBy: "max" },
    ]);
    assert.equal(batcher.isOpen, true);
  });

  test("durations are configurable, as BATCH_IDLE_DURATION and BATCH_MAX_DURATION", () => {
    const { clock, closed, batcher } = setup({ idleMs: 100, maxMs: 250 });
    batcher.trigger();
    clock.step(90);
    batcher.trigger();
    clock.step(90);
    batcher.trigger();
    clock.step(90);
    assert.deepEqual(
      closed.map((w) => [w.closedAt.getTime() - T0, w.closedBy]),
      [[250, "max"]],
    );
  });

  test("stop closes without reporting and leaves no timer armed", () => {
    const { clock, closed, batcher } = setup();
    batcher.trigger();
    batcher.stop();
    assert.deepEqual(clock.pending, []);
    clock.step(20_000);
    assert.equal(closed.length, 0);
  });

  test("a duration that is not positive is refused by name", () => {
    const clock = new FakeClock(new Date(T0));
    assert.throws(() => new Batcher(clock, () => {}, { idleMs: 0 }), /batcher idleMs: expected a positive duration/);
    assert.throws(() => new Batcher(clock, () => {}, { maxMs: Number.NaN }), /batcher maxMs/);
  });
});
