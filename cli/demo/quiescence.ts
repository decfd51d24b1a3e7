// Whether this process has work under way, for a virtual clock that must move only once nothing is in flight
// (`poolkeeper demo`, and the tests that run poolkeeper in process against the simulated world): otherwise the
// clock would race the code it drives (an action whose answer is still on its way when the deadline passes).
// Counted from Node's own HTTP diagnostics channels, client side (node:http, and undici's, which client-node's fetch
// uses) and server side — every request from start until its response ends or its socket closes, but for those
// that wait on purpose (Kubernetes watches, SQS long polls), which wait on the clock —, from the bytes on their way
// between two ends of this process (loopback-transit.ts: what a server writes into a watch or a long poll is work
// until its client has read it), and from the event loop's active handles: a file-system request (isomorphic-git reading packs, the status writer) or a child process (git's
// http-backend, the clone child, kubectl) under way is work too, and none of them is HTTP while it runs; so is a
// pending setImmediate (CPU work in slices between two of them).
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage, ServerResponse } from "node:http";
import { setImmediate as nextTurn, setTimeout as wallDelay } from "node:timers/promises";
import { LoopbackTransit } from "./loopback-transit.ts";

const WAITS_ON_PURPOSE = [/[?&]watch=(true|1)\b/];
const SQS_LONG_POLL = "AmazonSQS.ReceiveMessage";
/** undici's request ends: the body read to its end, or an error. */
const UNDICI_DONE = ["undici:request:trailers", "undici:request:error"];
/**
 * process.getActiveResourcesInfo()'s names for a file-system request, a running child process, and a pending
 * setImmediate: work that yields to the event loop to go on at once (runtime's runInSlices, in which the Git gate
 * judges a commit) is under way between its slices, and an immediate is never a wait. The quiescence's own turns are
 * immediates too, but `busy` is read from within one, never while its own is pending.
 */
const BUSY_RESOURCES = new Set(["FSReqCallback", "FSReqPromise", "ProcessWrap", "Immediate"]);

interface UndiciRequest {
  readonly path: string;
}

export class Quiescence {
  readonly #inFlight = new Set<object>();
  readonly #transit = new LoopbackTransit();
  readonly #onClient = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const target = String(request.getHeader("x-amz-target") ?? "");
    if (waitsOnPurpose(request.path, target)) return;
    this.#track(request, request);
  };
  readonly #onServer = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    this.#transit.requestArrived(request.socket);
    if (waitsOnPurpose(request.url ?? "", String(request.headers["x-amz-target"] ?? ""))) return;
    this.#track(response, response);
  };

  readonly #onUndiciCreate = (message: unknown) => {
    const request = (message as { request: UndiciRequest }).request;
    if (waitsOnPurpose(request.path, "")) return;
    this.#inFlight.add(request);
  };
  readonly #onUndiciDone = (message: unknown) => {
    this.#inFlight.delete((message as { request: UndiciRequest }).request);
  };

  constructor() {
    subscribe("http.client.request.start", this.#onClient);
    subscribe("http.server.request.start", this.#onServer);
    subscribe("undici:request:create", this.#onUndiciCreate);
    for (const done of UNDICI_DONE) subscribe(done, this.#onUndiciDone);
  }

  /** HTTP requests under way now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** HTTP requests, bytes between this process's sockets, file-system requests and child processes under way now. */
  get busy(): number {
    let busy = this.#inFlight.size + this.#transit.inTransit;
    for (const resource of process.getActiveResourcesInfo()) if (BUSY_RESOURCES.has(resource)) busy++;
    return busy;
  }

  /**
   * Resolves once nothing has been under way for `turns` event-loop turns in a row (what a resolved answer sets off
   * — the next request, a watch event's handler — starts within a few turns). While something is, it looks again
   * every millisecond rather than spinning the event loop. Fails after `limitMs` of wall time busy: a hang guard.
   */
  async quiet(turns = 20, limitMs = 10 * 60_000): Promise<void> {
    const started = performance.now();
    let calm = 0;
    while (calm < turns) {
      if (this.busy === 0) {
        calm++;
        await nextTurn();
        continue;
      }
      calm = 0;
      if (performance.now() - started > limitMs)
        throw new Error(`work still under way after ${limitMs / 1000} s: ${this.busy} request(s) or process(es)`);
      await wallDelay(1);
    }
  }

  close(): void {
    this.#transit.close();
    unsubscribe("http.client.request.start", this.#onClient);
    unsubscribe("http.server.request.start", this.#onServer);
    unsubscribe("undici:request:create", this.#onUndiciCreate);
    for (const done of UNDICI_DONE) unsubscribe(done, this.#onUndiciDone);
  }

  #track(key: object, emitter: { once(event: "close", listener: () => void): unknown }): void {
    this.#inFlight.add(key);
    emitter.once("close", () => this.#inFlight.delete(key));
  }
}

function waitsOnPurpose(path: string, target: string): boolean {
  return target === SQS_LONG_POLL || WAITS_ON_PURPOSE.some((pattern) => pattern.test(path));
}
