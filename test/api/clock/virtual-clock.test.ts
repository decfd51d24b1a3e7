// VirtualClock: time moves only when told; timers fire in time order at their due time; sleep is a promise on
// that time; runFor / runUntilIdle let the code a timer resumes arm the next timer within the same run.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { VirtualClock } from "../../../api/index.ts";

const T0 = new Date("2026-11-25T10:00:00Z");
const since = (clock: VirtualClock) => clock.now().getTime() - T0.getTime();

describe("VirtualClock", () => {
  test("advance runs due timers soonest first (same-time ones in arming order), each at its due time", () => {
    const clock = new VirtualClock(T0);
    const ran: string[] = [];
    clock.afterFunc(300, () => ran.push(`c@${since(clock)}`));
    clock.afterFunc(100, () => ran.push(`a@${since(clock)}`));
    clock.afterFunc(100, () => ran.push(`b@${since(clock)}`));
    clock.advance(99);
    assert.deepEqual(ran, []);
    clock.advance(1_000);
    assert.deepEqual(ran, ["a@100", "b@100", "c@300"]);
    assert.equal(since(clock), 1_099);
    assert.throws(() => clock.advance(-1), /only moves forward/);
  });

  test("sleep resolves only once the time has moved past it", async () => {
    const clock = new VirtualClock(T0);
    let woke: number | undefined;
    void clock.sleep(5_000).then(() => (woke = since(clock)));
    await clock.runFor(4_999);
    assert.equal(woke, undefined);
    await clock.runFor(1);
    assert.equal(woke, 5_000);
  });

  test("runFor lets a loop of sleeps run through the whole span, each wake-up at its own time", async () => {
    const clock = new VirtualClock(T0);
    const wakes: number[] = [];
    void (async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(1_000);
        wakes.push(since(clock));
      }
    })();
    await clock.runFor(3_500);
    assert.deepEqual(wakes, [1_000, 2_000, 3_000]);
    assert.equal(since(clock), 3_500);
  });

  test("runUntilIdle runs chained timers to the end and reports the time advanced; a periodic timer hits the limit", async () => {
    const clock = new VirtualClock(T0);
    const done = (async () => {
      await clock.sleep(60_000);
      await clock.sleep(30_000);
      return since(clock);
    })();
    assert.equal(await clock.runUntilIdle(), 90_000);
    assert.equal(await done, 90_000);
    assert.deepEqual(clock.pending, []);

    const tick = (): void => void clock.afterFunc(1_000, tick);
    tick();
    await assert.rejects(clock.runUntilIdle(10_000), /1 timer\(s\) still pending after 10000 ms/);
  });

  test("a stopped timer never runs; stop reports whether it was pending", () => {
    const clock = new VirtualClock(T0);
    let ran = false;
    const timer = clock.afterFunc(10, () => (ran = true));
    assert.equal(timer.stop(), true);
    assert.equal(timer.stop(), false);
    clock.advance(100);
    assert.equal(ran, false);
  });
});
