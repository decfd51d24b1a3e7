/**
 * Offerings that recently could not be launched (aws:pkg/cache/unavailableofferings.go): an instance type in a
 * zone for a capacity type, kept unavailable for 3 minutes (`UnavailableOfferingsTTL`) after an
 * unfulfillable-capacity error or a spot interruption, on the clock. Expired entries are dropped when read.
 */
import type { Clock } from "../../api/index.ts";
import type { CapacityType } from "../offering.ts";

export const UNAVAILABLE_OFFERINGS_TTL_MS = 3 * 60_000;

export class UnavailableOfferings {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #until = new Map<string, number>();

  constructor(clock: Clock, ttlMs = UNAVAILABLE_OFFERINGS_TTL_MS) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  markUnavailable(instanceType: string, zone: string, capacityType: CapacityType): void {
    this.#until.set(key(instanceType, zone, capacityType), this.#clock.now().getTime() + this.#ttlMs);
  }

  isUnavailable(instanceType: string, zone: string, capacityType: CapacityType): boolean {
    return this.unavailableUntil(instanceType, zone, capacityType) !== undefined;
  }

  /** `type:zone:capacityType@until` of each entry that holds now, sorted; expired ones are dropped. */
  liveEntries(): string[] {
    const now = this.#clock.now().getTime();
    for (const [k, until] of this.#until) if (now > until) this.#until.delete(k);
    return [...this.#until].map(([k, until]) => `${k}@${until}`).sort();
  }

  /** When the entry expires, while it holds; undefined when the offering is not in the cache. */
  unavailableUntil(instanceType: string, zone: string, capacityType: CapacityType): Date | undefined {
    const k = key(instanceType, zone, capacityType);
    const until = this.#until.get(k);
    if (until === undefined) return undefined;
    // Through the last instant: go-cache expires an entry only once the time is past it.
    if (this.#clock.now().getTime() <= until) return new Date(until);
    this.#until.delete(k);
    return undefined;
  }
}

function key(instanceType: string, zone: string, capacityType: CapacityType): string {
  return `${instanceType}:${zone}:${capacityType}`;
}
