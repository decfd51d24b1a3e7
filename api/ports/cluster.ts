// The Cluster port: what the controller (provisioning, disruption, interruption) reads from and writes to the
// Kubernetes API. Shaped as controller-runtime gives it to Karpenter: reads come from a shared cache filled by
// list+watch informers, synchronously, with change notifications in the order the API server made them; writes are
// async calls to the API server, whose effect reaches the cache through the watch. Implemented over
// @kubernetes/client-node (adapters/kube/) and in process over the simulated world's store (sim/).
import type { EC2NodeClass, NodeClaim, NodePool } from "../generated/types.ts";
import type {
  DaemonSet,
  Event,
  KubeObject,
  Lease,
  Node,
  ObjectReference,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  StorageClass,
  Taint,
  VolumeAttachment,
} from "./kube-objects.ts";

/** Each resource the port serves: its API group, version, kind and scope. */
export const CLUSTER_RESOURCES = {
  pods: { group: "", version: "v1", kind: "Pod", namespaced: true },
  nodes: { group: "", version: "v1", kind: "Node", namespaced: false },
  nodeclaims: { group: "karpenter.sh", version: "v1", kind: "NodeClaim", namespaced: false },
  nodepools: { group: "karpenter.sh", version: "v1", kind: "NodePool", namespaced: false },
  ec2nodeclasses: { group: "karpenter.k8s.aws", version: "v1", kind: "EC2NodeClass", namespaced: false },
  poddisruptionbudgets: { group: "policy", version: "v1", kind: "PodDisruptionBudget", namespaced: true },
  daemonsets: { group: "apps", version: "v1", kind: "DaemonSet", namespaced: true },
  persistentvolumeclaims: { group: "", version: "v1", kind: "PersistentVolumeClaim", namespaced: true },
  persistentvolumes: { group: "", version: "v1", kind: "PersistentVolume", namespaced: false },
  storageclasses: { group: "storage.k8s.io", version: "v1", kind: "StorageClass", namespaced: false },
  volumeattachments: { group: "storage.k8s.io", version: "v1", kind: "VolumeAttachment", namespaced: false },
  events: { group: "", version: "v1", kind: "Event", namespaced: true },
  leases: { group: "coordination.k8s.io", version: "v1", kind: "Lease", namespaced: true },
} as const;

export type ClusterResource = keyof typeof CLUSTER_RESOURCES;

/** What `start()` watches unless told otherwise: everything the controller reads, not events and leases. */
export const WATCHED_BY_DEFAULT: readonly ClusterResource[] = [
  "pods",
  "nodes",
  "nodeclaims",
  "nodepools",
  "ec2nodeclasses",
  "poddisruptionbudgets",
  "daemonsets",
  "persistentvolumeclaims",
  "persistentvolumes",
  "storageclasses",
  "volumeattachments",
];

/** The object type of each resource. */
export interface ClusterObjects {
  pods: Pod;
  nodes: Node;
  nodeclaims: NodeClaim;
  nodepools: NodePool;
  ec2nodeclasses: EC2NodeClass;
  poddisruptionbudgets: PodDisruptionBudget;
  daemonsets: DaemonSet;
  persistentvolumeclaims: PersistentVolumeClaim;
  persistentvolumes: PersistentVolume;
  storageclasses: StorageClass;
  volumeattachments: VolumeAttachment;
  events: Event;
  leases: Lease;
}

/** `apps/v1`, `v1`: the apiVersion objects of a resource carry. */
export function apiVersionOfResource(resource: ClusterResource): string {
  const { group, version } = CLUSTER_RESOURCES[resource];
  return group === "" ? version : `${group}/${version}`;
}

/** An object by name; the namespace only for namespaced resources. */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

/**
 * A change the cache has taken in. `resync` marks the periodic re-delivery of an unchanged object (client-go's
 * resync: OnUpdate with old == new), so a handler that missed acting on it gets another chance.
 */
export type ClusterChange<T> =
  | { type: "added"; object: T }
  | { type: "updated"; object: T; previous: T; resync?: true }
  | { type: "deleted"; object: T };

export type PatchType = "merge" | "json" | "strategic";

/** A patch as the API server takes it: JSON merge (RFC 7386), JSON (RFC 6902) or strategic merge (built-in kinds). */
export type ClusterPatch =
  | { type: "merge"; patch: Record<string, unknown> }
  | { type: "json"; patch: { op: string; path: string; value?: unknown; from?: string }[] }
  | { type: "strategic"; patch: Record<string, unknown> };

export interface WriteOptions {
  /** The `status` subresource: status only. */
  subresource?: "status";
}

