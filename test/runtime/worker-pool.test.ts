// runtime/worker-pool.ts: tasks run in worker threads and come back as plain data; the queue is bounded (a task
// past it is refused at once); a worker that dies fails its task and is replaced; close fails what is left.
import assert from "node:assert/strict";
import { test } from "node:test";
import { WorkerPool, WorkerPoolError } from "../../runtime/worker-pool.ts";
import { guardAgainstHang } from "../support/hang-guard.ts";

type Request = { echo: unknown } | { fail: string } | { exit: number } | { hold: true };
const module = new URL("../support/echo-worker.ts", import.meta.url);

test("a task's answer comes back as plain data, a failed task as a WorkerPoolError", async () => {
  const pool = new WorkerPool<Request, unknown>({ module, size: 2, maxQueued: 4 });
  try {
    const value = { values: ["a", "b"], positions: [1, [2, 3]], nothing: null };
    const answers = await guardAgainstHang(
      Promise.all([pool.run({ echo: value }), pool.run({ echo: 1 }), pool.run({ echo: "x" })]),
      "three answers",
    );
    assert.deepEqual(answers, [value, 1, "x"]);
    await assert.rejects(
      pool.run({ fail: "bad input" }),
      (e) => e instanceof WorkerPoolError && e.message === "bad input",
    );
  } finally {
    await pool.close();
  }
});

test("past the queue's bound a task is refused at once", async () => {
  const pool = new WorkerPool<Request, unknown>({ module, size: 1, maxQueued: 1 });
  const inFlight = pool.run({ hold: true });
  const queued = pool.run({ echo: 1 });
  await assert.rejects(pool.run({ echo: 2 }), /the worker pool is busy \(1 tasks waiting\)/);
  const settled = Promise.allSettled([inFlight, queued]);
  await pool.close();
  const reasons = (await settled).map((r) => (r.status === "rejected" ? String(r.reason) : "answered"));
  assert.deepEqual(reasons, ["Error: the worker pool is closed", "Error: the worker pool is closed"]);
  await assert.rejects(pool.run({ echo: 3 }), /the worker pool is closed/);
});

test("a worker that dies fails its task, and the next task runs in a new one", async () => {
  const pool = new WorkerPool<Request, unknown>({ module, size: 1, maxQueued: 2 });
  try {
    const dying = pool.run({ exit: 7 });
    const next = pool.run({ echo: "after" });
    await assert.rejects(guardAgainstHang(dying, "the dead worker's task"), /the worker exited \(code 7\)/);
    assert.equal(await guardAgainstHang(next, "the next task"), "after");
  } finally {
    await pool.close();
  }
});
