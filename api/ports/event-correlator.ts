// Event de-duplication and aggregation, as client-go's EventCorrelator (tools/record/events_cache.go) does it
// before an event reaches the API server, so a controller that reports the same thing every second writes one
// Event whose count and lastTimestamp move instead of thousands of objects:
// - spam filter (EventSourceObjectSpamFilter): per source and involved object, a token bucket of 25 events
//   refilled one every 5 minutes; an event past it is dropped;
// - aggregation (EventAggregator): more than 10 events within 10 minutes that differ only in their message become
//   one event "(combined from similar events): <latest message>";
// - de-duplication (eventLogger.eventObserve): an event equal to one already written (same source, object, type,
//   reason and message) is a patch of that one's count, message and lastTimestamp.
// Pure: the caller writes what it is told and reports the written Event back with `observed`.
import type { Clock } from "../ports.ts";
import type { Event, ObjectReference } from "./kube-objects.ts";

const MAX_LRU_CACHE_ENTRIES = 4096;
const DEFAULT_AGGREGATE_MAX_EVENTS = 10;
const DEFAULT_AGGREGATE_INTERVAL_MS = 600_000;
const DEFAULT_SPAM_BURST = 25;
const DEFAULT_SPAM_QPS = 1 / 300;

export type EventWrite =
  | { action: "create"; event: Event }
  | { action: "patch"; event: Event; patch: { count: number; message: string; lastTimestamp: string } }
  | { action: "drop" };

export interface EventInput {
  involved: ObjectReference;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

interface Observed {
  count: number;
  firstTimestamp: string;
  name: string;
}

/** metav1.Time: RFC 3339 in whole seconds. */
function eventTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A bounded LRU map (golang-lru as client-go uses it). */
class Lru<V> {
  readonly #entries = new Map<string, V>();
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= MAX_LRU_CACHE_ENTRIES) break;
      this.#entries.delete(oldest);
    }
  }
}

export class EventCorrelator {
  readonly #clock: Clock;
  readonly #component: string;
  readonly #host: string | undefined;
  readonly #spam = new Lru<{ tokens: number; at: number }>();
  readonly #aggregate = new Lru<{ messages: Set<string>; lastTimestamp: number }>();
  readonly #observed = new Lru<Observed>();
  /** The last UnixNano named: two events in one millisecond (or at one fake instant) get distinct names. */
  #lastNanos = 0n;

  /** `component` and `host` are the events' source (EventSource), as the recorder's. */
  constructor(clock: Clock, source: { component: string; host?: string }) {
    this.#clock = clock;
    this.#component = source.component;
    this.#host = source.host;
  }

  /** What to write for `input`: a new Event, a patch of one already written, or nothing (spam). */
  correlate(input: EventInput): EventWrite {
    const now = this.#clock.now();
    if (!this.#allowedBySpamFilter(input, now.getTime())) return { action: "drop" };
    const { message, key } = this.#aggregated(input, now.getTime());
    const at = eventTime(now);
    const last = this.#observed.get(key);
    const event: Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: last?.name ?? `${input.involved.name ?? ""}.${this.#nextNanos(now).toString(16)}`,
        namespace: input.involved.namespace || "default",
      },
      involvedObject: input.involved,
      reason: input.reason,
      message,
      type: input.type,
      source: { component: this.#component, ...(this.#host ? { host: this.#host } : {}) },
      count: (last?.count ?? 0) + 1,
      firstTimestamp: last?.firstTimestamp ?? at,
      lastTimestamp: at,
    };
    this.#observed.set(key, {
      count: event.count as number,
      firstTimestamp: event.firstTimestamp as string,
      name: event.metadata.name as string,
    });
    if (!last) return { action: "create", event };
    return { action: "patch", event, patch: { count: event.count as number, message, lastTimestamp: at } };
  }

  /** The Event the API server stored for a write: a patch that found nothing became a create with a new name. */
  observed(input: EventInput, written: Event): void {
    const { key } = this.#keys(input);
    const aggregateKey = this.#aggregateKeyIfCombined(input);
    this.#observed.set(aggregateKey ?? key, {
      count: written.count ?? 1,
      firstTimestamp: written.firstTimestamp ?? eventTime(this.#clock.now()),
      name: written.metadata.name ?? "",
    });
  }

  #nextNanos(at: Date): bigint {
    const nanos = BigInt(at.getTime()) * 1_000_000n;
    this.#lastNanos = nanos > this.#lastNanos ? nanos : this.#lastNanos + 1n;
    return this.#lastNanos;
  }

  #allowedBySpamFilter(input: EventInput, now: number): boolean {
    const key = JSON.stringify([this.#component, this.#host, ...objectKey(input.involved)]);
    const bucket = this.#spam.get(key) ?? { tokens: DEFAULT_SPAM_BURST, at: now };
    bucket.tokens = Math.min(DEFAULT_SPAM_BURST, bucket.tokens + ((now - bucket.at) / 1000) * DEFAULT_SPAM_QPS);
    bucket.at = now;
    this.#spam.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** EventAggregate: the message and de-duplication key, combined once similar events exceed the limit. */
  #aggregated(input: EventInput, now: number): { message: string; key: string } {
    const { aggregateKey, key } = this.#keys(input);
    let record = this.#aggregate.get(aggregateKey);
    if (!record || now - record.lastTimestamp > DEFAULT_AGGREGATE_INTERVAL_MS) {
      record = { messages: new Set(), lastTimestamp: now };
    }
    record.messages.add(input.message);
    record.lastTimestamp = now;
    this.#aggregate.set(aggregateKey, record);
    if (record.messages.size < DEFAULT_AGGREGATE_MAX_EVENTS) return { message: input.message, key };
    return { message: `(combined from similar events): ${input.message}`, key: aggregateKey };
  }

  #aggregateKeyIfCombined(input: EventInput): string | undefined {
    const { aggregateKey } = this.#keys(input);
    const record = this.#aggregate.get(aggregateKey);
    return record && record.messages.size >= DEFAULT_AGGREGATE_MAX_EVENTS ? aggregateKey : undefined;
  }

  /** EventAggregatorByReasonFunc's aggregate key (no message, no field path), and getEventKey (both). */
  #keys(input: EventInput): { aggregateKey: string; key: string } {
    const source = [this.#component, this.#host];
    const object = objectKey(input.involved);
    return {
      aggregateKey: JSON.stringify([...source, ...object, input.type, input.reason]),
      key: JSON.stringify([...source, ...object, input.involved.fieldPath, input.type, input.reason, input.message]),
    };
  }
}

function objectKey(ref: ObjectReference): (string | undefined)[] {
  return [ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion];
}
