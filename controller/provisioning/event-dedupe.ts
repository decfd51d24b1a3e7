/**
 * Karpenter's events.Recorder de-duplication (core pkg/events/recorder.go, `Publish` → `shouldCreateEvent`): an Event
 * whose key was published within its timeout is not published again — no API call at all, where client-go's
 * correlator would still patch the earlier Event's count. FailedScheduling is keyed by the pod's uid with a 5-minute
 * timeout (pkg/controllers/provisioning/scheduling/events.go, `PodFailedToScheduleEvent`). Here the key also holds
 * the message, so a pod whose explanation changes is told at once; the same explanation is repeated at most every 5
 * minutes however often the provisioner runs. Bounded: past 10,000 keys the oldest go first.
 */
import type { Clock } from "../../api/index.ts";

export const FAILED_SCHEDULING_DEDUPE_MS = 5 * 60_000;
const MAX_KEYS = 10_000;

export class EventDedupe {
  readonly #clock: Clock;
  /** Key → until when (ms) an Event with it is not published again; in insertion order, oldest first. */
  readonly #until = new Map<string, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Whether to publish an Event with this key now; a yes holds the key for `timeoutMs`. */
  admit(key: string, timeoutMs: number): boolean {
    const now = this.#clock.now().getTime();
    const until = this.#until.get(key);
    if (until !== undefined && until > now) return false;
    this.#until.delete(key);
    this.#until.set(key, now + timeoutMs);
    // Every key is held for one of a few fixed timeouts, so the oldest inserted is about the first to expire.
    for (const oldest of this.#until.keys()) {
      if (this.#until.size <= MAX_KEYS) break;
      this.#until.delete(oldest);
    }
    return true;
  }
}
