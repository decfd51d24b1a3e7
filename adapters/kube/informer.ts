// A shared informer for one resource: client-node's ListWatch (list, then watch from the list's resourceVersion;
// a 410 Gone, in the response or as an ERROR event, clears the version so the next round relists, and the relist
// reports as deleted what vanished meanwhile; a watch the server or the network ends is resumed from the last
// version seen) with what client-go's reflector and shared informer add around it:
// - a failed list or watch is retried with backoff on the TimerClock (client-node's ListWatch stops on them);
// - the cache the controller reads is kept here, so each change carries the previous object;
// - periodic resync re-delivers every cached object as an update (client-go's resyncPeriod);
// - `synced` resolves once the first list is in the cache (WaitForCacheSync).
import { ListWatch, Watch, type KubeConfig, type KubernetesObject } from "./client-node.ts";
import type { ClusterChange, ClusterObject, Timer, TimerClock } from "../../api/index.ts";
import type { Logger } from "../../runtime/index.ts";
import type { KubeClientMetrics } from "./metrics.ts";
import type { ClientRateLimiter } from "./client-rate-limiter.ts";
import type { SharedDispatcher } from "./shared-dispatcher.ts";

export interface InformerOptions {
  resource: string;
  /** The collection's path: /api/v1/pods, /apis/karpenter.sh/v1/nodeclaims. */
  path: string;
  kubeConfig: KubeConfig;
  /** Lists every page of the collection. */
  list: () => Promise<{ items: ClusterObject[]; resourceVersion: string }>;
  clock: TimerClock;
  limiter: ClientRateLimiter;
  metrics: KubeClientMetrics;
  resyncPeriodMs: number;
  /** The connection pool every watch of the client shares; a pool per watch without it (client-node's way). */
  watchDispatcher?: SharedDispatcher;
  logger?: Logger;
}

/** client-go's reflector backoff: 800 ms doubling to 30 s (NewExponentialBackoffManager), here from 1 s. */
const BACKOFF_INITIAL_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

type Handler = (change: ClusterChange<ClusterObject>) => void;

function keyOf(object: ClusterObject): string {
  return `${object.metadata.namespace ?? ""}/${object.metadata.name ?? ""}`;
}

/**
 * The watch requests of one informer: rate-limited, counted, and the first one marks the cache as synced. Every
 * watch of the client goes through one connection pool (shared-dispatcher.ts): client-node's Watch otherwise builds
 * a new HTTP agent, so a new TLS context, for each watch it opens — about a second of the controller's CPU in the e2e
 * bench while watches reconnected to a loaded API server.
 */
class InformerWatch extends Watch {
  readonly #informer: ResourceInformer;
  constructor(config: KubeConfig, informer: ResourceInformer) {
    super(informer.options.watchDispatcher?.kubeConfig(config) ?? config);
    this.#informer = informer;
  }
  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    // ListWatch calls this once the list (if any) is in its cache and delivered.
    this.#informer.markSynced();
    await this.#informer.options.limiter.wait();
    const labels = { verb: "watch", resource: this.#informer.options.resource };
    const metrics = this.#informer.options.metrics;
    // Counted once the server has answered: 200 when the stream opened, else the refusal's code.
    let counted = false;
    const count = (code: string): void => {
      if (counted) return;
      counted = true;
      metrics.requests.inc({ ...labels, code });
    };
    const onDone = (err: unknown): void => {
      const code = (err as { statusCode?: number } | null)?.statusCode;
      count(code ? String(code) : err ? "<error>" : "200");
      done(err);
    };
    const controller = await super.watch(path, { ...queryParams, allowWatchBookmarks: true }, callback, onDone);
    count("200");
    return controller;
  }
}

