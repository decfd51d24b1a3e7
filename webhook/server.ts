// The admission webhook's HTTPS server: express 5 on node:https. POST /validate and /mutate take an
// admission.k8s.io/v1 AdmissionReview and answer with one (the decision is the pure core's, webhook/admission/);
// GET /healthz, /readyz and /metrics are for the kubelet and Prometheus. Everything around the decision lives
// here: body limits and timeouts, the cluster view with its timeout and cache, the policy and certificate
// reloads, one log line and a few metrics per decision. A review is read as bytes under the body limit, its shape
// (depth, number of values) checked over those bytes, and parsed only once nothing is left to wait for, so it is
// judged and answered in one turn of the event loop: whatever the number of reviews in flight, at most one is a
// parsed object in memory, and none is referenced once its answer is written. Listening, the certificate's hot reload and the graceful
// shutdown are runtime/serving.ts, shared with every long-running command.
//
// Failure stance: the API server calls this with `failurePolicy: Fail`, so any non-200 answer rejects the
// request. That is the safe direction, and the reason bad input gets a precise 4xx and unexpected errors a
// generic 500 (with the details in the log), never a crash and never an "allowed" the core did not decide.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Registry } from "prom-client";
import { defaultCatalog, type InstanceTypeCatalog } from "../cloudprovider/index.ts";
import { defaultYamlLimits } from "../api/index.ts";
import { systemClock, type ClusterView, type Timer, type TimerClock } from "../api/index.ts";
import type { CompiledPolicy } from "../policies/index.ts";
import type { Finding } from "../policies/index.ts";
import {
  mutateAdmission,
  parseAdmissionReview,
  rememberedDecision,
  reviewResponse,
  validateAdmission,
  type AdmissionContext,
  type AdmissionDecision,
} from "./admission/index.ts";
import {
  certificateProblem,
  CertificateStore,
  createLogger,
  createRegistry,
  createServing,
  DEFAULT_SERVING_LIMITS,
  jsonShapeProblem,
  readRequestBody,
  tlsMetrics,
  type CertificateInfo,
  type FileWatchOptions,
  type Logger,
  type ServingLimits,
  type ServingTimeouts,
} from "../runtime/index.ts";
import { createMetrics, kindLabel, operationLabel, type WebhookMetrics } from "./metrics.ts";
import { PolicyStore, type PolicySource } from "./policy-store.ts";

/** The API server's own limit on a write request's body (3 MiB): no review it sends is larger. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Deepest nesting of maps and lists accepted in a review: an object as deep as `poolkeeper check` accepts in a
 * manifest, inside the review's two levels (review → request → object). Deeper JSON parses fine but would
 * overflow the stack of any recursive code downstream; no Karpenter object comes close.
 */
export const MAX_REVIEW_DEPTH = defaultYamlLimits.maxDepth + 2;

/**
 * Most JSON values (objects, arrays, strings, numbers, booleans, nulls) accepted in a review. A real review of a
 * NodePool or EC2NodeClass holds a few hundred, an UPDATE with managedFields a few thousand; this admits a NodePool
 * with a 50,000-value requirement, twice over on UPDATE. What it refuses is a 3 MiB body of tiny values (up to 1.5
 * million), which would cost seconds of parsing and judging and tens of MiB of heap each.
 */
export const MAX_REVIEW_VALUES = 200_000;

export interface WebhookLimits extends ServingLimits {
  /** Deepest nesting of a review (400 past it). */
  maxReviewDepth: number;
  /** Most JSON values in a review (413 past it). */
  maxReviewValues: number;
}

export const DEFAULT_LIMITS: WebhookLimits = {
  ...DEFAULT_SERVING_LIMITS,
  maxReviewDepth: MAX_REVIEW_DEPTH,
  maxReviewValues: MAX_REVIEW_VALUES,
};

export interface WebhookTimeouts extends ServingTimeouts {
  /** Longest wait for the cluster view before deciding without it. */
  clusterViewMs: number;
  /** How long a fetched cluster view is reused. */
  clusterViewCacheMs: number;
}

export const DEFAULT_TIMEOUTS: WebhookTimeouts = {
  clusterViewMs: 2_000,
  clusterViewCacheMs: 5_000,
  headersMs: 10_000,
  requestMs: 10_000,
  // Longer than the idle timeout of the API server's HTTP client (Go's 90 s): if the server closed an idle
  // connection first, the client could send its next review on it as it closes, and a POST is not retried.
  keepAliveMs: 120_000,
  handshakeMs: 10_000,
  shutdownMs: 20_000,
  checkIntervalMs: 1_000,
};

