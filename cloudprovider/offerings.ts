/**
 * An instance type's offerings and the questions the scheduler asks of them (Karpenter's `cloudprovider.Offerings`,
 * core:pkg/cloudprovider/types.go). Immutable; each filter returns a new `Offerings`.
 */
import type { RequirementSet } from "../scheduling/index.ts";
import type { Offering } from "./offering.ts";

export class Offerings implements Iterable<Offering> {
  readonly items: readonly Offering[];

  constructor(items: readonly Offering[]) {
    this.items = Object.freeze([...items]);
  }

  get length(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<Offering> {
    return this.items[Symbol.iterator]();
  }

  /** The ones that can be launched now (`Offerings.Available`). */
  available(): Offerings {
    return new Offerings(this.items.filter((offering) => offering.available));
  }

  /**
   * The ones whose requirements the given ones allow (`Offerings.Compatible`). Karpenter asks
   * `IsCompatible(offering, AllowUndefinedWellKnownLabels)`; every key an offering constrains is well known, so
   * that is `Intersects`: a key only one side names does not matter.
   */
  compatible(requirements: RequirementSet): Offerings {
    return new Offerings(this.items.filter((offering) => requirements.intersects(offering.requirements)));
  }

  /** Whether any is compatible (`Offerings.HasCompatible`). */
  hasCompatible(requirements: RequirementSet): boolean {
    return this.items.some((offering) => requirements.intersects(offering.requirements));
  }

  /** The lowest price, the first of equals (`Offerings.Cheapest`, lo.MinBy); undefined when there are none. */
  cheapest(): Offering | undefined {
    let best: Offering | undefined;
    for (const offering of this.items) if (best === undefined || offering.price < best.price) best = offering;
    return best;
  }
}
