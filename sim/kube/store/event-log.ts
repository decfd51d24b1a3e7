// The store's recent history: every change with its resource version and the object before and after, for
// watches that start at a past resource version and for lists read at one (continue tokens). Like etcd after
// compaction, only a window is kept; anything older is answered with 410 Expired.

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoredEvent {
  resourceVersion: number;
  type: WatchEventType;
  /** `group/version/resource` */
  resource: string;
  /** `namespace/name` (`/name` for cluster-scoped objects). */
  key: string;
  object: Record<string, unknown>;
  /** The object before the change (MODIFIED, DELETED). */
  previous?: Record<string, unknown>;
}

export class EventLog {
  readonly #events: StoredEvent[] = [];
  readonly #capacity: number;
  /** The newest resource version no longer covered by the window (0 while nothing was dropped). */
  #compacted = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  append(event: StoredEvent): void {
    this.#events.push(event);
    if (this.#events.length > this.#capacity) {
      const dropped = this.#events.splice(0, this.#events.length - this.#capacity);
      this.#compacted = dropped[dropped.length - 1]?.resourceVersion ?? this.#compacted;
    }
  }

  /** Whether the state right after `resourceVersion` can still be told (it is not older than the window). */
  covers(resourceVersion: number): boolean {
    return resourceVersion >= this.#compacted;
  }

  /** The oldest resource version a watch or list may still start from. */
  get oldest(): number {
    return this.#compacted;
  }

  /** Events after `resourceVersion`, oldest first. */
  since(resourceVersion: number): StoredEvent[] {
    // Resource versions grow with the array, so the start is found by binary search.
    let lo = 0;
    let hi = this.#events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#events[mid] as StoredEvent).resourceVersion <= resourceVersion) lo = mid + 1;
      else hi = mid;
    }
    return this.#events.slice(lo);
  }
}
