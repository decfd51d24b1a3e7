// The Cluster port (api/ports/cluster.ts) over @kubernetes/client-node: one shared informer per resource (the
// cache the controller reads), writes as REST calls through client-node's request pipeline with client-go's
// client-side rate limit, evictions with their 429 / 500 answers as outcomes, server-side apply with a field
// manager and `force`, and events de-duplicated by the EventCorrelator before they are written.
import type { KubeConfig } from "./client-node.ts";
import type { Registry } from "prom-client";
import {
  ClusterBase,
  ClusterError,
  CLUSTER_RESOURCES,
  evictionOutcome,
  systemClock,
  WATCHED_BY_DEFAULT,
  type ApplyOptions,
  type ClusterChange,
  type ClusterDeleteOptions,
  type ClusterObject,
  type ClusterObjects,
  type ClusterPatch,
  type ClusterResource,
  type ClusterWriteOptions,
  type DeleteOutcome,
  type EvictionOutcome,
  type ObjectKey,
  type TimerClock,
} from "../../api/index.ts";
import { createRegistry, type Logger } from "../../runtime/index.ts";
import { ClientRateLimiter, KARPENTER_CLIENT_RATE_LIMIT, type ClientRateLimit } from "./client-rate-limiter.ts";
import { discoverCluster, type ClusterDiscovery } from "./cluster-discovery.ts";
import { ResourceInformer } from "./informer.ts";
import { kubeClientMetrics } from "./metrics.ts";
import { clusterErrorOf, KubeRestClient, type KubeRequest } from "./rest-client.ts";
import { SharedDispatcher } from "./shared-dispatcher.ts";

export interface KubeClusterOptions {
  kubeConfig: KubeConfig;
  /** Timers (rate limit waits, retries, resync) and event times; the system clock by default. */
  clock?: TimerClock;
  /** Client-side rate limit; Karpenter's QPS 200 / burst 300 by default. */
  rateLimit?: ClientRateLimit;
  /** Re-delivery of every cached object; 0 turns it off. controller-runtime's SyncPeriod, 10 h, by default. */
  resyncPeriodMs?: number;
  /** Per-request timeout (not watches); 30 s by default. */
  requestTimeoutMs?: number;
  /** Largest response read; 64 MiB by default (a 500-object page of large pods fits). */
  maxResponseBytes?: number;
  /** Objects per list page (client-go's pager: 500). */
  pageSize?: number;
  /** The events' source component and host. */
  component?: string;
  host?: string;
  registry?: Registry;
  logger?: Logger;
}

const PATCH_CONTENT_TYPES = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
} as const;