export interface WebhookServerOptions {
  /**
   * PEM files of the serving certificate (chain) and its key; reloaded when they change. With `clientCaFile`, the
   * TLS handshake requires a client certificate signed by a CA in that file (reloaded with them): only the API
   * server, configured to present one, gets to send reviews.
   */
  tls: { certFile: string; keyFile: string; clientCaFile?: string };
  /** PoolPolicy files and base preset; reloaded when the files change. */
  policy: PolicySource;
  /** Instance-type catalog; the bundled one by default. */
  catalog?: InstanceTypeCatalog;
  /** The cluster's NodePools and EC2NodeClasses, for cross-object rules; without it they warn, not deny. */
  cluster?: ClusterView;
  /**
   * The time of decisions and certificate checks, and the timers of the cluster view's timeout and cache and of the
   * shutdown deadline; the system clock by default.
   */
  clock?: TimerClock;
  /** JSON logger; one on standard output by default. */
  logger?: Logger;
  /**
   * Registry the server adds its metrics to; by default a new one with the process metrics. A registry passed in
   * is its owner's: the server adds only its own metrics (and the certificate's, shared with other servers on it).
   */
  registry?: Registry;
  timeouts?: Partial<WebhookTimeouts>;
  /** What clients may hold and send: connections, reviews in flight, a review's shape. DEFAULT_LIMITS otherwise. */
  limits?: Partial<WebhookLimits>;
  /** File watching for hot reload (debounce, poll interval), or false to reload only on request. */
  watch?: FileWatchOptions | false;
}

export interface Readiness {
  ready: boolean;
  /** Why not, one line each. */
  problems: string[];
}

export interface WebhookServer {
  /** Starts serving (and watching the files); resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Graceful shutdown: stops accepting connections and watching files, closes idle keep-alive connections,
   * lets in-flight requests finish (their responses close their connections), and after `shutdownMs` closes
   * whatever is left. Resolves when every connection is gone. Safe to call more than once.
   */
  close(): Promise<void>;
  /** Closes every connection now (a second SIGTERM during a graceful shutdown). */
  closeAllConnections(): void;
  readiness(): Readiness;
  /** Re-reads the policy files now; true when a new policy took effect. */
  reloadPolicy(): boolean;
  /** Re-reads the certificate files now; true when a new certificate took effect. */
  reloadCertificate(): boolean;
  readonly policy: CompiledPolicy;
  readonly certificate: CertificateInfo;
  readonly metrics: WebhookMetrics;
  readonly registry: Registry;
  /** The underlying node:https server. */
  readonly server: Server;
}

type Endpoint = "validate" | "mutate";

type ClusterSnapshot = NonNullable<AdmissionContext["cluster"]>;

/** How the cluster view for a decision was obtained, for the decision's log line. */
type ViewSource = "none" | "fresh" | "cached" | "unavailable";

interface ClusterViewResult {
  snapshot?: ClusterSnapshot;
  source: ViewSource;
}

