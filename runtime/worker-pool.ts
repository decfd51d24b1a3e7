// CPU-bound work run off the event loop, in a few node:worker_threads workers (Node's "Don't Block the Event Loop":
// offloading), for work that cannot pause in between (one large YAML parse). Each worker takes one task at a time
// over its message port: `{ id, request }` in, `{ id, ok, value | message }` out, both plain data (structured
// clone). The queue is bounded: past it `run` refuses at once rather than piling up work. Workers start on first use,
// are unreferenced while idle (an idle pool keeps no process alive), and are replaced when one dies (its task fails
// with the reason); `close` terminates them and fails what is still waiting.
import { Worker } from "node:worker_threads";

export interface WorkerPoolOptions {
  /** The worker's module: it answers each `{ id, request }` on its parentPort with `{ id, ok, value | message }`. */
  module: URL;
  /** Workers at most (one task each at a time). */
  size: number;
  /** Tasks waiting for a worker at most; `run` refuses beyond. */
  maxQueued: number;
}

/** What a worker module posts back for a task. */
export type WorkerReply<T> = { id: number; ok: true; value: T } | { id: number; ok: false; message: string };

/** The pool is closed, full, or its worker failed: the task was not done. */
export class WorkerPoolError extends Error {}

interface Task<Req, Res> {
  id: number;
  request: Req;
  resolve: (value: Res) => void;
  reject: (error: Error) => void;
}

interface Slot<Req, Res> {
  worker: Worker;
  task?: Task<Req, Res>;
}

export class WorkerPool<Req, Res> {
  readonly #options: WorkerPoolOptions;
  readonly #slots: Slot<Req, Res>[] = [];
  readonly #queue: Task<Req, Res>[] = [];
  #nextId = 0;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  /** Runs `request` in a worker; rejects with a WorkerPoolError when the pool is closed or full, or the worker dies. */
  run(request: Req): Promise<Res> {
    if (this.#closed) return Promise.reject(new WorkerPoolError("the worker pool is closed"));
    if (this.#queue.length >= this.#options.maxQueued) {
      return Promise.reject(new WorkerPoolError(`the worker pool is busy (${this.#queue.length} tasks waiting)`));
    }
    return new Promise<Res>((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, request, resolve, reject });
      this.#dispatch();
    });
  }

  /** Terminates every worker; tasks not yet answered fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = new WorkerPoolError("the worker pool is closed");
    for (const task of this.#queue.splice(0)) task.reject(closed);
    const slots = this.#slots.splice(0);
    for (const slot of slots) slot.task?.reject(closed);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const slot = this.#slots.find((s) => s.task === undefined) ?? this.#spawn();
      if (!slot) return;
      const task = this.#queue.shift() as Task<Req, Res>;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage({ id: task.id, request: task.request });
    }
  }

  #spawn(): Slot<Req, Res> | undefined {
    if (this.#slots.length >= this.#options.size) return undefined;
    const slot: Slot<Req, Res> = { worker: new Worker(this.#options.module) };
    const { worker } = slot;
    worker.on("message", (reply: WorkerReply<Res>) => {
      const task = slot.task;
      if (!task || reply.id !== task.id) return;
      slot.task = undefined;
      worker.unref();
      if (reply.ok) task.resolve(reply.value);
      else task.reject(new WorkerPoolError(reply.message));
      this.#dispatch();
    });
    // A worker that fails (out of memory, an uncaught error) or exits is replaced on the next dispatch.
    const lost = (reason: string) => {
      const index = this.#slots.indexOf(slot);
      if (index === -1) return;
      this.#slots.splice(index, 1);
      slot.task?.reject(new WorkerPoolError(reason));
      slot.task = undefined;
      if (!this.#closed) this.#dispatch();
    };
    worker.on("error", (error: Error) => lost(`the worker failed: ${error.message}`));
    worker.on("exit", (code) => lost(`the worker exited (code ${code})`));
    this.#slots.push(slot);
    return slot;
  }
}
