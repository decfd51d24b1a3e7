// The generic resource store: every kind's objects in one place, with the API server's registry semantics
// (k8s.io/apiserver/pkg/registry/generic/registry.Store over etcd3): one monotonically increasing resource version
// for all writes, uid and creationTimestamp on create, generateName, generation bumped when anything but metadata
// and status changes, optimistic concurrency on update, deletion held by finalizers (deletionTimestamp set, the
// object kept until the last finalizer goes), label and field selectors, paginated lists read at one resource
// version, and watches from a resource version with bookmarks and 410 Expired past the retained window.
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { cloneJson, systemClock, type Clock } from "../../../api/index.ts";
import { decodeContinue, encodeContinue } from "./continue-token.ts";
import { EventLog, type StoredEvent, type WatchEventType } from "./event-log.ts";
import { matchesFields, type FieldSelector } from "./field-selector.ts";
import type { KindRegistry } from "./kind-registry.ts";
import { matchesLabels, type LabelSelector } from "./label-selector.ts";
import { DEFAULT_STORE_LIMITS, type StoreLimits } from "./limits.ts";
import { apiVersionOf, groupResourceOf, type KubeObject, type ResourceKind } from "./resource-kind.ts";
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  expired,
  invalid,
  namespaceTerminating,
  notFound,
  tooManyRequests,
} from "./status.ts";

export type DeletionPropagation = "Background" | "Foreground" | "Orphan";

export interface WriteOptions {
  /** `dryRun=All`: everything but the write. */
  dryRun?: boolean;
  /**
   * Records the write in `metadata.managedFields` (the API server's field manager): called with the object as it
   * will be stored (defaulted, validated) and the stored one (undefined on create); returns the object to store.
   */
  fieldManager?: (next: KubeObject, current: KubeObject | undefined) => KubeObject;
}

export interface UpdateOptions extends WriteOptions {
  /** `status` writes only the status; the main resource leaves a status-subresource kind's status alone. */
  subresource?: "status";
  /** Writes spec and status at once (subresource handlers such as pods/binding, and the world's own writes). */
  allFields?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: DeletionPropagation;
  /**
   * Delete gracefully, as the API's DELETE does: a kind with a grace period (pods) keeps the object with a
   * deletionTimestamp at the end of it, for the kubelet to finish. The world's own deletes are immediate unless
   * they ask.
   */
  graceful?: boolean;
  /** DeleteOptions.gracePeriodSeconds (implies graceful); the kind's default when unset. */
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  object: KubeObject;
  /** False when finalizers hold the object: it now has a deletionTimestamp and stays until they are removed. */
  deleted: boolean;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continue?: string;
  /** "" or "0": any recent state; a number with `resourceVersionMatch: Exact`: the state at that version. */
  resourceVersion?: string;
  resourceVersionMatch?: "Exact" | "NotOlderThan";
  /**
   * The stored objects themselves instead of copies, for readers that only look (serializing a list, a
   * controller's pass over every pod): copying 5,000 pods costs more than encoding them. They must not be changed.
   */
  readOnly?: boolean;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  /** Unset or "0": the current objects as ADDED events first; a number: the changes after it. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** With bookmarks: the initial ADDED events end with a bookmark annotated `k8s.io/initial-events-end`. */
  sendInitialEvents?: boolean;
  /**
   * Events carry the stored objects themselves, one object shared by every such watcher, instead of a copy each —
   * for watchers that only look (a component that only asks for a pass, the HTTP watch that encodes the object
   * once per event, as the watch cache's cachingObject does). They must not be changed.
   */
  readOnly?: boolean;
}

export interface WatchEvent {
  type: WatchEventType | "BOOKMARK" | "ERROR";
  object: KubeObject;
}

export interface StoreWatch {
  stop(): void;
}

interface Watcher {
  kind: ResourceKind;
  resource: string;
  options: WatchOptions;
  sink: (event: WatchEvent) => void;
}

export interface ObjectStoreOptions {
  clock?: Clock;
  limits?: Partial<StoreLimits>;
}