/** Creates the server (loading the policy and certificate: throws PolicyFileError or TlsFileError). */
export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const timeouts: WebhookTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const limits: WebhookLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger();
  const registry = options.registry ?? createRegistry();
  const metrics = createMetrics(registry);
  const catalog = options.catalog ?? defaultCatalog();
  const policies = new PolicyStore({ ...options.policy, logger, metrics });
  const certificates = new CertificateStore({ ...options.tls, clock, logger, metrics: tlsMetrics(registry) });
  const view = new ClusterViewCache(options.cluster, timeouts, clock, logger);
  // The decision's line is built below from the request's scalar fields and rule ids: nothing in it can hold an
  // object or user data, so it skips the logger's redaction, which walks every key of every line for its wildcard
  // paths (two thirds of the line's cost). Made once; every other line keeps the redaction.
  const decisionLog = logger.child({}, { redact: { paths: [] } });

  const readiness = (): Readiness => {
    const problems: string[] = [];
    if (serving.draining) problems.push("shutting down");
    const certificate = certificateProblem(certificates.current.info, clock.now());
    if (certificate) problems.push(certificate);
    return { ready: problems.length === 0, problems };
  };

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok\n");
  });
  app.get("/readyz", (_req, res) => {
    const state = readiness();
    res
      .status(state.ready ? 200 : 503)
      .type("text/plain")
      .send(state.ready ? "ok\n" : `not ready: ${state.problems.join("; ")}\n`);
  });
  app.get("/metrics", async (_req, res) => {
    const body = await metrics.registry.metrics();
    res.type(metrics.registry.contentType).send(body);
  });

  const requireJson = (req: Request, res: Response, next: NextFunction) => {
    const type = req.is("application/json");
    if (type === null) return badInput(req.path, res, 400, "the request has no body: expected an AdmissionReview");
    if (type === false) {
      const given = req.get("content-type") ?? "none";
      const message = `unsupported Content-Type ${JSON.stringify(given)}: expected application/json`;
      return badInput(req.path, res, 415, message);
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get("content-type") ?? "")?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
      return badInput(req.path, res, 415, `unsupported charset ${JSON.stringify(charset)}: expected utf-8`);
    }
    const encoding = (req.get("content-encoding") ?? "identity").trim().toLowerCase();
    if (encoding !== "identity") {
      const close = true; // the body is not read
      const message = "unsupported Content-Encoding: send the review uncompressed";
      return badInput(req.path, res, 415, message, undefined, close);
    }
    next();
  };

  // `logged` is what the log gets when the message could quote the body (JSON.parse's messages do). `close`: the
  // body was not read, so the connection cannot carry another request.
  const badInput = (
    path: string,
    res: ServerResponse,
    status: number,
    message: string,
    logged = message,
    close = false,
  ): void => {
    metrics.requestsOf("unknown", "unknown", "error").inc();
    logger.warn({ path, status, error: logged }, "bad admission request");
    plainText(res, status, `${message}\n`, close);
  };

  // Takes node's request and response (express's extend them): the API server's reviews skip express (below).
  const admit = async (endpoint: Endpoint, path: string, req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const read = await readRequestBody(req, { maxBytes: MAX_BODY_BYTES });
    if (!read.ok) {
      // The client went away (or Node's request timeout cut it): there is no one to answer.
      if (read.why !== "too-large") return;
      const tooLarge = `request body is larger than ${MAX_BODY_BYTES} bytes, the API server's limit`;
      return badInput(path, res, 413, tooLarge, undefined, true);
    }
    const shape = jsonShapeProblem(read.body, { maxDepth: limits.maxReviewDepth, maxValues: limits.maxReviewValues });
    if (shape?.limit === "depth") {
      return badInput(path, res, 400, `the AdmissionReview is nested deeper than ${limits.maxReviewDepth} levels`);
    }
    if (shape?.limit === "values") {
      return badInput(path, res, 413, `the AdmissionReview holds more than ${limits.maxReviewValues} JSON values`);
    }
    // Anything thrown from here on is answered by `failed`: logged, and 500.
    const cluster = await view.get();
    judge(endpoint, read.body, cluster, started, path, res);
  };

  // Synchronous from parsing to answering: the parsed review exists only during this call (see the file's comment).
  const judge = (
    endpoint: Endpoint,
    body: Buffer,
    cluster: ClusterViewResult,
    started: number,
    path: string,
    res: ServerResponse,
  ): void => {
    if (body.length === 0)
      return badInput(path, res, 400, "the request has an empty body: expected an AdmissionReview");
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      // The parser's message quotes the body around the error: fine for the caller who sent it, not for logs.
      return badInput(path, res, 400, `malformed JSON: ${error.message}`, "malformed JSON");
    }
    const parsed = parseAdmissionReview(json);
    if (!parsed.ok) return badInput(path, res, 400, parsed.error);
    const request = parsed.request;
    const kind = request.kind?.kind;
    try {
      const context: AdmissionContext = {
        policy: policies.current,
        catalog,
        cluster: cluster.snapshot,
        now: clock.now(),
      };
      // A review of content already judged (a dry run, then the request) is answered from that decision.
      const decide = endpoint === "validate" ? validateAdmission : mutateAdmission;
      const decision = rememberedDecision(endpoint, request, context, () => decide(request, context));
      const review = reviewResponse(decision.response);
      const seconds = (performance.now() - started) / 1000;
      record(endpoint, request.dryRun === true, decision, seconds);
      // The decision's log line is built only when it is written (a level above info leaves it out).
      const line = () => ({
        webhook: endpoint,
        uid: request.uid,
        kind: decision.kind,
        name: decision.name,
        operation: decision.operation,
        user: request.userInfo?.username,
        allowed: decision.response.allowed,
        denied: ruleIds(decision.denied),
        warned: ruleIds(decision.warned),
        audited: ruleIds(decision.audited),
        patched: ruleIds(decision.patched),
        dryRun: request.dryRun === true,
        clusterView: cluster.source,
        durationMs: Math.round(seconds * 1e4) / 10,
      });
      // The core answers even when it fails (validate refuses with 500, mutate allows unpatched) and says why.
      if (decision.error !== undefined)
        logger.error({ ...line(), error: decision.error }, "admission failed in the core");
      else if (decisionLog.isLevelEnabled("info"))
        decisionLog.info(line(), decision.response.allowed ? "admission allowed" : "admission denied");
      // The cluster is about to change: the next decision should not judge against the view before it.
      if (decision.response.allowed && request.dryRun !== true && endpoint === "validate") view.invalidate();
      // Written in one go, not through express's res.json (which re-checks the type, converts and sets headers one
      // by one): the review is the whole answer, and Node sends headers and body in one TLS write.
      const text = JSON.stringify(review);
      res.writeHead(200, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": Buffer.byteLength(text),
      });
      res.end(text);
    } catch (error) {
      metrics.requestsOf(kindLabel(kind), operationLabel(request.operation), "error").inc();
      metrics.duration.observe((performance.now() - started) / 1000);
      logger.error(
        { webhook: endpoint, uid: request.uid, kind, name: request.name, operation: request.operation, err: error },
        "admission failed with an internal error",
      );
      if (!res.headersSent) plainText(res, 500, "internal error\n");
    }
  };

  const record = (endpoint: Endpoint, dryRun: boolean, decision: AdmissionDecision, seconds: number) => {
    const outcome = decision.error !== undefined ? "error" : decision.response.allowed ? "allowed" : "denied";
    metrics.requestsOf(kindLabel(decision.kind), operationLabel(decision.operation), outcome).inc();
    metrics.duration.observe(seconds);
    // Findings are counted once per object change: by the validating webhook, which sees the final object
    // (after mutation), and never for a dry run, which changes nothing ("record no side effects").
    if (endpoint !== "validate" || dryRun) return;
    for (const finding of decision.findings) metrics.findingsOf(finding.rule, finding.severity).inc();
  };

  for (const endpoint of ["validate", "mutate"] as const) {
    app.post(`/${endpoint}`, requireJson, (req: Request, res: Response) => admit(endpoint, req.path, req, res));
    app.all(`/${endpoint}`, (_req, res) => {
      res.status(405).set("Allow", "POST").type("text/plain").send("method not allowed: POST an AdmissionReview\n");
    });
  }

  app.use((req: Request, res: Response) => {
    res.status(404).type("text/plain").send(`not found: ${req.method} ${req.path}\n`);
  });

  // Four parameters: express's error handler. Express's own errors (a malformed URL) carry a 4xx status.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const details: { status?: unknown; message?: unknown } = typeof error === "object" && error !== null ? error : {};
    const admission = req.path === "/validate" || req.path === "/mutate";
    if (res.headersSent) return;
    if (typeof details.status === "number" && details.status >= 400 && details.status < 500) {
      const text = String(details.message);
      if (admission) return badInput(req.path, res, details.status, text);
      return res.status(details.status).type("text/plain").send(`${text}\n`);
    }
    failed(req.path, req.method, res, error);
  });

  const failed = (path: string, method: string | undefined, res: ServerResponse, error: unknown): void => {
    if (res.headersSent) return;
    if (path === "/validate" || path === "/mutate") metrics.requestsOf("unknown", "unknown", "error").inc();
    logger.error({ path, method, err: error }, "request failed with an internal error");
    plainText(res, 500, "internal error\n");
  };

  // A review as the API server sends it (k8s.io/apiserver's webhook client: a POST to the configured path, with
  // `?timeout=` appended, `Content-Type: application/json`, a Content-Length, no Content-Encoding) goes straight to
  // `admit`: express's routing and type checks would only confirm what these headers already say. Everything else
  // (another caller's odd headers, health, metrics, unknown paths) takes express's way, with the same answers.
  const handler: RequestListener = (req, res) => {
    const endpoint = apiServerReview(req);
    if (endpoint === undefined) return void app(req, res);
    admit(endpoint, `/${endpoint}`, req, res).catch((error: unknown) => failed(`/${endpoint}`, req.method, res, error));
  };

  const serving = createServing({
    handler,
    timeouts,
    limits,
    registry,
    logger,
    clock,
    certificates,
    watch: options.watch,
    logShutdown: true,
  });

  return {
    async listen(port, host) {
      const address = await serving.listen(port, host);
      if (options.watch !== false) policies.watch(options.watch ?? {});
      logger.info(
        {
          address: address.address,
          port: address.port,
          policyFiles: options.policy.files,
          preset: policies.current.preset,
          certificate: certificates.current.info.serialNumber,
          certificateNotAfter: certificates.current.info.notAfter.toISOString(),
          clientCertificates: options.tls.clientCaFile === undefined ? "not required" : "required",
          clusterView: options.cluster ? "configured" : "none (cross-object findings are warnings)",
        },
        "admission webhook listening",
      );
      return address;
    },

    close() {
      return serving.close(() => policies.close());
    },

    closeAllConnections() {
      serving.closeAllConnections();
    },

    readiness,
    reloadPolicy: () => policies.reload(),
    reloadCertificate: () => certificates.reload(),
    get policy() {
      return policies.current;
    },
    get certificate() {
      return certificates.current.info;
    },
    metrics,
    registry,
    server: serving.server,
  };
}