export interface ApplyOptions extends WriteOptions {
  /** Who owns the applied fields (managedFields); required by the API server. */
  fieldManager: string;
  /** Take over fields another manager owns instead of failing with a conflict. */
  force?: boolean;
}

export interface DeleteOptions {
  /** Delete only if the object still has this uid / resourceVersion (409 otherwise). */
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
}

/** `deleted`: gone; `finalizing`: finalizers hold it (it has a deletionTimestamp); `not-found`: it was not there. */
export type DeleteOutcome =
  { outcome: "deleted" } | { outcome: "finalizing"; object: KubeObject } | { outcome: "not-found" };

/**
 * What an eviction came to, as the eviction subresource answers (Karpenter's eviction queue branches the same way):
 * `blocked` is the 429 of a disruption budget with no disruption left (or not yet processed: retry later);
 * `misconfigured` is the 500 of a pod with more than one budget; `not-found` is a pod already gone.
 */
export type EvictionOutcome =
  | { outcome: "evicted" }
  | { outcome: "blocked"; message: string; retryAfterSeconds?: number }
  | { outcome: "misconfigured"; message: string }
  | { outcome: "not-found" };

/** An event to record on an object, as client-go's EventRecorder.Eventf takes it. */
export interface EventRecord {
  involved: ObjectReference;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** A refused request, with the API server's Status reason (NotFound, Conflict, AlreadyExists, Invalid, …). */
export class ClusterError extends Error {
  override readonly name = "ClusterError";
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ClusterError && error.code === 404;
}

export function isConflict(error: unknown): boolean {
  return error instanceof ClusterError && error.code === 409;
}

export interface Cluster {
  /** Starts the informers of `resources` (WATCHED_BY_DEFAULT by default); resolves once each has listed. */
  start(resources?: readonly ClusterResource[]): Promise<void>;
  /** Stops the informers and any timers; writes already made still complete. */
  stop(): Promise<void>;

  // Reads: from the shared cache, synchronously. Callers get the cached objects and must not change them.
  list<R extends ClusterResource>(resource: R, namespace?: string): readonly ClusterObjects[R][];
  get<R extends ClusterResource>(resource: R, key: ObjectKey): ClusterObjects[R] | undefined;
  /** Calls `handler` on every change the cache takes in, in order; returns the unsubscribe. */
  onChange<R extends ClusterResource>(
    resource: R,
    handler: (change: ClusterChange<ClusterObjects[R]>) => void,
  ): () => void;

  // Writes: to the API server. A refusal is a ClusterError.
  /** A fresh read from the API server, past the cache (for read-modify-write). */
  read<R extends ClusterResource>(resource: R, key: ObjectKey): Promise<ClusterObjects[R]>;
  create<R extends ClusterResource>(resource: R, object: ClusterObjects[R]): Promise<ClusterObjects[R]>;
  /** PUT: optimistic concurrency on the object's resourceVersion (409 when it is stale). */
  update<R extends ClusterResource>(
    resource: R,
    object: ClusterObjects[R],
    options?: WriteOptions,
  ): Promise<ClusterObjects[R]>;
  patch<R extends ClusterResource>(
    resource: R,
    key: ObjectKey,
    patch: ClusterPatch,
    options?: WriteOptions,
  ): Promise<ClusterObjects[R]>;
  /** Server-side apply of `object` (apiVersion, kind, metadata.name and the fields this manager owns). */
  apply<R extends ClusterResource>(resource: R, object: KubeObject, options: ApplyOptions): Promise<ClusterObjects[R]>;
  delete(resource: ClusterResource, key: ObjectKey, options?: DeleteOptions): Promise<DeleteOutcome>;

  // Karpenter's own writes, built on the ones above (read-modify-write, retried on conflict).
  addFinalizer(resource: ClusterResource, key: ObjectKey, finalizer: string): Promise<KubeObject>;
  removeFinalizer(resource: ClusterResource, key: ObjectKey, finalizer: string): Promise<KubeObject | undefined>;
  /** Sets or clears spec.unschedulable. */
  cordon(nodeName: string, unschedulable?: boolean): Promise<Node>;
  /** Adds the taint (replacing one with the same key and effect) or, with `remove`, takes it off. */
  taint(nodeName: string, taint: Taint, options?: { remove?: boolean }): Promise<Node>;
  /** Evicts a pod through the eviction subresource, honouring its disruption budget. */
  evict(key: ObjectKey): Promise<EvictionOutcome>;
  /** Records an event, de-duplicated and aggregated as client-go's EventRecorder does. */
  recordEvent(event: EventRecord): Promise<void>;
}