/** Label and field selection as the registry's predicate (SelectionPredicate.Matches). */
interface Selection {
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
}

// The random suffix of generateName (names.SimpleNameGenerator): five characters without vowels or look-alikes.
const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export class ObjectStore {
  readonly registry: KindRegistry;
  readonly limits: StoreLimits;
  readonly #clock: Clock;
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #log: EventLog;
  readonly #watchers = new Set<Watcher>();
  readonly #sortedKeys = new WeakMap<Map<string, KubeObject>, readonly string[]>();
  #resourceVersion = 0;

  constructor(registry: KindRegistry, options: ObjectStoreOptions = {}) {
    this.registry = registry;
    this.limits = { ...DEFAULT_STORE_LIMITS, ...options.limits };
    this.#clock = options.clock ?? systemClock;
    this.#log = new EventLog(this.limits.eventWindow);
  }

  /** The newest resource version written. */
  get resourceVersion(): number {
    return this.#resourceVersion;
  }

  /** The store's clock: the time it stamps on objects. */
  now(): Date {
    return this.#clock.now();
  }

  get watchCount(): number {
    return this.#watchers.size;
  }

  create(kind: ResourceKind, namespace: string | undefined, body: KubeObject, options: WriteOptions = {}): KubeObject {
    const object = this.#checkBody(kind, body);
    const metadata = object.metadata as Record<string, unknown>;
    const ns = this.#namespaceFor(kind, namespace, metadata);
    if (typeof metadata.name !== "string" || metadata.name === "") {
      if (typeof metadata.generateName === "string" && metadata.generateName !== "") {
        metadata.name = this.#generateName(kind, ns, metadata.generateName);
      } else {
        throw invalid(kind.group, kind.kind, "", [
          {
            field: "metadata.name",
            type: "FieldValueRequired",
            body: "Required value: name or generateName is required",
          },
        ]);
      }
    }
    const name = metadata.name as string;
    const objects = this.#bucket(kind);
    if (objects.has(keyOf(ns, name))) throw alreadyExists(groupResourceOf(kind), name);
    if (objects.size >= this.limits.maxObjectsPerResource) {
      throw new ApiError(
        403,
        "Forbidden",
        `${kind.plural} "${name}" is forbidden: exceeded the simulated cluster's limit of ${this.limits.maxObjectsPerResource} ${kind.plural}`,
      );
    }
    if (kind.namespaced && ns !== undefined) this.#requireNamespace(ns, kind, name);
    // What the server owns in metadata is the server's.
    for (const field of [
      "uid",
      "resourceVersion",
      "generation",
      "creationTimestamp",
      "deletionTimestamp",
      "deletionGracePeriodSeconds",
      "selfLink",
    ]) {
      Reflect.deleteProperty(metadata, field);
    }
    if (ns !== undefined) metadata.namespace = ns;
    else delete metadata.namespace;
    if (kind.subresources.includes("status") && !kind.keepStatusOnCreate) delete object.status;
    kind.defaults?.(object, undefined);
    const validated = this.#validate(kind, object, undefined, name);
    const managed = options.fieldManager ? options.fieldManager(validated, undefined) : validated;
    const stored = reorderMetadata(managed, {
      uid: randomUUID(),
      creationTimestamp: timestamp(this.#clock.now()),
      generation: 1,
    });
    if (options.dryRun) return cloneJson(stored);
    (stored.metadata as Record<string, unknown>).resourceVersion = String(this.#nextResourceVersion());
    objects.set(keyOf(ns, name), stored);
    this.#sortedKeys.delete(objects);
    this.#record(kind, "ADDED", stored, undefined);
    return cloneJson(stored);
  }

  get(kind: ResourceKind, namespace: string | undefined, name: string): KubeObject {
    const found = this.#bucket(kind).get(keyOf(kind.namespaced ? namespace : undefined, name));
    if (!found) throw notFound(groupResourceOf(kind), name);
    return cloneJson(found);
  }

  /**
   * Every stored object of a kind, as stored — not copies, so a controller that reads the whole cluster on each
   * pass (the garbage collector) does not clone it each time. Callers must not change them.
   */
  scan(kind: ResourceKind): Iterable<Readonly<KubeObject>> {
    return this.#bucket(kind).values();
  }

  /** The object, or undefined when there is none (for callers that branch rather than fail). */
  find(kind: ResourceKind, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.#bucket(kind).get(keyOf(kind.namespaced ? namespace : undefined, name));
    return found ? cloneJson(found) : undefined;
  }

  update(
    kind: ResourceKind,
    namespace: string | undefined,
    name: string,
    body: KubeObject,
    options: UpdateOptions = {},
  ): KubeObject {
    const ns = kind.namespaced ? namespace : undefined;
    const objects = this.#bucket(kind);
    const current = objects.get(keyOf(ns, name));
    if (!current) throw notFound(groupResourceOf(kind), name);
    const incoming = this.#checkBody(kind, body);
    const inMeta = incoming.metadata as Record<string, unknown>;
    if (inMeta.name !== undefined && inMeta.name !== name) {
      throw badRequest(`the name of the object (${String(inMeta.name)}) does not match the name on the URL (${name})`);
    }
    if (kind.namespaced && inMeta.namespace !== undefined && inMeta.namespace !== ns) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    const currentMeta = current.metadata as Record<string, unknown>;
    if (
      inMeta.resourceVersion !== undefined &&
      inMeta.resourceVersion !== "" &&
      inMeta.resourceVersion !== currentMeta.resourceVersion
    ) {
      throw conflict(groupResourceOf(kind), name);
    }
    let next: KubeObject;
    if (options.subresource === "status") {
      // The status strategy: only status changes; metadata and spec stay as stored.
      next = cloneJson(current);
      if (incoming.status === undefined) delete next.status;
      else next.status = incoming.status;
    } else {
      next = incoming;
      if (kind.subresources.includes("status") && !options.allFields) {
        if (current.status === undefined) delete next.status;
        else next.status = cloneJson(current.status);
      }
    }
    const nextMeta = next.metadata as Record<string, unknown>;
    // Fields of metadata the client cannot change.
    for (const field of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"]) {
      if (currentMeta[field] === undefined) Reflect.deleteProperty(nextMeta, field);
      else nextMeta[field] = currentMeta[field];
    }
    nextMeta.name = name;
    if (ns !== undefined) nextMeta.namespace = ns;
    else delete nextMeta.namespace;
    nextMeta.resourceVersion = currentMeta.resourceVersion;
    if (currentMeta.deletionTimestamp !== undefined) {
      const before = new Set((currentMeta.finalizers as string[] | undefined) ?? []);
      const added = ((nextMeta.finalizers as string[] | undefined) ?? []).filter((f) => !before.has(f));
      if (added.length > 0) {
        throw invalid(kind.group, kind.kind, name, [
          {
            field: "metadata.finalizers",
            type: "FieldValueForbidden",
            body: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(", ")}}`,
          },
        ]);
      }
    }
    if (options.subresource !== "status") kind.defaults?.(next, current);
    const checked = this.#validate(kind, next, current, name);
    const validated = options.fieldManager ? options.fieldManager(checked, cloneJson(current)) : checked;
    const validatedMeta = validated.metadata as Record<string, unknown>;
    if (isDeepStrictEqual(validated, current)) return cloneJson(current);
    if (specChanged(validated, current))
      validatedMeta.generation = ((currentMeta.generation as number | undefined) ?? 0) + 1;
    if (options.dryRun) return cloneJson(validated);
    validatedMeta.resourceVersion = String(this.#nextResourceVersion());
    const finalizers = (validatedMeta.finalizers as string[] | undefined) ?? [];
    if (
      currentMeta.deletionTimestamp !== undefined &&
      finalizers.length === 0 &&
      ((currentMeta.deletionGracePeriodSeconds as number | undefined) ?? 0) === 0 &&
      !kind.holdDeletion?.(cloneJson(validated), String(validatedMeta.deletionTimestamp))
    ) {
      // ShouldDeleteDuringUpdate (registry.Store): no finalizer is left and no grace period runs, so the deletion
      // that was waiting completes (a namespace also waits for its spec.finalizers).
      objects.delete(keyOf(ns, name));
      this.#sortedKeys.delete(objects);
      this.#record(kind, "DELETED", validated, current);
      return cloneJson(validated);
    }
    objects.set(keyOf(ns, name), validated);
    this.#record(kind, "MODIFIED", validated, current);
    return cloneJson(validated);
  }

  delete(kind: ResourceKind, namespace: string | undefined, name: string, options: DeleteOptions = {}): DeleteResult {
    const ns = kind.namespaced ? namespace : undefined;
    const objects = this.#bucket(kind);
    const current = objects.get(keyOf(ns, name));
    if (!current) throw notFound(groupResourceOf(kind), name);
    const meta = current.metadata as Record<string, unknown>;
    const pre = options.preconditions;
    if (pre?.uid !== undefined && pre.uid !== meta.uid) {
      throw conflict(
        groupResourceOf(kind),
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(meta.uid)}`,
      );
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
      throw conflict(
        groupResourceOf(kind),
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${String(meta.resourceVersion)}`,
      );
    }
    // A registry that deletes in its own way (namespaces: Terminating until their spec.finalizers are done).
    const held = kind.holdDeletion?.(cloneJson(current), timestamp(this.#clock.now()));
    if (held) return this.#keepDeleting(kind, ns, current, held, options.dryRun);
    const finalizers = [...((meta.finalizers as string[] | undefined) ?? [])];
    // The garbage collector's finalizers for foreground and orphan deletion. It removes them at once when no
    // object names this one as its owner, so they are only recorded when there are dependents to wait for.
    const gcFinalizer = { Foreground: "foregroundDeletion", Orphan: "orphan", Background: undefined }[
      options.propagationPolicy ?? "Background"
    ];
    if (gcFinalizer && !finalizers.includes(gcFinalizer) && this.#hasDependents(String(meta.uid)))
      finalizers.push(gcFinalizer);
    // RESTGracefulDeleteStrategy.CheckGracefulDelete: how long this deletion gives the object (pods: their
    // termination grace period), when the caller asks for graceful deletion as the API's DELETE does.
    const grace =
      kind.gracePeriod && (options.graceful || options.gracePeriodSeconds !== undefined)
        ? kind.gracePeriod(current, options.gracePeriodSeconds)
        : undefined;
    const next = cloneJson(current);
    const nextMeta = next.metadata as Record<string, unknown>;
    nextMeta.finalizers = finalizers;
    if (finalizers.length === 0) delete nextMeta.finalizers;
    if (meta.deletionTimestamp !== undefined) {
      // rest.BeforeDelete on an object already being deleted: only a shorter grace period changes it, and a
      // deletion whose grace period is over completes once no finalizer holds it.
      const currentGrace = typeof meta.deletionGracePeriodSeconds === "number" ? meta.deletionGracePeriodSeconds : 0;
      if (grace !== undefined && currentGrace > 0 && grace < currentGrace) {
        const at = Date.parse(String(meta.deletionTimestamp)) + (grace - currentGrace) * 1000;
        nextMeta.deletionTimestamp = timestamp(new Date(at));
        nextMeta.deletionGracePeriodSeconds = grace;
      }
      const remaining = nextMeta.deletionGracePeriodSeconds as number | undefined;
      if (finalizers.length === 0 && (remaining ?? 0) === 0) return this.#remove(kind, ns, current, options.dryRun);
      if (isDeepStrictEqual(next, current)) return { object: cloneJson(current), deleted: false };
      return this.#keepDeleting(kind, ns, current, next, options.dryRun);
    }
    if (finalizers.length === 0 && (grace ?? 0) === 0) return this.#remove(kind, ns, current, options.dryRun);
    // A graceful deletion's deletionTimestamp is when the grace period ends.
    nextMeta.deletionTimestamp = timestamp(new Date(this.#clock.now().getTime() + (grace ?? 0) * 1000));
    nextMeta.deletionGracePeriodSeconds = grace ?? 0;
    // BeforeDelete bumps the generation of an object that starts a graceful deletion.
    nextMeta.generation = ((meta.generation as number | undefined) ?? 0) + 1;
    return this.#keepDeleting(kind, ns, current, reorderMetadata(next, {}), options.dryRun);
  }

  // Stores an object whose deletion has started but not finished.
  #keepDeleting(
    kind: ResourceKind,
    ns: string | undefined,
    current: KubeObject,
    next: KubeObject,
    dryRun: boolean | undefined,
  ): DeleteResult {
    if (dryRun || isDeepStrictEqual(next, current)) return { object: cloneJson(next), deleted: false };
    (next.metadata as Record<string, unknown>).resourceVersion = String(this.#nextResourceVersion());
    this.#bucket(kind).set(keyOf(ns, String(next.metadata?.name)), next);
    this.#record(kind, "MODIFIED", next, current);
    return { object: cloneJson(next), deleted: false };
  }

  #remove(kind: ResourceKind, ns: string | undefined, current: KubeObject, dryRun: boolean | undefined): DeleteResult {
    if (dryRun) return { object: cloneJson(current), deleted: true };
    this.#bucket(kind).delete(keyOf(ns, String(current.metadata?.name)));
    this.#sortedKeys.delete(this.#bucket(kind));
    const gone = cloneJson(current);
    (gone.metadata as Record<string, unknown>).resourceVersion = String(this.#nextResourceVersion());
    this.#record(kind, "DELETED", gone, current);
    return { object: cloneJson(gone), deleted: true };
  }

  list(kind: ResourceKind, options: ListOptions = {}): ListResult {
    this.#checkSelection(kind, options);
    const selection: Selection = options;
    let atVersion = this.#resourceVersion;
    let start = "";
    if (options.continue) {
      const token = decodeContinue(options.continue);
      atVersion = token.resourceVersion;
      start = token.start;
      if (!this.#log.covers(atVersion)) {
        throw expired(
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        );
      }
    } else if (options.resourceVersionMatch === "Exact") {
      atVersion = this.#parseResourceVersion(options.resourceVersion);
      if (atVersion > this.#resourceVersion) {
        throw new ApiError(
          504,
          "Timeout",
          `Too large resource version: ${atVersion}, current resource version: ${this.#resourceVersion}`,
        );
      }
      if (!this.#log.covers(atVersion)) throw expired(`too old resource version: ${atVersion} (${this.#log.oldest})`);
    }
    const state = atVersion === this.#resourceVersion ? this.#bucket(kind) : this.#stateAt(kind, atVersion);
    const sorted = state === this.#bucket(kind) ? this.#keysInOrder(state) : [...state.keys()].sort();
    // A namespace's keys are one run of the order (`<namespace>/…`; "0" follows "/"), so only that run is read.
    const inNamespace = selection.namespace !== undefined && kind.namespaced;
    const from = inNamespace && `${selection.namespace}/` > start ? `${selection.namespace}/` : start;
    const to = inNamespace ? firstAtOrAfter(sorted, `${selection.namespace}0`) : sorted.length;
    const keys = from === "" && to === sorted.length ? sorted : sorted.slice(firstAtOrAfter(sorted, from), to);
    const limit = options.limit && options.limit > 0 ? Math.min(options.limit, this.limits.maxPageSize) : undefined;
    const items: KubeObject[] = [];
    let index = 0;
    for (; index < keys.length; index++) {
      if (limit !== undefined && items.length >= limit) break;
      const object = state.get(keys[index] as string) as KubeObject;
      if (this.#matches(kind, selection, object)) items.push(options.readOnly ? object : cloneJson(object));
    }
    const result: ListResult = { items, resourceVersion: String(atVersion) };
    if (index < keys.length) {
      result.continue = encodeContinue({ resourceVersion: atVersion, start: keys[index] as string });
      if (!options.labelSelector?.length && !options.fieldSelector?.length) {
        result.remainingItemCount = keys.slice(index).filter((k) => this.#inNamespace(kind, selection, k)).length;
      }
    }
    return result;
  }

  watch(kind: ResourceKind, options: WatchOptions, sink: (event: WatchEvent) => void): StoreWatch {
    this.#checkSelection(kind, options);
    if (this.#watchers.size >= this.limits.maxWatches) {
      throw tooManyRequests(`too many watches: the simulated cluster serves at most ${this.limits.maxWatches} at once`);
    }
    const resource = resourceKey(kind);
    const watcher: Watcher = { kind, resource, options, sink };
    const rv = options.resourceVersion;
    if (rv === undefined || rv === "" || rv === "0") {
      for (const key of this.#keysInOrder(this.#bucket(kind))) {
        const object = this.#bucket(kind).get(key) as KubeObject;
        if (this.#matches(kind, options, object))
          sink({ type: "ADDED", object: options.readOnly ? object : cloneJson(object) });
      }
      if (options.sendInitialEvents && options.allowWatchBookmarks) {
        sink(this.#bookmark(kind, { "k8s.io/initial-events-end": "true" }));
      }
    } else {
      const from = this.#parseResourceVersion(rv);
      if (!this.#log.covers(from)) throw expired(`too old resource version: ${from} (${this.#log.oldest})`);
      for (const event of this.#log.since(from)) {
        if (event.resource === resource) this.#deliver(watcher, event);
      }
    }
    this.#watchers.add(watcher);
    return { stop: () => this.#watchers.delete(watcher) };
  }

  /** Sends a BOOKMARK with the current resource version to every watch that allows them. */
  emitBookmarks(): void {
    for (const watcher of this.#watchers) {
      if (watcher.options.allowWatchBookmarks) watcher.sink(this.#bookmark(watcher.kind));
    }
  }

  #bookmark(kind: ResourceKind, annotations?: Record<string, string>): WatchEvent {
    const metadata: Record<string, unknown> = { resourceVersion: String(this.#resourceVersion) };
    if (annotations) metadata.annotations = annotations;
    return { type: "BOOKMARK", object: { kind: kind.kind, apiVersion: apiVersionOf(kind), metadata } };
  }

  #record(kind: ResourceKind, type: WatchEventType, object: KubeObject, previous: KubeObject | undefined): void {
    const meta = object.metadata as Record<string, unknown>;
    const event: StoredEvent = {
      resourceVersion: Number(meta.resourceVersion),
      type,
      resource: resourceKey(kind),
      key: keyOf(meta.namespace as string | undefined, meta.name as string),
      object,
    };
    if (previous) event.previous = previous;
    this.#log.append(event);
    for (const watcher of this.#watchers) {
      if (watcher.resource === event.resource) this.#deliver(watcher, event);
    }
  }

  // A change as one watcher sees it: an object that starts or stops matching its selectors is ADDED or
  // DELETED for it (the watch cache's filtering of MODIFIED events).
  #deliver(watcher: Watcher, event: StoredEvent): void {
    const now = this.#matches(watcher.kind, watcher.options, event.object);
    const before = event.previous !== undefined && this.#matches(watcher.kind, watcher.options, event.previous);
    let type: WatchEventType | undefined;
    if (event.type === "ADDED") type = now ? "ADDED" : undefined;
    else if (event.type === "DELETED") type = before || now ? "DELETED" : undefined;
    else if (now && before) type = "MODIFIED";
    else if (now) type = "ADDED";
    else if (before) type = "DELETED";
    if (!type) return;
    // An object that left the selection is announced as it was last seen, at the version of the change.
    const left = type === "DELETED" && event.type === "MODIFIED";
    if (watcher.options.readOnly) {
      // event.object carries the change's version already; the object that left is copied once per event.
      watcher.sink({ type, object: left ? leftSelection(event) : event.object });
      return;
    }
    const object = cloneJson(left ? (event.previous as KubeObject) : event.object);
    (object.metadata as Record<string, unknown>).resourceVersion = String(event.resourceVersion);
    watcher.sink({ type, object });
  }

  #stateAt(kind: ResourceKind, resourceVersion: number): Map<string, KubeObject> {
    const state = new Map(this.#bucket(kind));
    const resource = resourceKey(kind);
    const later = this.#log.since(resourceVersion).filter((e) => e.resource === resource);
    for (const event of later.reverse()) {
      if (event.previous) state.set(event.key, event.previous);
      else state.delete(event.key);
    }
    return state;
  }

  #checkSelection(kind: ResourceKind, options: Selection): void {
    const supported = new Set([
      "metadata.name",
      "metadata.namespace",
      ...Object.keys(kind.selectableFields?.({}) ?? {}),
    ]);
    for (const requirement of options.fieldSelector ?? []) {
      if (supported.has(requirement.field)) continue;
      if (kind.custom) {
        throw badRequest(
          `"${requirement.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
        );
      }
      throw badRequest(`field label not supported: ${requirement.field}`);
    }
  }

  #matches(kind: ResourceKind, selection: Selection, object: KubeObject): boolean {
    const meta = object.metadata as Record<string, unknown>;
    if (selection.namespace !== undefined && kind.namespaced && meta.namespace !== selection.namespace) return false;
    if (
      selection.labelSelector &&
      !matchesLabels(selection.labelSelector, meta.labels as Record<string, string> | undefined)
    )
      return false;
    if (selection.fieldSelector?.length) {
      const fields = {
        "metadata.name": String(meta.name ?? ""),
        "metadata.namespace": String(meta.namespace ?? ""),
        ...kind.selectableFields?.(object),
      };
      if (!matchesFields(selection.fieldSelector, fields)) return false;
    }
    return true;
  }

  #inNamespace(kind: ResourceKind, selection: Selection, key: string): boolean {
    return selection.namespace === undefined || !kind.namespaced || key.startsWith(`${selection.namespace}/`);
  }

  #parseResourceVersion(text: string | undefined): number {
    if (text === undefined || !/^\d+$/.test(text)) {
      throw badRequest(`resourceVersion: Invalid value: "${text ?? ""}": must be a valid resource version`);
    }
    return Number(text);
  }

  #hasDependents(uid: string): boolean {
    for (const bucket of this.#objects.values()) {
      for (const object of bucket.values()) {
        const owners = (object.metadata as Record<string, unknown>).ownerReferences as { uid?: string }[] | undefined;
        if (owners?.some((o) => o.uid === uid)) return true;
      }
    }
    return false;
  }

  // The NamespaceLifecycle admission plugin: no new objects in a namespace that does not exist or is terminating.
  #requireNamespace(namespace: string, kind: ResourceKind, name: string): void {
    const namespaces = this.registry.resource("", "v1", "namespaces");
    if (!namespaces) return;
    const found = this.#bucket(namespaces).get(keyOf(undefined, namespace));
    if (!found) throw notFound({ group: "", resource: "namespaces" }, namespace);
    if (found.metadata?.deletionTimestamp !== undefined)
      throw namespaceTerminating(groupResourceOf(kind), name, namespace);
  }

  #namespaceFor(
    kind: ResourceKind,
    namespace: string | undefined,
    metadata: Record<string, unknown>,
  ): string | undefined {
    if (!kind.namespaced) return undefined;
    const fromBody =
      typeof metadata.namespace === "string" && metadata.namespace !== "" ? metadata.namespace : undefined;
    if (namespace !== undefined && fromBody !== undefined && fromBody !== namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    return namespace ?? fromBody ?? "default";
  }

  #checkBody(kind: ResourceKind, body: KubeObject): KubeObject {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw badRequest(`the body of the request must be a JSON object (a ${kind.kind})`);
    }
    const object = cloneJson(body);
    const expected = apiVersionOf(kind);
    if (object.apiVersion !== undefined && object.apiVersion !== expected) {
      throw badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expected})`,
      );
    }
    if (object.kind !== undefined && object.kind !== kind.kind) {
      throw badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${kind.kind})`);
    }
    object.apiVersion = expected;
    object.kind = kind.kind;
    if (object.metadata === undefined || object.metadata === null) object.metadata = {};
    if (typeof object.metadata !== "object" || Array.isArray(object.metadata)) {
      throw badRequest(
        `${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: metadata must be an object`,
      );
    }
    return object;
  }

  #validate(kind: ResourceKind, object: KubeObject, old: KubeObject | undefined, name: string): KubeObject {
    if (!kind.validate) return object;
    const result = kind.validate(object, old);
    if (result.causes.length > 0) throw invalid(kind.group, kind.kind, name, result.causes);
    return result.object ?? object;
  }

  #generateName(kind: ResourceKind, namespace: string | undefined, prefix: string): string {
    const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
    for (;;) {
      let suffix = "";
      for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
      if (!this.#bucket(kind).has(keyOf(namespace, base + suffix))) return base + suffix;
    }
  }

  // A list reads keys in order; sorting every key of a kind per list cost more than the list (thousands of Events,
  // read again at every step of a scenario). Kept per kind until a key comes or goes; a change of an object keeps it.
  #keysInOrder(bucket: Map<string, KubeObject>): readonly string[] {
    let keys = this.#sortedKeys.get(bucket);
    if (keys === undefined) {
      keys = [...bucket.keys()].sort();
      this.#sortedKeys.set(bucket, keys);
    }
    return keys;
  }

  #bucket(kind: ResourceKind): Map<string, KubeObject> {
    const key = resourceKey(kind);
    let bucket = this.#objects.get(key);
    if (!bucket) {
      bucket = new Map();
      this.#objects.set(key, bucket);
    }
    return bucket;
  }

  #nextResourceVersion(): number {
    this.#resourceVersion += 1;
    return this.#resourceVersion;
  }
}

function resourceKey(kind: ResourceKind): string {
  return `${kind.group}/${kind.version}/${kind.plural}`;
}

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

/** RFC 3339 at second precision, as metav1.Time marshals. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function specChanged(next: KubeObject, current: KubeObject): boolean {
  const strip = (o: KubeObject): KubeObject => {
    const { metadata: _m, status: _s, ...rest } = o;
    return rest;
  };
  return !isDeepStrictEqual(strip(next), strip(current));
}

// Server-set metadata in the order the API server writes it, so `-o yaml` reads as it would on a cluster.
function reorderMetadata(object: KubeObject, serverFields: Record<string, unknown>): KubeObject {
  const meta = object.metadata as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of [
    "annotations",
    "creationTimestamp",
    "deletionGracePeriodSeconds",
    "deletionTimestamp",
    "finalizers",
    "generateName",
    "generation",
    "labels",
    "managedFields",
    "name",
    "namespace",
    "ownerReferences",
    "resourceVersion",
    "uid",
  ]) {
    const value = key in serverFields ? serverFields[key] : meta[key];
    if (value !== undefined) ordered[key] = value;
  }
  for (const [key, value] of Object.entries(meta)) if (!(key in ordered)) ordered[key] = value;
  return { ...object, metadata: ordered };
}

// The object that left a read-only watcher's selection, as last seen at the version of the change: copied once per
// event and shared by every such watcher.
const leftSelectionOf = new WeakMap<StoredEvent, KubeObject>();

function leftSelection(event: StoredEvent): KubeObject {
  let object = leftSelectionOf.get(event);
  if (object === undefined) {
    object = cloneJson(event.previous as KubeObject);
    (object.metadata as Record<string, unknown>).resourceVersion = String(event.resourceVersion);
    leftSelectionOf.set(event, object);
  }
  return object;
}

/** The index of the first key not before `start` in sorted `keys` (string order, as the sort's). */
function firstAtOrAfter(keys: readonly string[], start: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((keys[mid] as string) < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
