// The Cluster port (api/ports/cluster.ts) in process, over the simulated world's ObjectStore, for fast tests of
// code written against the port. It behaves as adapters/kube does against the served API: a cache per resource
// filled by a list and kept by a watch, changes delivered after the write that made them (on a microtask, as an
// informer delivers them after the request), writes through the same store calls, server-side apply and subresource
// actions the HTTP surface uses, refusals as ClusterErrors with the API server's codes and reasons.
import {
  ClusterBase,
  ClusterError,
  CLUSTER_RESOURCES,
  evictionOutcome,
  WATCHED_BY_DEFAULT,
  apiVersionOfResource,
  type ApplyOptions,
  type Clock,
  type Timer,
  type TimerClock,
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
} from "../../api/index.ts";
import { applyManager, serverSideApply } from "../kube/apply/store-apply.ts";
import { applyPatch, PATCH_TYPES } from "../kube/http/patch.ts";
import type { ObjectStore, StoreWatch } from "../kube/store/object-store.ts";
import type { KubeObject, ResourceKind } from "../kube/store/resource-kind.ts";
import { ApiError } from "../kube/store/status.ts";

type Handler = (change: ClusterChange<ClusterObject>) => void;

interface Informer {
  objects: Map<string, ClusterObject>;
  handlers: Set<Handler>;
  watch: StoreWatch;
  resync?: Timer;
}

export interface StoreClusterOptions {
  /** The clock events are stamped with (the store's by default), and resync runs on. */
  clock?: Clock | TimerClock;
  /** The events' source component. */
  component?: string;
  /** Re-delivery of every cached object, as adapters/kube's informers do; off (0) by default. Needs a TimerClock. */
  resyncPeriodMs?: number;
}

function cacheKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

function keyOf(object: { metadata?: { namespace?: string; name?: string } }): string {
  return cacheKey(object.metadata?.namespace, object.metadata?.name ?? "");
}

/** The API server's refusal as the port's error. */
function toClusterError(error: unknown): unknown {
  if (error instanceof ApiError) return new ClusterError(error.code, error.status.reason ?? "", error.message);
  return error;
}

export class StoreCluster extends ClusterBase {
  readonly #store: ObjectStore;
  readonly #informers = new Map<ClusterResource, Informer>();
  readonly #timers: TimerClock | undefined;
  readonly #resyncPeriodMs: number;

  constructor(store: ObjectStore, options: StoreClusterOptions = {}) {
    super(options.clock ?? { now: () => store.now() }, { component: options.component ?? "poolkeeper" });
    this.#store = store;
    this.#resyncPeriodMs = options.resyncPeriodMs ?? 0;
    const clock = options.clock;
    this.#timers = clock && "afterFunc" in clock ? clock : undefined;
    if (this.#resyncPeriodMs > 0 && !this.#timers) {
      throw new Error("StoreCluster: resyncPeriodMs needs a clock with timers (a TimerClock)");
    }
  }

  async start(resources: readonly ClusterResource[] = WATCHED_BY_DEFAULT) {
    for (const resource of resources) {
      if (this.#informers.has(resource)) continue;
      const informer: Informer = { objects: new Map(), handlers: new Set(), watch: { stop: () => {} } };
      this.#informers.set(resource, informer);
      // The watch from now starts with the current objects as ADDED: the list. Later events reach the cache (and
      // the handlers) once the write that made them has returned.
      let listing = true;
      informer.watch = this.#store.watch(this.#kind(resource), {}, (event) => {
        const { type } = event;
        if (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED") return;
        const object = event.object as ClusterObject;
        if (listing) informer.objects.set(keyOf(object), object);
        else queueMicrotask(() => this.#deliver(informer, type, object));
      });
      listing = false;
      this.#armResync(informer);
    }
  }

  async stop(): Promise<void> {
    for (const informer of this.#informers.values()) {
      informer.watch.stop();
      informer.resync?.stop();
    }
    this.#informers.clear();
  }

  list<R extends ClusterResource>(resource: R, namespace?: string): readonly ClusterObjects[R][] {
    const objects = [...this.#informer(resource).objects.values()];
    const selected = namespace === undefined ? objects : objects.filter((o) => o.metadata.namespace === namespace);
    return selected as unknown as ClusterObjects[R][];
  }

  get<R extends ClusterResource>(resource: R, key: ObjectKey): ClusterObjects[R] | undefined {
    return this.#informer(resource).objects.get(cacheKey(key.namespace, key.name)) as ClusterObjects[R] | undefined;
  }

  onChange<R extends ClusterResource>(
    resource: R,
    handler: (change: ClusterChange<ClusterObjects[R]>) => void,
  ): () => void {
    const handlers = this.#informer(resource).handlers;
    const h = handler as unknown as Handler;
    handlers.add(h);
    return () => handlers.delete(h);
  }

  async read<R extends ClusterResource>(resource: R, key: ObjectKey): Promise<ClusterObjects[R]> {
    return this.#call(() => this.#store.get(this.#kind(resource), key.namespace, key.name)) as ClusterObjects[R];
  }

  async create<R extends ClusterResource>(resource: R, object: ClusterObjects[R]): Promise<ClusterObjects[R]> {
    const body = object as unknown as KubeObject;
    const namespace = (object.metadata as { namespace?: string }).namespace;
    return this.#call(() => this.#store.create(this.#kind(resource), namespace, body)) as ClusterObjects[R];
  }

  async update<R extends ClusterResource>(
    resource: R,
    object: ClusterObjects[R],
    options: ClusterWriteOptions = {},
  ): Promise<ClusterObjects[R]> {
    const { namespace, name } = object.metadata as { namespace?: string; name: string };
    const write = options.subresource ? { subresource: options.subresource } : {};
    return this.#call(() =>
      this.#store.update(this.#kind(resource), namespace, name, object as unknown as KubeObject, write),
    ) as ClusterObjects[R];
  }

  async patch<R extends ClusterResource>(
    resource: R,
    key: ObjectKey,
    patch: ClusterPatch,
    options: ClusterWriteOptions = {},
  ): Promise<ClusterObjects[R]> {
    return this.#call(() =>
      this.#patch(resource, key, PATCH_TYPES[patch.type], patch.patch, options),
    ) as ClusterObjects[R];
  }