export class ResourceInformer {
  readonly options: InformerOptions;
  readonly #objects = new Map<string, ClusterObject>();
  readonly #handlers = new Set<Handler>();
  readonly #listWatch: ListWatch<KubernetesObject>;
  readonly #synced: Promise<void>;
  #resolveSynced: () => void = () => {};
  #rejectSynced: (error: unknown) => void = () => {};
  #isSynced = false;
  #stopped = false;
  #backoffMs = BACKOFF_INITIAL_MS;
  #retry: Timer | undefined;
  #resync: Timer | undefined;

  constructor(options: InformerOptions) {
    this.options = options;
    this.#synced = new Promise((resolve, reject) => {
      this.#resolveSynced = resolve;
      this.#rejectSynced = reject;
    });
    this.#synced.catch(() => {});
    const delayFn = (ms: number): Promise<void> => new Promise((resolve) => options.clock.afterFunc(ms, resolve));
    this.#listWatch = new ListWatch(
      options.path,
      new InformerWatch(options.kubeConfig, this),
      async () => {
        const { items, resourceVersion } = await options.list();
        return { metadata: { resourceVersion }, items } as never;
      },
      false,
      undefined,
      undefined,
      { delayFn },
    );
    this.#listWatch.on("add", (object) => this.#apply("added", object as ClusterObject));
    this.#listWatch.on("update", (object) => this.#apply("updated", object as ClusterObject));
    this.#listWatch.on("delete", (object) => this.#apply("deleted", object as ClusterObject));
    this.#listWatch.on("error", (error) => this.#failed(error));
  }

  /** Starts listing and watching; resolves once the first list is in the cache. */
  start(): Promise<void> {
    void this.#listWatch.start();
    if (this.options.resyncPeriodMs > 0) this.#armResync();
    return this.#synced;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#retry?.stop();
    this.#resync?.stop();
    await this.#listWatch.stop();
  }

  get hasSynced(): boolean {
    return this.#isSynced;
  }

  list(): ClusterObject[] {
    return [...this.#objects.values()];
  }

  get(namespace: string | undefined, name: string): ClusterObject | undefined {
    return this.#objects.get(`${namespace ?? ""}/${name}`);
  }

  onChange(handler: Handler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  markSynced(): void {
    this.#backoffMs = BACKOFF_INITIAL_MS;
    if (this.#isSynced) return;
    this.#isSynced = true;
    this.#resolveSynced();
  }

  #apply(type: "added" | "updated" | "deleted", object: ClusterObject): void {
    const key = keyOf(object);
    const previous = this.#objects.get(key);
    let change: ClusterChange<ClusterObject>;
    if (type === "deleted") {
      this.#objects.delete(key);
      change = { type, object };
    } else {
      this.#objects.set(key, object);
      change = previous ? { type: "updated", object, previous } : { type: "added", object };
    }
    for (const handler of this.#handlers) handler(change);
  }

  /** ListWatch gave up on an error other than 410: try again after the backoff (from the last version seen). */
  #failed(error: unknown): void {
    if (this.#stopped) return;
    const { statusCode, code: errorCode } = (error ?? {}) as { statusCode?: unknown; code?: unknown };
    const code = typeof statusCode === "number" ? statusCode : typeof errorCode === "number" ? errorCode : undefined;
    const message = (error as Error | undefined)?.message ?? String(error);
    this.options.logger?.warn({ resource: this.options.resource, code, error: message }, "list or watch failed");
    // Before the first list, a refusal that a retry cannot change (no access, no such resource) ends the start.
    if (!this.#isSynced && (code === 401 || code === 403 || code === 404)) {
      this.#rejectSynced(error);
      return;
    }
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, BACKOFF_MAX_MS);
    this.#retry = this.options.clock.afterFunc(delay, () => {
      if (!this.#stopped) void this.#listWatch.start();
    });
  }

  #armResync(): void {
    this.#resync = this.options.clock.afterFunc(this.options.resyncPeriodMs, () => {
      if (this.#stopped) return;
      for (const object of this.#objects.values()) {
        const change: ClusterChange<ClusterObject> = { type: "updated", object, previous: object, resync: true };
        for (const handler of this.#handlers) handler(change);
      }
      this.#armResync();
    });
  }
}
