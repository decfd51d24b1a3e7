// Whether this process has HTTP work under way, for tests that run poolkeeper in process against the simulated
// world on a virtual clock: the clock may move only once nothing is in flight, or a test would race the code under
// test (an action whose answer is still on its way when the deadline passes). Counted from Node's own HTTP
// diagnostics channels, client side (node:http, and undici's, which client-node's fetch uses) and server side: every
// request from start until its response ends or its socket closes — but for those that wait on purpose (Kubernetes
// watches, SQS long polls), which wait on the clock.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage, ServerResponse } from "node:http";
import { setImmediate as nextTurn } from "node:timers/promises";

const WAITS_ON_PURPOSE = [/[?&]watch=(true|1)\b/];
const SQS_LONG_POLL = "AmazonSQS.ReceiveMessage";
/** undici's request ends: the body read to its end, or an error. */
const UNDICI_DONE = ["undici:request:trailers", "undici:request:error"];

interface UndiciRequest {
  readonly path: string;
}

export class HttpQuiescence {
  readonly #inFlight = new Set<object>();
  readonly #onClient = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const target = String(request.getHeader("x-amz-target") ?? "");
    if (waitsOnPurpose(request.path, target)) return;
    this.#track(request, request);
  };
  readonly #onServer = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
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

  /** Requests under way now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /**
   * Resolves once nothing has been in flight for `turns` event-loop turns in a row (what a resolved answer sets off
   * — the next request, a watch event's handler — starts within a few turns). Fails after `maxTurns`.
   */
  async quiet(turns = 20, maxTurns = 200_000): Promise<void> {
    let calm = 0;
    for (let turn = 0; turn < maxTurns; turn++) {
      await nextTurn();
      calm = this.#inFlight.size === 0 ? calm + 1 : 0;
      if (calm >= turns) return;
    }
    throw new Error(`HTTP requests still in flight after ${maxTurns} turns: ${this.#inFlight.size}`);
  }

  close(): void {
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