/** /api/v1 or /apis/<group>/<version>, then the namespace when the resource has one, then the resource. */
export function collectionPath(resource: ClusterResource, namespace?: string): string {
  const { group, version, namespaced } = CLUSTER_RESOURCES[resource];
  const root = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
  const ns = namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${root}${ns}/${resource}`;
}

function objectPath(resource: ClusterResource, key: ObjectKey, subresource?: string): string {
  const sub = subresource ? `/${subresource}` : "";
  return `${collectionPath(resource, key.namespace)}/${encodeURIComponent(key.name)}${sub}`;
}

function keyOf(object: ClusterObject): ObjectKey {
  const { namespace, name } = object.metadata;
  if (!name) throw new ClusterError(422, "Invalid", "metadata.name: Required value");
  return namespace ? { namespace, name } : { name };
}

export class KubeCluster extends ClusterBase {
  readonly #options: KubeClusterOptions;
  readonly #clock: TimerClock;
  readonly #rest: KubeRestClient;
  readonly #limiter: ClientRateLimiter;
  readonly #metrics;
  readonly #informers = new Map<ClusterResource, ResourceInformer>();
  readonly #watchDispatcher = new SharedDispatcher();

  constructor(options: KubeClusterOptions) {
    const clock = options.clock ?? systemClock;
    super(clock, { component: options.component ?? "poolkeeper", ...(options.host ? { host: options.host } : {}) });
    this.#options = options;
    this.#clock = clock;
    this.#limiter = new ClientRateLimiter(options.rateLimit ?? KARPENTER_CLIENT_RATE_LIMIT, this.#clock);
    this.#metrics = kubeClientMetrics(options.registry ?? createRegistry({ processMetrics: false }));
    this.#rest = new KubeRestClient(options.kubeConfig, {
      limiter: this.#limiter,
      metrics: this.#metrics,
      timeoutMs: options.requestTimeoutMs ?? 30_000,
      maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 * 1024,
      clock: this.#clock,
    });
  }

  async start(resources: readonly ClusterResource[] = WATCHED_BY_DEFAULT) {
    const started: Promise<void>[] = [];
    for (const resource of resources) {
      if (this.#informers.has(resource)) continue;
      const informer = new ResourceInformer({
        resource,
        path: collectionPath(resource),
        kubeConfig: this.#options.kubeConfig,
        list: () => this.#listAll(resource),
        clock: this.#clock,
        limiter: this.#limiter,
        metrics: this.#metrics,
        resyncPeriodMs: this.#options.resyncPeriodMs ?? 10 * 3600_000,
        watchDispatcher: this.#watchDispatcher,
        ...(this.#options.logger ? { logger: this.#options.logger } : {}),
      });
      this.#informers.set(resource, informer);
      started.push(informer.start());
    }
    await Promise.all(started);
  }

  /** What the nodes need to join: CA bundle, version, kube-dns's ClusterIP (cluster-discovery.ts). */
  discover(options: { lookUpDns: boolean }): Promise<ClusterDiscovery> {
    return discoverCluster(this.#options.kubeConfig, this.#rest, options);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((informer) => informer.stop()));
    this.#informers.clear();
  }

  list<R extends ClusterResource>(resource: R, namespace?: string): readonly ClusterObjects[R][] {
    const objects = this.#informer(resource).list();
    const selected = namespace === undefined ? objects : objects.filter((o) => o.metadata.namespace === namespace);
    return selected as unknown as ClusterObjects[R][];
  }

  get<R extends ClusterResource>(resource: R, key: ObjectKey): ClusterObjects[R] | undefined {
    return this.#informer(resource).get(key.namespace, key.name) as ClusterObjects[R] | undefined;
  }

  onChange<R extends ClusterResource>(
    resource: R,
    handler: (change: ClusterChange<ClusterObjects[R]>) => void,
  ): () => void {
    return this.#informer(resource).onChange(handler as unknown as (change: ClusterChange<ClusterObject>) => void);
  }

  async read<R extends ClusterResource>(resource: R, key: ObjectKey): Promise<ClusterObjects[R]> {
    const response = await this.#rest.request({
      verb: "get",
      resource,
      method: "GET",
      path: objectPath(resource, key),
    });
    return response.body as ClusterObjects[R];
  }

  async create<R extends ClusterResource>(resource: R, object: ClusterObjects[R]): Promise<ClusterObjects[R]> {
    const { namespace } = object.metadata as { namespace?: string };
    const response = await this.#rest.request({
      verb: "create",
      resource,
      method: "POST",
      path: collectionPath(resource, namespace),
      body: object,
    });
    return response.body as ClusterObjects[R];
  }

  async update<R extends ClusterResource>(
    resource: R,
    object: ClusterObjects[R],
    options: ClusterWriteOptions = {},
  ): Promise<ClusterObjects[R]> {
    const response = await this.#rest.request({
      verb: "update",
      resource,
      method: "PUT",
      path: objectPath(resource, keyOf(object as unknown as ClusterObject), options.subresource),
      body: object,
    });
    return response.body as ClusterObjects[R];
  }

  async patch<R extends ClusterResource>(
    resource: R,
    key: ObjectKey,
    patch: ClusterPatch,
    options: ClusterWriteOptions = {},
  ): Promise<ClusterObjects[R]> {
    const response = await this.#rest.request({
      verb: "patch",
      resource,
      method: "PATCH",
      path: objectPath(resource, key, options.subresource),
      body: patch.patch,
      contentType: PATCH_CONTENT_TYPES[patch.type],
    });
    return response.body as ClusterObjects[R];
  }

  async apply<R extends ClusterResource>(
    resource: R,
    object: ClusterObject,
    options: ApplyOptions,
  ): Promise<ClusterObjects[R]> {
    // An apply patch is YAML; JSON is YAML. The body names apiVersion and kind, as the API server requires.
    const { version, group, kind } = CLUSTER_RESOURCES[resource];
    const body = { apiVersion: group === "" ? version : `${group}/${version}`, kind, ...object };
    const response = await this.#rest.request({
      verb: "apply",
      resource,
      method: "PATCH",
      path: objectPath(resource, keyOf(object), options.subresource),
      query: { fieldManager: options.fieldManager, ...(options.force ? { force: "true" } : {}) },
      body,
      contentType: "application/apply-patch+yaml",
    });
    return response.body as ClusterObjects[R];
  }

  async delete(resource: ClusterResource, key: ObjectKey, options: ClusterDeleteOptions = {}): Promise<DeleteOutcome> {
    const request: KubeRequest = {
      verb: "delete",
      resource,
      method: "DELETE",
      path: objectPath(resource, key),
      body: { apiVersion: "v1", kind: "DeleteOptions", ...options },
    };
    const response = await this.#rest.send(request);
    if (response.status === 404) return { outcome: "not-found" };
    if (response.status >= 400) throw clusterErrorOf(request, response);
    const body = response.body as ClusterObject & { kind?: string };
    // The server answers a Status (or the object as it was) once it is gone, the object itself while finalizers
    // hold it (deletionTimestamp set, finalizers left).
    const held = body.kind !== "Status" && body.metadata?.deletionTimestamp && (body.metadata.finalizers ?? []).length;
    return held ? { outcome: "finalizing", object: body } : { outcome: "deleted" };
  }

  /** pods/eviction (policy/v1), as Karpenter's eviction queue reads its answers (terminator/eviction.go). */
  async evict(key: ObjectKey): Promise<EvictionOutcome> {
    const request: KubeRequest = {
      verb: "create",
      resource: "pods/eviction",
      method: "POST",
      path: objectPath("pods", key, "eviction"),
      body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: key.name, namespace: key.namespace } },
    };
    const response = await this.#rest.send(request);
    const error = clusterErrorOf(request, response);
    const details = (response.body as { details?: { retryAfterSeconds?: number } } | undefined)?.details;
    const retry = details?.retryAfterSeconds ?? (Number(response.headers["retry-after"]) || undefined);
    const outcome = evictionOutcome(response.status, error.message, retry);
    if (!outcome) throw error;
    return outcome;
  }

  /** Every page of the collection (client-go's pager), read at the first page's resource version. */
  async #listAll(resource: ClusterResource): Promise<{ items: ClusterObject[]; resourceVersion: string }> {
    const items: ClusterObject[] = [];
    let continueToken: string | undefined;
    let resourceVersion: string;
    do {
      const response = await this.#rest.request({
        verb: "list",
        resource,
        method: "GET",
        path: collectionPath(resource),
        query: { limit: String(this.#options.pageSize ?? 500), continue: continueToken },
      });
      const list = response.body as {
        items?: ClusterObject[];
        metadata?: { resourceVersion?: string; continue?: string };
      };
      // A list's items carry no apiVersion / kind; the watch's do: set them so both look alike in the cache.
      const { group, version, kind } = CLUSTER_RESOURCES[resource];
      for (const item of list.items ?? []) {
        items.push({ apiVersion: group === "" ? version : `${group}/${version}`, kind, ...item });
      }
      resourceVersion = list.metadata?.resourceVersion ?? "";
      continueToken = list.metadata?.continue || undefined;
    } while (continueToken);
    return { items, resourceVersion };
  }

  #informer(resource: ClusterResource): ResourceInformer {
    const informer = this.#informers.get(resource);
    if (!informer) throw new Error(`the cluster's ${resource} are not watched: start(["${resource}"]) first`);
    return informer;
  }
}
