// The HTTP(S) endpoint of `poolkeeper sync`: POST /hooks/git takes GitHub and GitLab push webhooks and, once one
// is verified (gitops/push-hook.ts) and names the followed branch, asks the controller to sync now instead of at
// its next poll; GET /healthz, /readyz and /metrics are for the kubelet and Prometheus.
//
// Plain node:http(s) rather than express: the one real route needs the raw body bytes (the signature covers them),
// read under a size cap and a deadline, and answered 413 without taking in the rest. Everything here is
// reachable from the internet before authentication, so nothing an unverified request sends is trusted or logged:
// the log line per delivery carries the provider, a delivery id that passes a strict pattern, and the result.
// A missed or refused delivery costs nothing but latency: the controller still polls. Listening, TLS with its hot
// reload and the graceful shutdown are runtime/serving.ts, as for the admission webhook.
import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, type Registry } from "prom-client";
import { systemClock, type TimerClock } from "../api/index.ts";
import {
  CertificateStore,
  createServing,
  readRequestBody,
  sharedMetric,
  SourceRateLimiter,
  throttledLog,
  tlsMetrics,
  type FileWatchOptions,
  type Logger,
  type RateLimit,
  type ServingLimits,
  type ServingTimeouts,
} from "../runtime/index.ts";
import { branchOf, verifyPushHook } from "./push-hook.ts";

export const HOOK_PATH = "/hooks/git";

/** Default body limit: a push payload is a few KiB, tens with many commits; GitHub itself caps at 25 MB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Deliveries per client address: 20 at once, then one every 3 s (20 a minute). A busy repository's pushes, every
 * branch's included, stay under it; past it a delivery costs its sender a 429 and this server nothing, not even
 * the signature check over its body. Deliveries that are refused lose nothing but latency: syncs coalesce, and the
 * next accepted delivery or poll finds the head.
 */
export const DEFAULT_HOOK_RATE_LIMIT: RateLimit = { perSecond: 1 / 3, burst: 20 };

export interface HookServerTimeouts extends ServingTimeouts {
  /** Time the handler waits for the body once the headers are in (408 after): the deadline this module owns. */
  bodyMs: number;
}

export const DEFAULT_HOOK_TIMEOUTS: HookServerTimeouts = {
  headersMs: 10_000,
  requestMs: 15_000,
  // Shorter than requestMs, so a slow body gets this module's 408 (logged) rather than Node's silent one.
  bodyMs: 10_000,
  keepAliveMs: 5_000,
  handshakeMs: 10_000,
  // A delivery is answered within bodyMs of its headers; nothing in flight takes longer.
  shutdownMs: 10_000,
  checkIntervalMs: 1_000,
};

export type HookProvider = "github" | "gitlab";

export interface PushNotice {
  provider: HookProvider;
  branch?: string;
  deliveryId?: string;
}

export interface HookServerOptions {
  /** Branch the controller follows: a verified push to another branch is acknowledged and ignored. */
  branch: string;
  githubSecret?: string;
  gitlabToken?: string;
  /**
   * Called for a verified push to `branch` (or one whose payload names no branch). Must not throw; returns
   * quickly (it only schedules a sync).
   */
  onPush: (push: PushNotice) => void;
  /**
   * /readyz answers 200 when this returns true (the controller holds a desired state), 503 otherwise, saying why
   * when it returns the reason instead of false.
   */
  ready: () => boolean | string;
  /**
   * Prometheus registry whose metrics /metrics serves (the controller's): the server adds its deliveries counter
   * and, with TLS, the certificate's metrics to it.
   */
  registry: Registry;
  logger: Logger;
  /** Serve HTTPS with this pair (reloaded on change, as the admission webhook does); plain HTTP when absent. */
  tls?: { certFile: string; keyFile: string };
  /** The time of certificate checks (expiry at load and reload) and the timers of the body and shutdown deadlines. */
  clock?: TimerClock;
  /** Largest accepted body, default 1 MiB (GitHub caps payloads at 25 MB but a push payload is small). */
  maxBodyBytes?: number;
  timeouts?: Partial<HookServerTimeouts>;
  /** Open connections and deliveries in flight (DEFAULT_SERVING_LIMITS where not given). */
  limits?: Partial<ServingLimits>;
  /** Deliveries per client address (DEFAULT_HOOK_RATE_LIMIT by default), or false for none. */
  rateLimit?: RateLimit | false;
  /** How the certificate files are watched (debounce, poll interval), or false to never reload them. */
  watch?: FileWatchOptions | false;
}

