// The API server's max-in-flight filter (k8s.io/apiserver pkg/server/filters/maxinflight.go, WithMaxInFlightLimit
// and tooManyRequests): mutating requests past --max-mutating-requests-inflight (200) and others past
// --max-requests-inflight (400) are answered 429 with `Retry-After: 1` and its plain-text words, long-running ones
// (watches) never counted. The connection stays open — the unread body is discarded, as Go's server does for a
// small one — so a client reads the 429 and may retry, where a refusal that closed the connection would reach it
// as a network error. Upstream lets system:masters through; the simulator does not, so that clients holding the
// admin token (most tests and the demo) meet the throttling a service account would.
import type { IncomingMessage, ServerResponse } from "node:http";
import { requestAttributes } from "../auth/request-attributes.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface InFlightLimits {
  /** --max-requests-inflight: get, list (and other reads) at once. */
  nonMutating: number;
  /** --max-mutating-requests-inflight: create, update, patch, delete at once. */
  mutating: number;
}

/** kube-apiserver's defaults. */
export const API_SERVER_IN_FLIGHT_LIMITS: InFlightLimits = { nonMutating: 400, mutating: 200 };

/** Upstream's nonMutatingRequestVerbs. */
const NON_MUTATING_VERBS = new Set(["get", "list", "watch"]);
const RETRY_AFTER_SECONDS = "1";
const TOO_MANY_REQUESTS = "Too many requests, please try again later.\n";

export interface InFlightFilter {
  readonly handler: Handler;
  /** Requests answered 429 so far. */
  refused(): number;
  /** Resolves once `count` requests in all have been answered 429 (an event for tests to wait on). */
  untilRefused(count: number): Promise<void>;
}

export function withMaxInFlightLimit(handler: Handler, limits: InFlightLimits): InFlightFilter {
  const inFlight = { mutating: 0, nonMutating: 0 };
  let refused = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const filtered: Handler = (req, res) => {
    const { verb } = requestAttributes(req.method ?? "GET", new URL(req.url ?? "/", "https://sim.invalid"));
    if (verb === "watch") return handler(req, res);
    const bucket = NON_MUTATING_VERBS.has(verb) ? "nonMutating" : "mutating";
    if (inFlight[bucket] >= limits[bucket]) {
      refused++;
      for (const waiter of waiters.filter((w) => w.count <= refused)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      req.resume();
      res
        .writeHead(429, {
          "retry-after": RETRY_AFTER_SECONDS,
          "content-type": "text/plain; charset=utf-8",
          "x-content-type-options": "nosniff",
        })
        .end(TOO_MANY_REQUESTS);
      return;
    }
    inFlight[bucket]++;
    res.once("close", () => inFlight[bucket]--);
    handler(req, res);
  };
  return {
    handler: filtered,
    refused: () => refused,
    untilRefused: (count) =>
      count <= refused ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
  };
}
