// The demo's clock moves only once nothing is under way in the process, then to the soonest due timer: an HTTP
// request in flight (both ends here) and a running child process each hold it, whatever the wall time they take;
// once they are done it jumps straight to the timer, not by the whole step it was allowed. Every check is an event
// (the response's end, the child's exit) read against the clock, never a wall-time bound.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import { after, before, test } from "node:test";
import { QuiescentClock } from "../../../cli/demo/quiescent-clock.ts";
import { runInSlices } from "../../../runtime/index.ts";

const START = new Date("2026-03-04T10:00:00Z");
let clock: QuiescentClock;

before(() => {
  clock = new QuiescentClock(START);
});
after(() => clock.close());

test("an HTTP request in flight holds the clock; then it jumps to the soonest timer", async () => {
  let received: (res: ServerResponse) => void = () => {};
  const arrived = new Promise<ServerResponse>((resolve) => (received = resolve));
  const server = createServer((_req, res) => received(res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    let fired: Date | undefined;
    clock.afterFunc(5_000, () => (fired = clock.now()));
    let clockAtResponseEnd: Date | undefined;
    const answered = new Promise<void>((resolve) => {
      request({ port: (server.address() as AddressInfo).port, host: "127.0.0.1" }, (res) => {
        res.resume();
        res.on("end", () => {
          clockAtResponseEnd = clock.now();
          resolve();
        });
      }).end();
    });
    const res = await arrived;
    const ticked = clock.tick(10_000);
    // Many turns of the event loop with the request unanswered: the clock must not have moved.
    for (let turn = 0; turn < 200; turn++) await nextTurn();
    assert.equal(clock.now().getTime(), START.getTime(), "the clock moved while a request was in flight");
    res.end("done");
    await answered;
    assert.equal(clockAtResponseEnd?.getTime(), START.getTime());
    assert.equal(await ticked, 5_000, "moved to the timer due in 5 s, not by the 10 s allowed");
    assert.equal(fired?.getTime(), START.getTime() + 5_000);
  } finally {
    server.close();
  }
});

test("a running child process holds the clock until it exits", async () => {
  const now = clock.now().getTime();
  let clockAtExit: number | undefined;
  const child = spawn("git", ["--version"], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      clockAtExit = clock.now().getTime();
      resolve();
    }),
  );
  const moved = await clock.tick(1_000);
  await exited;
  assert.equal(clockAtExit, now, "the clock moved before the child process exited");
  assert.equal(moved, 1_000, "with no timer pending it moves by the step allowed");
});

test("work run in slices (runtime's runInSlices, yielding through setImmediate) holds the clock to its last slice", async () => {
  const now = clock.now().getTime();
  let clockAtDone: number | undefined;
  // Far more slices than the turns a quiescence waits (one step per slice): the gate judges a commit this way.
  function* steps(): Generator<void, number, void> {
    for (let step = 0; step < 500; step++) yield;
    return 500;
  }
  const judged = runInSlices(steps(), 0).then((count) => {
    clockAtDone = clock.now().getTime();
    return count;
  });
  const moved = await clock.tick(1_000);
  assert.equal(await judged, 500);
  assert.equal(clockAtDone, now, "the clock moved before the sliced work's last slice");
  assert.equal(moved, 1_000);
});