export interface HookServer {
  /** Starts serving (and watching the certificate files); resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Graceful shutdown: stops accepting connections, closes idle keep-alive ones, lets in-flight requests finish
   * (their responses close their connections) and after `shutdownMs` closes whatever is left. Resolves when every
   * connection is gone. Safe to call more than once.
   */
  close(): Promise<void>;
  /** Closes every connection now (a second SIGTERM during a graceful shutdown). */
  closeAllConnections(): void;
}

/** The `result` label of the deliveries counter: a closed set, whatever the request says. */
export type DeliveryResult =
  | "accepted"
  | "ignored"
  | "unauthorized"
  | "bad-request"
  | "too-large"
  | "unsupported-media-type"
  | "ping"
  | "rate-limited";

const DELIVERY_RESULTS: readonly DeliveryResult[] = [
  "accepted",
  "ignored",
  "unauthorized",
  "bad-request",
  "too-large",
  "unsupported-media-type",
  "ping",
  "rate-limited",
];

const DELIVERIES_METRIC = "poolkeeper_gitops_hook_deliveries_total";

/** At most one log line per this long for deliveries refused by the rate limit. */
const RATE_LIMITED_LOG_INTERVAL_MS = 10_000;

/** Delivery ids are GUIDs (GitHub) or UUIDs (GitLab); anything else is not echoed into logs or callbacks. */
const DELIVERY_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type BodyKind = "json" | "form";

interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** Not counted when absent: a request that never became a delivery (timed out, wrong method). */
  result?: DeliveryResult;
  /** Close the connection after answering: the rest of the request was not read. */
  close?: boolean;
  headers?: Record<string, string>;
}

/** An answer to a delivery, with what its log line needs. */
interface Outcome extends Answer {
  /** The verified provider (absent before verification). */
  provider?: HookProvider;
  branch?: string;
  /** Why it was refused or ignored (never quotes a secret). */
  reason?: string;
}

