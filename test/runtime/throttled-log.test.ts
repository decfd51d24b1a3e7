// throttledLog: the first event is logged at once, the next ones within the interval are counted and left out, and
// the first after the interval is logged with that count — by the clock given, which the test moves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { throttledLog } from "../../runtime/throttled-log.ts";
import { FakeClock } from "../support/fake-clock.ts";

test("one line per interval, each with the number left out since the one before", () => {
  const clock = new FakeClock(new Date("2026-11-25T10:00:00Z"));
  const lines: number[] = [];
  const event = throttledLog(clock, 10_000, (leftOut) => lines.push(leftOut));
  event();
  assert.deepEqual(lines, [0], "the first at once");
  event();
  clock.step(9_999);
  event();
  assert.deepEqual(lines, [0], "two left out within the interval");
  clock.step(1);
  event();
  assert.deepEqual(lines, [0, 2], "the next one after it says so");
  clock.step(60_000);
  event();
  assert.deepEqual(lines, [0, 2, 0]);
});
