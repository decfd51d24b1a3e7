// One request to the Kubernetes API server through @kubernetes/client-node's own pipeline (its RequestContext,
// the kubeconfig's authentication and TLS, its fetch-based HTTP library), with what client-go's rest.Request adds:
// the client-side rate limit, a timeout, metrics, the retries after a 429 or 5xx with Retry-After
// (request-retry.ts), and the API server's Status turned into a ClusterError.
import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext, type KubeConfig } from "./client-node.ts";
import { ClusterError, type TimerClock } from "../../api/index.ts";
import type { ClientRateLimiter } from "./client-rate-limiter.ts";
import { ConnectionSlots } from "./connection-slots.ts";
import { SharedDispatcher } from "./shared-dispatcher.ts";
import type { KubeClientMetrics } from "./metrics.ts";
import { MAX_RETRIES, retryAfterConnectionError, retryAfterSeconds } from "./request-retry.ts";

export interface KubeRequest {
  /** The Kubernetes verb, for metrics: get, list, create, update, patch, delete, evict. */
  verb: string;
  /** The resource, for metrics and messages: pods, nodeclaims, pods/eviction. */
  resource: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** From the server's root: /api/v1/namespaces/default/pods. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

export interface KubeResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface RestClientOptions {
  limiter: ClientRateLimiter;
  metrics: KubeClientMetrics;
  /** Longest a request (not a watch) may take; client-go has none by default, Karpenter's manager sets none. */
  timeoutMs: number;
  /** Largest response body read; a larger one is an error rather than memory spent. */
  maxResponseBytes: number;
  /** What a Retry-After is waited on. */
  clock: TimerClock;
  /** Requests (so connections) under way at once (connection-slots.ts); DEFAULT_MAX_CONNECTIONS by default. */
  maxConnections?: number;
}

/** Enough for a controller's bursts, few enough that their TLS handshakes finish promptly on a busy machine. */
export const DEFAULT_MAX_CONNECTIONS = 32;

export class KubeRestClient {
  readonly kubeConfig: KubeConfig;
  readonly #options: RestClientOptions;
  readonly #http = new IsomorphicFetchHttpLibrary();
  readonly #server: string;
  readonly #dispatcher = new SharedDispatcher();
  readonly #slots: ConnectionSlots;

  constructor(kubeConfig: KubeConfig, options: RestClientOptions) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig: the current context names no cluster");
    this.kubeConfig = kubeConfig;
    this.#server = cluster.server.replace(/\/+$/, "");
    this.#options = options;
    this.#slots = new ConnectionSlots(options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  }

  /** Sends the request; any status ≥ 400 is thrown as a ClusterError with the server's reason and message. */
  async request(request: KubeRequest): Promise<KubeResponse> {
    const response = await this.send(request);
    if (response.status >= 400) throw clusterErrorOf(request, response);
    return response;
  }

  /**
   * Sends the request and returns whatever came back (callers that branch on codes, such as evictions), after
   * sending it again as often as the server asked and it was safe to (request-retry.ts).
   */
  async send(request: KubeRequest): Promise<KubeResponse> {
    for (let retries = 0; ; retries++) {
      let response: KubeResponse;
      try {
        response = await this.#sendOnce(request);
      } catch (error) {
        const wait = retries < MAX_RETRIES ? retryAfterConnectionError(request.method, error) : undefined;
        if (wait === undefined) throw error;
        await this.#options.clock.sleep(wait * 1000);
        continue;
      }
      const wait =
        retries < MAX_RETRIES ? retryAfterSeconds(request.method, response.status, response.headers) : undefined;
      if (wait === undefined) return response;
      await this.#options.clock.sleep(wait * 1000);
    }
  }

  async #sendOnce(request: KubeRequest): Promise<KubeResponse> {
    // The request is built once it has its turn, as client-go's rest.Request waits on its rate limiter before it
    // builds the http.Request (request.go `request`: retry.Before, then newHTTPRequest). A burst — a Nominated Event
    // for each of 1,000 pods decided at once — then waits as 1,000 small descriptions, not as 1,000 built requests
    // with their body text, headers and the undici Agent client-node makes for each (docs/performance.md, "End to
    // end": the scale-out's burst).
    await this.#options.limiter.wait();
    const release = await this.#slots.acquire();
    const labels = { verb: request.verb, resource: request.resource };
    let code = "<error>";
    let stopTimer: (() => void) | undefined;
    try {
      const url = new URL(this.#server + request.path);
      for (const [key, value] of Object.entries(request.query ?? {})) {
        if (value !== undefined) url.searchParams.set(key, value);
      }
      const context = new RequestContext(url.toString(), HttpMethod[request.method]);
      context.setHeaderParam("Accept", "application/json");
      if (request.body !== undefined) {
        context.setHeaderParam("Content-Type", request.contentType ?? "application/json");
        context.setBody(JSON.stringify(request.body));
      }
      await this.kubeConfig.applySecurityAuthentication(context);
      // client-node builds a new undici Agent (a connection pool) for every request it authenticates, so no
      // connection would ever be reused: each request would pay a TLS handshake and leave a pool behind. One pool
      // per client.
      this.#dispatcher.adopt(context);
      // The timeout counts from the request's own turn, not from its wait for one.
      context.setSignal(AbortSignal.timeout(this.#options.timeoutMs));
      stopTimer = this.#options.metrics.duration.startTimer(labels);
      const response = await this.#http.send(context).toPromise();
      code = String(response.httpStatusCode);
      const text = await response.body.text();
      if (Buffer.byteLength(text) > this.#options.maxResponseBytes) {
        throw new Error(
          `${request.verb} ${request.resource}: the response is larger than ${this.#options.maxResponseBytes} bytes`,
        );
      }
      return { status: response.httpStatusCode, body: parseJson(text), headers: response.headers };
    } catch (error) {
      if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
        throw new ClusterError(
          504,
          "Timeout",
          `${request.verb} ${request.resource}: no response from the API server within ${this.#options.timeoutMs} ms`,
        );
      }
      throw error;
    } finally {
      release();
      stopTimer?.();
      // A request that failed before it was sent (its authentication) is counted as an error too.
      this.#options.metrics.requests.inc({ ...labels, code });
    }
  }
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** metav1.Status → ClusterError, keeping the server's words (they name the object and what was wrong). */
export function clusterErrorOf(request: KubeRequest, response: KubeResponse): ClusterError {
  const status = response.body as { reason?: unknown; message?: unknown } | undefined;
  const reason = typeof status?.reason === "string" ? status.reason : "";
  const message =
    typeof status?.message === "string" && status.message !== ""
      ? status.message
      : `${request.verb} ${request.resource}: the API server answered ${response.status}`;
  return new ClusterError(response.status, reason, message);
}