/** Creates the server (loading the certificate when `tls` is given: throws TlsFileError). */
export function createHookServer(options: HookServerOptions): HookServer {
  const timeouts: HookServerTimeouts = { ...DEFAULT_HOOK_TIMEOUTS, ...options.timeouts };
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const clock = options.clock ?? systemClock;
  const logger = options.logger.child({ component: "gitops-hook" });
  const deliveries = deliveriesCounter(options.registry);
  const limiter =
    options.rateLimit === false
      ? undefined
      : new SourceRateLimiter(options.rateLimit ?? DEFAULT_HOOK_RATE_LIMIT, clock);
  let limitedSource: string | undefined;
  const logLimited = throttledLog(clock, RATE_LIMITED_LOG_INTERVAL_MS, (leftOut) =>
    logger.warn({ remoteAddress: limitedSource, notLogged: leftOut }, "git webhook delivery refused: rate limit"),
  );
  const certificates = options.tls
    ? new CertificateStore({ ...options.tls, clock, logger, metrics: tlsMetrics(options.registry) })
    : undefined;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?", 1)[0];
    const fetching = req.method === "GET" || req.method === "HEAD";
    if (path === HOOK_PATH) {
      if (req.method !== "POST") {
        return reply(res, {
          status: 405,
          headers: { Allow: "POST" },
          body: { error: `method not allowed: POST a push webhook to ${HOOK_PATH}` },
        });
      }
      return reply(res, await delivery(req));
    }
    if (fetching && path === "/healthz") return text(res, 200, "ok\n");
    if (fetching && path === "/readyz") {
      if (serving.draining) return text(res, 503, "not ready: shutting down\n");
      const ready = options.ready();
      if (ready === true) return text(res, 200, "ok\n");
      return text(res, 503, `not ready: ${ready === false ? "no desired state yet" : ready}\n`);
    }
    if (fetching && path === "/metrics") {
      const body = await options.registry.metrics();
      res.writeHead(200, { "Content-Type": options.registry.contentType });
      res.end(body);
      return;
    }
    // Not the raw path in the answer: it is the client's own, but keeps the response free of reflected input.
    return text(res, 404, "not found\n");
  };

  const delivery = async (req: http.IncomingMessage): Promise<Outcome> => {
    // Before anything else, the body included: a refused delivery costs nothing but this answer, and a flood of
    // them is one log line per interval (the counter has them all).
    const limited = limiter?.take(req.socket.remoteAddress);
    if (limited?.allowed === false) {
      deliveries.inc({ result: "rate-limited" });
      limitedSource = req.socket.remoteAddress;
      logLimited();
      return {
        status: 429,
        result: "rate-limited",
        close: true,
        headers: { "Retry-After": String(limited.retryAfterSeconds) },
        body: { error: "too many deliveries from this address; retry later" },
      };
    }
    const claimed = claimedProvider(req.headers);
    const deliveryId = deliveryIdOf(req.headers);
    const answer = await decide(req, deliveryId);
    if (answer.result !== undefined) {
      deliveries.inc({ result: answer.result });
      const line = {
        provider: answer.provider ?? claimed,
        deliveryId,
        result: answer.result,
        status: answer.status,
        ...(answer.branch === undefined ? {} : { branch: answer.branch }),
        ...(answer.reason === undefined ? {} : { reason: answer.reason }),
      };
      if (answer.status < 300) logger.info(line, "git webhook delivery");
      else logger.warn(line, "git webhook delivery refused");
    } else {
      logger.warn(
        { provider: claimed, deliveryId, status: answer.status, reason: answer.reason },
        "git webhook delivery failed",
      );
    }
    return answer;
  };

  const decide = async (req: http.IncomingMessage, deliveryId: string | undefined): Promise<Outcome> => {
    const refuse = (status: number, result: DeliveryResult | undefined, reason: string, close = false): Outcome => ({
      status,
      result,
      reason,
      close,
      body: { error: reason },
    });
    const encoding = (headerValue(req.headers["content-encoding"]) ?? "identity").trim().toLowerCase();
    if (encoding !== "identity") {
      return refuse(415, "unsupported-media-type", "unsupported Content-Encoding: send the payload uncompressed", true);
    }
    const kind = bodyKind(headerValue(req.headers["content-type"]));
    if (kind === undefined) {
      return refuse(
        415,
        "unsupported-media-type",
        "unsupported Content-Type: expected application/json or application/x-www-form-urlencoded",
        true,
      );
    }
    const tooLarge = `the request body is larger than ${maxBodyBytes} bytes`;
    const read = await readRequestBody(req, { maxBytes: maxBodyBytes, timeoutMs: timeouts.bodyMs, clock });
    if (!read.ok) {
      if (read.why === "too-large") return refuse(413, "too-large", tooLarge, true);
      if (read.why === "timeout")
        return refuse(408, undefined, `the request body took longer than ${timeouts.bodyMs} ms`, true);
      return refuse(400, undefined, "the client went away before sending the whole body", true);
    }
    const verified = verifyPushHook({
      headers: req.headers,
      body: read.body,
      githubSecret: options.githubSecret,
      gitlabToken: options.gitlabToken,
    });
    if (!verified.ok)
      return refuse(verified.status, verified.status === 401 ? "unauthorized" : "bad-request", verified.reason);
    const provider = verified.provider;
    if (provider === "github" && headerValue(req.headers["x-github-event"]) === "ping") {
      return { status: 200, result: "ping", provider, body: { status: "pong" } };
    }
    // Verified: from here on the sender holds the secret, but a malformed payload is still refused, not guessed at.
    const payload = payloadOf(read.body, kind);
    if (typeof payload === "string") return { ...refuse(400, "bad-request", payload), provider };
    const branch = branchOf(payload);
    if (branch !== undefined && branch !== options.branch) {
      const reason = `push to ${branch}, following ${options.branch}`;
      return { status: 200, result: "ignored", provider, branch, reason, body: { status: "ignored", reason } };
    }
    const notice: PushNotice = { provider };
    if (branch !== undefined) notice.branch = branch;
    if (deliveryId !== undefined) notice.deliveryId = deliveryId;
    options.onPush(notice);
    return { status: 202, result: "accepted", provider, branch, body: { status: "sync scheduled" } };
  };

  const reply = (res: http.ServerResponse, answer: Answer) => {
    const body = `${JSON.stringify(answer.body)}\n`;
    const headers: Record<string, string | number> = {
      ...answer.headers,
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": Buffer.byteLength(body),
    };
    if (answer.close) headers["Connection"] = "close";
    res.writeHead(answer.status, headers);
    res.end(body);
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      // The one id that ties the client's 500 to this log line; the error itself stays in the log.
      const incident = randomUUID();
      logger.error(
        { err: error, path: (req.url ?? "/").split("?", 1)[0], incident },
        "request failed with an internal error",
      );
      if (res.headersSent) res.destroy();
      else reply(res, { status: 500, body: { error: `internal error (${incident})` }, close: true });
    });
  };

  const serving = createServing({
    handler: listener,
    timeouts,
    limits: options.limits,
    logger,
    registry: options.registry,
    clock,
    certificates,
    watch: options.watch,
  });

  return {
    async listen(port, host) {
      const address = await serving.listen(port, host);
      logger.info(
        {
          address: address.address,
          port: address.port,
          tls: certificates !== undefined,
          branch: options.branch,
          github: nonEmpty(options.githubSecret),
          gitlab: nonEmpty(options.gitlabToken),
        },
        "git webhook endpoint listening",
      );
      return address;
    },

    close() {
      return serving.close();
    },

    closeAllConnections() {
      serving.closeAllConnections();
    },
  };
}