  async apply<R extends ClusterResource>(
    resource: R,
    object: ClusterObject,
    options: ApplyOptions,
  ): Promise<ClusterObjects[R]> {
    // The body names apiVersion and kind, as adapters/kube sends it; then the API server's own apply.
    const config = { apiVersion: apiVersionOfResource(resource), kind: CLUSTER_RESOURCES[resource].kind, ...object };
    return this.#call(() =>
      serverSideApply(this.#store, {
        kind: this.#kind(resource),
        namespace: object.metadata.namespace,
        name: object.metadata.name ?? "",
        config: config as KubeObject,
        manager: applyManager(options.fieldManager),
        force: options.force ?? false,
        ...(options.subresource ? { subresource: options.subresource } : {}),
      }),
    ) as ClusterObjects[R];
  }

  async delete(resource: ClusterResource, key: ObjectKey, options: ClusterDeleteOptions = {}): Promise<DeleteOutcome> {
    try {
      const result = this.#store.delete(this.#kind(resource), key.namespace, key.name, options);
      return result.deleted
        ? { outcome: "deleted" }
        : { outcome: "finalizing", object: result.object as ClusterObject };
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return { outcome: "not-found" };
      throw toClusterError(error);
    }
  }

  async evict(key: ObjectKey): Promise<EvictionOutcome> {
    const pods = this.#kind("pods");
    const eviction = {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: key.name, namespace: key.namespace },
    };
    try {
      pods.actions?.eviction?.(this.#store, pods, { namespace: key.namespace, name: key.name }, eviction);
      return { outcome: "evicted" };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const outcome = evictionOutcome(error.code, error.message, error.status.details?.retryAfterSeconds);
      if (!outcome) throw toClusterError(error);
      return outcome;
    }
  }

  /** client-go's resync: every cached object again, as an update whose previous object is itself. */
  #armResync(informer: Informer): void {
    if (!this.#timers || this.#resyncPeriodMs <= 0) return;
    informer.resync = this.#timers.afterFunc(this.#resyncPeriodMs, () => {
      for (const object of informer.objects.values()) {
        const change: ClusterChange<ClusterObject> = { type: "updated", object, previous: object, resync: true };
        for (const handler of informer.handlers) handler(change);
      }
      this.#armResync(informer);
    });
  }

  #deliver(informer: Informer, type: "ADDED" | "MODIFIED" | "DELETED", object: ClusterObject): void {
    const key = keyOf(object);
    const previous = informer.objects.get(key);
    let change: ClusterChange<ClusterObject>;
    if (type === "DELETED") {
      informer.objects.delete(key);
      change = { type: "deleted", object };
    } else {
      informer.objects.set(key, object);
      change = previous ? { type: "updated", object, previous } : { type: "added", object };
    }
    for (const handler of informer.handlers) handler(change);
  }

  #patch(
    resource: ClusterResource,
    key: ObjectKey,
    contentType: string,
    patch: unknown,
    options: ClusterWriteOptions,
  ): KubeObject {
    // As the HTTP handler: the patch applies to the current object unless it names a resourceVersion itself.
    const kind = this.#kind(resource);
    const current = this.#store.get(kind, key.namespace, key.name);
    const patched = applyPatch(kind, contentType, current, patch);
    const named = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
    if (named === undefined)
      (patched.metadata as Record<string, unknown>).resourceVersion = current.metadata?.resourceVersion;
    const write = options.subresource ? { subresource: options.subresource } : {};
    return this.#store.update(kind, key.namespace, key.name, patched, write);
  }

  #call(write: () => KubeObject): ClusterObject {
    try {
      return write() as ClusterObject;
    } catch (error) {
      throw toClusterError(error);
    }
  }

  #kind(resource: ClusterResource): ResourceKind {
    const { group, version } = CLUSTER_RESOURCES[resource];
    const kind = this.#store.registry.resource(group, version, resource);
    if (!kind)
      throw new ClusterError(404, "NotFound", `the server could not find the requested resource (${resource})`);
    return kind;
  }

  #informer(resource: ClusterResource): Informer {
    const informer = this.#informers.get(resource);
    if (!informer) throw new Error(`the cluster's ${resource} are not watched: start(["${resource}"]) first`);
    return informer;
  }
}
