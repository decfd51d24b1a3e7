// A worker module for runtime/worker-pool.ts's tests, answering as WorkerPool expects: `{ echo }` comes back as
// the task's value, `{ fail }` as a failed task, `{ exit }` ends the thread without an answer, and `{ hold }` is
// never answered (a task that stays in flight until the pool closes).
import { parentPort } from "node:worker_threads";

type Request = { echo: unknown } | { fail: string } | { exit: number } | { hold: true };

parentPort?.on("message", ({ id, request }: { id: number; request: Request }) => {
  if ("echo" in request) parentPort?.postMessage({ id, ok: true, value: request.echo });
  else if ("fail" in request) parentPort?.postMessage({ id, ok: false, message: request.fail });
  else if ("exit" in request) process.exit(request.exit);
});
