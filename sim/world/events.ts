// core/v1 Events the world's components record (Scheduled, FailedScheduling, Pulled, Started…), so `kubectl
// describe pod` shows what happened as it would on a cluster. Named `<object>.<hex time>` as client-go's event
// recorder names them; a repeat of the same reason and message for the same object bumps `count` and
// `lastTimestamp` instead of adding another (the recorder's EventCorrelator aggregation, simplified).
import { createHash } from "node:crypto";
import { timestamp, type ObjectStore } from "../kube/store/object-store.ts";
import type { KubeObject, ResourceKind } from "../kube/store/resource-kind.ts";

export interface EventSource {
  component: string;
  host?: string;
}

export class EventRecorder {
  readonly #store: ObjectStore;
  readonly #events: ResourceKind;
  readonly #source: EventSource;

  constructor(store: ObjectStore, source: EventSource) {
    this.#store = store;
    this.#events = store.registry.get("", "v1", "events");
    this.#source = source;
  }

  record(object: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void {
    const meta = (object.metadata ?? {}) as Record<string, unknown>;
    const namespace = typeof meta.namespace === "string" && meta.namespace !== "" ? meta.namespace : "default";
    const name = String(meta.name ?? "");
    const now = timestamp(this.#store.now());
    // One event per (object, reason, message): the correlator's key, hashed to keep the name short.
    const key = createHash("sha256")
      .update(`${String(meta.uid ?? "")}/${reason}/${message}`)
      .digest("hex")
      .slice(0, 16);
    const eventName = `${name}.${key}`;
    const existing = this.#store.find(this.#events, namespace, eventName);
    if (existing) {
      this.#store.update(this.#events, namespace, eventName, {
        ...existing,
        count: Number(existing.count ?? 1) + 1,
        lastTimestamp: now,
      });
      return;
    }
    this.#store.create(this.#events, namespace, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: eventName, namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      reason,
      message,
      type,
      source: this.#source,
      reportingComponent: this.#source.component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
  }
}
