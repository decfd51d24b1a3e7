// A reconcile loop on the fake clock: every line a pass logs carries its own reconcile id; failures are retried
// at 1 s, 2 s, 4 s (workqueue's exponential failure backoff with the bounds failure-backoff.ts states) and a
// success starts again from 1 s; triggers during a pass coalesce into one more pass; stopping lets the pass under
// way finish.
import assert from "node:assert/strict";
import { test } from "node:test";
import { reconcileLoop, type Reconciler } from "../../../controller/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { captureLog } from "../../support/log-capture.ts";

const START = new Date("2026-03-01T12:00:00Z");

test("each pass logs with its own reconcile id; failures back off 1 s, 2 s, 4 s and a success resets", async () => {
  const clock = new FakeClock(START);
  const log = captureLog();
  const passes: number[] = [];
  const outcomes = ["fail", "fail", "fail", "ok", "fail"];
  let ids = 0;
  const reconciler: Reconciler = {
    name: "test.loop",
    async reconcile({ logger }) {
      passes.push(clock.now().getTime() - START.getTime());
      logger.info("working");
      if (outcomes.shift() === "fail") throw new Error("EC2 said no");
      return { requeueAfterMs: 60_000 };
    },
  };
  const stop = new AbortController();
  const done = reconcileLoop(reconciler, { newId: () => `id-${++ids}` }).start({
    signal: stop.signal,
    clock,
    logger: log.logger,
  });
  await clock.runFor(1_000 + 2_000 + 4_000 + 60_000 + 1);
  stop.abort();
  await done;
  // 0: fail → 1 s; 1000: fail → 2 s; 3000: fail → 4 s; 7000: ok → requeue 60 s; 67000: fail (from 1 s again).
  assert.deepEqual(passes, [0, 1_000, 3_000, 7_000, 67_000]);
  const working = log.lines.filter((l) => l.msg === "working").map((l) => l.reconcileId);
  assert.deepEqual(working, ["id-1", "id-2", "id-3", "id-4", "id-5"]);
  const failed = log.lines.filter((l) => l.msg === "reconcile failed");
  assert.deepEqual(
    failed.map((l) => [l.reconcileId, l.retryInMs, l.err]),
    [
      ["id-1", 1_000, "EC2 said no"],
      ["id-2", 2_000, "EC2 said no"],
      ["id-3", 4_000, "EC2 said no"],
      ["id-5", 1_000, "EC2 said no"],
    ],
  );
});

test("triggers during a pass coalesce into one more pass; stop waits for the pass under way", async () => {
  const clock = new FakeClock(START);
  const log = captureLog();
  let trigger: () => void = () => assert.fail("not watched yet");
  let release: () => void = () => {};
  let passes = 0;
  let finished = 0;
  const reconciler: Reconciler = {
    name: "test.coalesce",
    watch(t) {
      trigger = t;
      return () => (trigger = () => assert.fail("unsubscribed"));
    },
    async reconcile() {
      passes++;
      await new Promise<void>((resolve) => (release = resolve));
      finished++;
      return undefined;
    },
  };
  const stop = new AbortController();
  const done = reconcileLoop(reconciler).start({ signal: stop.signal, clock, logger: log.logger });
  await clock.runFor(0);
  assert.equal(passes, 1, "a pass at start");
  trigger();
  trigger();
  trigger();
  release();
  await clock.runFor(0);
  assert.equal(passes, 2, "three triggers during the first pass made one more");
  stop.abort();
  let stopped = false;
  void done.then(() => (stopped = true));
  await clock.runFor(0);
  assert.equal(stopped, false, "the second pass is still under way");
  release();
  await done;
  assert.equal(finished, 2, "the pass under way finished before the loop stopped");
  assert.throws(() => trigger(), /unsubscribed/);
});
