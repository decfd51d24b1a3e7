// The system clock's timers: what production code schedules through the TimerClock port runs on Node's timers.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../../api/ports.ts";

describe("systemClock.afterFunc", () => {
  test("calls the function once; stop() before the call cancels it and says so", async () => {
    const calls: string[] = [];
    const stopped = systemClock.afterFunc(1, () => calls.push("stopped"));
    assert.equal(stopped.stop(), true);
    // Node runs timers of the same duration in arming order: had `stopped` not been cancelled, it would run first.
    await new Promise<void>((resolve) =>
      systemClock.afterFunc(1, () => {
        calls.push("kept");
        resolve();
      }),
    );
    assert.deepEqual(calls, ["kept"]);
    assert.equal(stopped.stop(), false, "already cancelled");
  });

  test("stop() after the call is false; unref() returns the timer", async () => {
    let fired: () => void = () => {};
    const done = new Promise<void>((resolve) => (fired = resolve));
    const timer = systemClock.afterFunc(0, () => fired());
    await done;
    assert.equal(timer.stop(), false);
    const later = systemClock.afterFunc(60_000, () => assert.fail("stopped"));
    assert.equal(later.unref(), later);
    assert.equal(later.stop(), true);
  });
});