/** The endpoint of a review sent the way the API server sends one; undefined for anything else. */
function apiServerReview(req: IncomingMessage): Endpoint | undefined {
  if (req.method !== "POST") return undefined;
  const { headers } = req;
  if (headers["content-type"] !== "application/json" || headers["content-encoding"] !== undefined) return undefined;
  if (headers["content-length"] === undefined || headers["transfer-encoding"] !== undefined) return undefined;
  const url = req.url ?? "";
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  return path === "/validate" ? "validate" : path === "/mutate" ? "mutate" : undefined;
}

/** A plain-text answer, as express's `res.type("text/plain").send(text)` writes it, in one write. */
function plainText(res: ServerResponse, status: number, text: string, close = false): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...(close ? { Connection: "close" } : {}),
  });
  res.end(text);
}

function ruleIds(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((f) => f.rule))];
}

/**
 * The cluster view, fetched through the port with a timeout and reused briefly: a burst of reviews (a
 * `kubectl apply` of a directory) costs one pair of list calls. A failed or slow fetch is logged and the
 * decision made without a view; the core then warns about cross-object findings instead of denying.
 */
class ClusterViewCache {
  readonly #port: ClusterView | undefined;
  readonly #timeouts: WebhookTimeouts;
  readonly #clock: TimerClock;
  readonly #logger: Logger;
  #cached: { snapshot: ClusterSnapshot; at: number } | undefined;
  #pending: Promise<ClusterSnapshot | undefined> | undefined;

