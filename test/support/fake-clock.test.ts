// The fake clock the timer tests stand on: timers run only when the time is moved past them, in due order, each
// with the clock reading its due time; stopped timers never run; a test can wait for a timer to be armed.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "./fake-clock.ts";

const T0 = new Date("2026-11-25T10:00:00Z");

describe("FakeClock", () => {
  test("reads the time it was given and moves only by step()", () => {
    const clock = new FakeClock(T0);
    assert.equal(clock.now().toISOString(), "2026-11-25T10:00:00.000Z");
    clock.step(1_500);
    assert.equal(clock.now().toISOString(), "2026-11-25T10:00:01.500Z");
    assert.throws(() => clock.step(-1), /only moves forward/);
  });

  test("timers run when the time reaches them, soonest first, at their due time; same-time timers in arming order", () => {
    const clock = new FakeClock(T0);
    const ran: string[] = [];
    const at = (name: string) => () => ran.push(`${name}@${clock.now().getTime() - T0.getTime()}`);
    clock.afterFunc(300, at("c"));
    clock.afterFunc(100, at("a"));
    clock.afterFunc(100, at("b"));
    assert.deepEqual(clock.pending, [100, 100, 300]);
    clock.step(99);
    assert.deepEqual(ran, [], "nothing is due yet");
    assert.deepEqual(clock.pending, [1, 1, 201]);
    clock.step(1_000);
    assert.deepEqual(ran, ["a@100", "b@100", "c@300"]);
    assert.deepEqual(clock.pending, []);
  });

  test("a timer armed by a timer runs in the same step when it falls due within it", () => {
    const clock = new FakeClock(T0);
    const ran: number[] = [];
    clock.afterFunc(10, () => {
      ran.push(clock.now().getTime() - T0.getTime());
      clock.afterFunc(10, () => ran.push(clock.now().getTime() - T0.getTime()));
      clock.afterFunc(100, () => ran.push(-1));
    });
    clock.step(50);
    assert.deepEqual(ran, [10, 20]);
    assert.deepEqual(clock.pending, [60]);
  });

  test("a zero or negative delay is due now and runs on step(0); a stopped timer never runs", () => {
    const clock = new FakeClock(T0);
    const ran: string[] = [];
    const stopped = clock.afterFunc(0, () => ran.push("stopped"));
    clock.afterFunc(-5, () => ran.push("now"));
    assert.equal(stopped.stop(), true);
    assert.equal(stopped.stop(), false, "only once");
    assert.equal(stopped.unref(), stopped);
    clock.step(0);
    assert.deepEqual(ran, ["now"]);
  });

  test("untilPending resolves when a timer is armed, or at once when enough are", async () => {
    const clock = new FakeClock(T0);
    let resolved = false;
    const waiting = clock.untilPending(2).then(() => (resolved = true));
    clock.afterFunc(5, () => {});
    await Promise.resolve();
    assert.equal(resolved, false, "one timer is not two");
    clock.afterFunc(5, () => {});
    await waiting;
    assert.equal(resolved, true);
    await clock.untilPending(1);
  });
});
