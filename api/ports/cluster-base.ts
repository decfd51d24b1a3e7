// What every implementation of the Cluster port shares: Karpenter's small writes built on read / update
// (cluster-mutations.ts) and events through the EventCorrelator, so that the API server's implementation and the
// in-process one cannot drift apart on them. An implementation supplies the cache, the reads and the writes.
import type { Clock } from "../ports.ts";
import type {
  ApplyOptions,
  Cluster,
  ClusterChange,
  ClusterObjects,
  ClusterPatch,
  ClusterResource,
  DeleteOptions,
  DeleteOutcome,
  EventRecord,
  EvictionOutcome,
  ObjectKey,
  WriteOptions,
} from "./cluster.ts";
import { addFinalizer, cordonNode, removeFinalizer, taintNode } from "./cluster-mutations.ts";
import { EventCorrelator } from "./event-correlator.ts";
import { writeEvent } from "./event-sink.ts";
import type { KubeObject, Node, Taint } from "./kube-objects.ts";

export abstract class ClusterBase implements Cluster {
  readonly #correlator: EventCorrelator;

  /** `clock` stamps events; `source` is their EventSource (component, and host if any). */
  constructor(clock: Clock, source: { component: string; host?: string }) {
    this.#correlator = new EventCorrelator(clock, source);
  }

  abstract start(resources?: readonly ClusterResource[]): Promise<void>;
  abstract stop(): Promise<void>;
  abstract list<R extends ClusterResource>(resource: R, namespace?: string): readonly ClusterObjects[R][];
  abstract get<R extends ClusterResource>(resource: R, key: ObjectKey): ClusterObjects[R] | undefined;
  abstract onChange<R extends ClusterResource>(
    resource: R,
    handler: (change: ClusterChange<ClusterObjects[R]>) => void,
  ): () => void;
  abstract read<R extends ClusterResource>(resource: R, key: ObjectKey): Promise<ClusterObjects[R]>;
  abstract create<R extends ClusterResource>(resource: R, object: ClusterObjects[R]): Promise<ClusterObjects[R]>;
  abstract update<R extends ClusterResource>(
    resource: R,
    object: ClusterObjects[R],
    options?: WriteOptions,
  ): Promise<ClusterObjects[R]>;
  abstract patch<R extends ClusterResource>(
    resource: R,
    key: ObjectKey,
    patch: ClusterPatch,
    options?: WriteOptions,
  ): Promise<ClusterObjects[R]>;
  abstract apply<R extends ClusterResource>(
    resource: R,
    object: KubeObject,
    options: ApplyOptions,
  ): Promise<ClusterObjects[R]>;
  abstract delete(resource: ClusterResource, key: ObjectKey, options?: DeleteOptions): Promise<DeleteOutcome>;
  abstract evict(key: ObjectKey): Promise<EvictionOutcome>;

  addFinalizer(resource: ClusterResource, key: ObjectKey, finalizer: string): Promise<KubeObject> {
    return addFinalizer(this, resource, key, finalizer);
  }

  removeFinalizer(resource: ClusterResource, key: ObjectKey, finalizer: string): Promise<KubeObject | undefined> {
    return removeFinalizer(this, resource, key, finalizer);
  }

  cordon(nodeName: string, unschedulable = true): Promise<Node> {
    return cordonNode(this, nodeName, unschedulable);
  }

  taint(nodeName: string, taint: Taint, options: { remove?: boolean } = {}): Promise<Node> {
    return taintNode(this, nodeName, taint, options.remove === true);
  }

  recordEvent(event: EventRecord): Promise<void> {
    return writeEvent(this, this.#correlator, event);
  }
}

/**
 * The eviction subresource's answer as an outcome (Karpenter's eviction queue, terminator/eviction.go, branches
 * the same way): 2xx evicted, 404 not found, 429 blocked by a budget, 500 a pod with several budgets; undefined for
 * any other code, which is an error.
 */
export function evictionOutcome(
  code: number,
  message: string,
  retryAfterSeconds?: number,
): EvictionOutcome | undefined {
  if (code >= 200 && code < 300) return { outcome: "evicted" };
  switch (code) {
    case 404:
      return { outcome: "not-found" };
    case 429:
      return { outcome: "blocked", message, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) };
    case 500:
      return { outcome: "misconfigured", message };
    default:
      return undefined;
  }
}