/**
 * The counter, registered into the controller's registry with every result at 0 (so a rate exists before the
 * first delivery of a kind). A second server on the same registry (a restart in tests) shares the counter.
 */
function deliveriesCounter(registry: Registry): Counter<"result"> {
  const counter = sharedMetric(
    registry,
    DELIVERIES_METRIC,
    () =>
      new Counter({
        name: DELIVERIES_METRIC,
        help: "Git webhook deliveries to /hooks/git, by result.",
        labelNames: ["result"],
        registers: [registry],
      }),
  );
  for (const result of DELIVERY_RESULTS) counter.inc({ result }, 0);
  return counter;
}

/** The media type, parameters (charset) aside; undefined when it is neither of the two a webhook sends. */
function bodyKind(contentType: string | undefined): BodyKind | undefined {
  const type = contentType?.split(";", 1)[0]?.trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  return undefined;
}

/**
 * The JSON payload's bytes: the body itself, or the `payload` field of a form-encoded body (GitHub's other
 * content type, signed over the encoded bytes like the JSON one). A string is why there is none.
 */
function payloadOf(body: Buffer, kind: BodyKind): Uint8Array | string {
  let bytes: Uint8Array = body;
  if (kind === "form") {
    const fields = new URLSearchParams(utf8(body) ?? "").getAll("payload");
    if (fields.length !== 1 || fields[0] === undefined) return "the form body has no single payload field";
    bytes = Buffer.from(fields[0], "utf8");
  }
  const text = utf8(bytes);
  if (text === undefined) return "the payload is not UTF-8";
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return bytes;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error; // falls through: the parser's message would quote the payload
  }
  return "the payload is not a JSON object";
}

function utf8(bytes: Uint8Array): string | undefined {
  return isUtf8(bytes) ? new TextDecoder().decode(bytes) : undefined;
}

/** Who the request says it is from, before anything is verified: for the log line of a refused delivery. */
function claimedProvider(headers: http.IncomingHttpHeaders): HookProvider | "unknown" {
  const names = Object.keys(headers);
  const github = names.some((name) => name === "x-hub-signature-256" || name.startsWith("x-github-"));
  const gitlab = names.some((name) => name.startsWith("x-gitlab-"));
  if (github === gitlab) return "unknown";
  return github ? "github" : "gitlab";
}

function deliveryIdOf(headers: http.IncomingHttpHeaders): string | undefined {
  const id = headerValue(headers["x-github-delivery"]) ?? headerValue(headers["x-gitlab-event-uuid"]);
  return id !== undefined && DELIVERY_ID.test(id) ? id : undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function nonEmpty(secret: string | undefined): boolean {
  return secret !== undefined && secret !== "";
}

function text(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
