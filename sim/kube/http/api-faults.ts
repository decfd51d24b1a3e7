// Faults on demand for the simulated API server, so clients' retry, back-off and relist paths are exercised: a
// request matching a rule (by verb and resource, as RBAC names them) gets a 5xx Status, a 429 with Retry-After,
// a slow answer (delayed on the world's clock), or — for a watch — a stream that closes under it. A rule applies to
// the next N matching requests, or to each with a probability drawn from the world's seed (the same seed and
// the same requests give the same faults). `dropWatches()` closes open watch streams now, as an API server
// restart or a load balancer's idle cut does.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TimerClock } from "../../../api/index.ts";
import { requestAttributes } from "../auth/request-attributes.ts";
import { ApiError, internalError, tooManyRequests } from "../store/status.ts";

export type ApiFault =
  /** A Status with this code: 500 InternalError, 503 ServiceUnavailable, 504 Timeout, other 5xx InternalError. */
  | { type: "error"; code: number; message?: string }
  /** 429 TooManyRequests with `Retry-After` (seconds), as the API server's priority and fairness answers. */
  | { type: "throttle"; retryAfterSeconds: number }
  /** The answer is held `ms` of simulated time first. */
  | { type: "slow"; ms: number }
  /** The watch is served, then its stream ends (`end`, a clean close) or its connection resets (`reset`). */
  | { type: "drop-watch"; mode?: "end" | "reset" };

export interface ApiFaultRule {
  /** Request verbs (get, list, watch, create, update, patch, delete, deletecollection); every verb when absent. */
  verbs?: string[];
  /** Resources, with a subresource as `pods/eviction`; every resource when absent. */
  resources?: string[];
  fault: ApiFault;
  /** The next `times` matching requests… */
  times?: number;
  /** …or each matching request with this probability (drawn from the seed); always when neither is given. */
  probability?: number;
}

export interface ApiFaultHandle {
  /** Matching requests this rule has faulted so far. */
  readonly hits: number;
  remove(): void;
}

interface ActiveRule {
  rule: ApiFaultRule;
  left: number;
  hits: number;
  draws: number;
  id: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export class ApiFaults {
  readonly #seed: number;
  readonly #clock: TimerClock;
  readonly #rules: ActiveRule[] = [];
  readonly #watches = new Set<{ resource: string; res: ServerResponse }>();
  #ids = 0;

  constructor(options: { seed: number; clock: TimerClock }) {
    this.#seed = options.seed;
    this.#clock = options.clock;
  }

  /** Adds a rule; a rule that could never apply is a RangeError naming its field. */
  add(rule: ApiFaultRule): ApiFaultHandle {
    checkRule(rule);
    const active: ActiveRule = { rule, left: rule.times ?? Infinity, hits: 0, draws: 0, id: this.#ids++ };
    this.#rules.push(active);
    return {
      get hits() {
        return active.hits;
      },
      remove: () => {
        const at = this.#rules.indexOf(active);
        if (at >= 0) this.#rules.splice(at, 1);
      },
    };
  }

  clear(): void {
    this.#rules.splice(0);
  }

  /** Closes the open watch streams (of `resource` when given); returns how many. */
  dropWatches(options: { resource?: string; mode?: "end" | "reset" } = {}): number {
    let dropped = 0;
    for (const watch of [...this.#watches]) {
      if (options.resource !== undefined && watch.resource !== options.resource) continue;
      drop(watch.res, options.mode ?? "end");
      dropped++;
    }
    return dropped;
  }

  /** The handler with the plan in front of it. */
  wrap(handler: Handler): Handler {
    return (req, res) => {
      const url = new URL(req.url ?? "/", "https://sim.invalid");
      const attributes = requestAttributes(req.method ?? "GET", url);
      const verb = attributes.verb;
      const resource = attributes.resourceRequest
        ? attributes.subresource
          ? `${attributes.resource}/${attributes.subresource}`
          : attributes.resource
        : "";
      if (verb === "watch") {
        const watch = { resource, res };
        this.#watches.add(watch);
        res.on("close", () => this.#watches.delete(watch));
      }
      const fault = attributes.resourceRequest ? this.#pick(verb, resource) : undefined;
      if (!fault) return handler(req, res);
      switch (fault.type) {
        case "error":
        case "throttle": {
          req.resume();
          const error =
            fault.type === "throttle"
              ? tooManyRequests("simulated fault: too many requests, please try again later", fault.retryAfterSeconds)
              : serverError(fault.code, fault.message ?? "simulated fault");
          const headers: Record<string, string> = { "content-type": "application/json" };
          if (fault.type === "throttle") headers["retry-after"] = String(fault.retryAfterSeconds);
          res.writeHead(error.code, headers).end(JSON.stringify(error.status));
          return;
        }
        case "slow":
          void this.#clock.sleep(fault.ms).then(() => {
            if (!res.destroyed) handler(req, res);
          });
          return;
        case "drop-watch":
          handler(req, res);
          // After the handler has written the headers and the initial events.
          setImmediate(() => drop(res, fault.mode ?? "end"));
          return;
      }
    };
  }

  #pick(verb: string, resource: string): ApiFault | undefined {
    for (const active of this.#rules) {
      const { rule } = active;
      if (rule.verbs && !rule.verbs.includes(verb)) continue;
      if (rule.resources && !rule.resources.includes(resource)) continue;
      if (rule.fault.type === "drop-watch" && verb !== "watch") continue;
      if (active.left <= 0) continue;
      if (rule.probability !== undefined && this.#draw(active) >= rule.probability) continue;
      active.left--;
      active.hits++;
      return rule.fault;
    }
    return undefined;
  }

  /** A draw in [0, 1) from the seed, the rule and how many draws it made: replayable. */
  #draw(active: ActiveRule): number {
    const digest = createHash("sha256").update(`${this.#seed}/${active.id}/${active.draws++}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  }
}

function serverError(code: number, message: string): ApiError {
  if (code === 503) return new ApiError(503, "ServiceUnavailable", message);
  if (code === 504) return new ApiError(504, "Timeout", message);
  const error = internalError(message);
  error.status.code = code;
  return error;
}

function drop(res: ServerResponse, mode: "end" | "reset"): void {
  if (mode === "reset") res.socket?.destroy();
  else if (!res.writableEnded) res.end();
}

function checkRule(rule: ApiFaultRule): void {
  const { fault } = rule;
  if (fault.type === "error" && !(Number.isInteger(fault.code) && fault.code >= 500 && fault.code <= 599))
    throw new RangeError(`fault.code: Invalid value: ${fault.code}: must be a 5xx status code`);
  if (fault.type === "throttle" && !(Number.isInteger(fault.retryAfterSeconds) && fault.retryAfterSeconds >= 0))
    throw new RangeError(`fault.retryAfterSeconds: Invalid value: ${fault.retryAfterSeconds}: must be an integer ≥ 0`);
  if (fault.type === "slow" && !(fault.ms >= 0))
    throw new RangeError(`fault.ms: Invalid value: ${fault.ms}: must be ≥ 0`);
  if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times > 0))
    throw new RangeError(`times: Invalid value: ${rule.times}: must be an integer > 0`);
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1))
    throw new RangeError(`probability: Invalid value: ${rule.probability}: must be between 0 and 1`);
}
