// runInSlices: the work's result, with the event loop let through between slices — shown by a setImmediate
// callback queued before the work starts, which runs before the work ends only when the work pauses. With slices
// of 0 ms it pauses after every step; with slices longer than any run it never does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runInSlices } from "../../runtime/slices.ts";

function* steps(count: number, log: string[]): Generator<void, number, void> {
  for (let i = 0; i < count; i++) {
    log.push(`step ${i}`);
    yield;
  }
  return count;
}

test("slices of 0 ms: other callbacks run between the steps", async () => {
  const log: string[] = [];
  setImmediate(() => log.push("other work"));
  assert.equal(await runInSlices(steps(3, log), 0), 3);
  assert.deepEqual(log, ["step 0", "other work", "step 1", "step 2"]);
});

test("one slice longer than the work: it runs to its end at once", async () => {
  const log: string[] = [];
  setImmediate(() => log.push("other work"));
  assert.equal(await runInSlices(steps(3, log), Number.POSITIVE_INFINITY), 3);
  assert.deepEqual(log, ["step 0", "step 1", "step 2"]);
});