  constructor(port: ClusterView | undefined, timeouts: WebhookTimeouts, clock: TimerClock, logger: Logger) {
    this.#port = port;
    this.#timeouts = timeouts;
    this.#clock = clock;
    this.#logger = logger;
  }

  async get(): Promise<ClusterViewResult> {
    if (!this.#port) return { source: "none" };
    const cached = this.#cached;
    if (cached && this.#clock.now().getTime() - cached.at < this.#timeouts.clusterViewCacheMs) {
      return { snapshot: cached.snapshot, source: "cached" };
    }
    // Concurrent requests share one fetch.
    this.#pending ??= this.#fetch(this.#port).finally(() => (this.#pending = undefined));
    const snapshot = await this.#pending;
    return snapshot ? { snapshot, source: "fresh" } : { source: "unavailable" };
  }

  invalidate(): void {
    this.#cached = undefined;
  }

  async #fetch(port: ClusterView): Promise<ClusterSnapshot | undefined> {
    const started = performance.now();
    let timer: Timer | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const { clusterViewMs } = this.#timeouts;
      // A fetch still pending when the server has shut down must not keep the process alive.
      timer = this.#clock.afterFunc(clusterViewMs, () => reject(new Error(`no answer within ${clusterViewMs} ms`)));
      timer.unref();
    });
    try {
      const [nodePools, nodeClasses] = await Promise.race([
        Promise.all([port.listNodePools(), port.listNodeClasses()]),
        timeout,
      ]);
      const snapshot: ClusterSnapshot = { nodePools, nodeClasses };
      this.#cached = { snapshot, at: this.#clock.now().getTime() };
      return snapshot;
    } catch (error) {
      this.#logger.warn(
        { error: error instanceof Error ? error.message : String(error), durationMs: performance.now() - started },
        "cluster view unavailable; deciding without it (cross-object findings are warnings)",
      );
      return undefined;
    } finally {
      timer?.stop();
    }
  }
}
