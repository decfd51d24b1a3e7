/**
 * Instance types with offerings, as karpenter-provider-aws's instance-type and pricing providers build them
 * (aws:pkg/providers/instancetype/instancetype.go `List`, offering/ `createOfferings`, aws:pkg/providers/pricing):
 *
 * - which types exist and where: DescribeInstanceTypes (the usage classes each supports) and
 *   DescribeInstanceTypeOfferings (the zones), refreshed every 12 hours on the clock; until the first refresh
 *   answers, and whenever one fails, the bundled catalog stands in (every type, every zone, on-demand and spot);
 * - shapes and on-demand prices from the catalog, whose capacity math is checked against Karpenter's published
 *   figures (vCPUs and memory as EC2 describes them when it does); types EC2 lists that the catalog lacks are
 *   left out, having no price;
 * - spot prices: the latest of DescribeSpotPriceHistory per type and zone; a spot offering without a price is
 *   listed unavailable, as Karpenter lists it;
 * - observed capacity: once a node of a type has registered under an EC2NodeClass, its memory replaces the
 *   estimate for that (type, EC2NodeClass hash), as Karpenter's discovered-capacity cache does.
 */
import type { Ec2Port, Quantity, TimerClock, Timer } from "../../api/index.ts";
import type { CapacitySettings } from "../capacity-settings.ts";
import { instanceTypeCapacity, instanceTypeOverhead } from "../capacity.ts";
import type { CatalogInstanceType, InstanceTypeCatalog } from "../catalog/catalog.ts";
import { InstanceType } from "../instance-type.ts";
import { instanceTypeRequirements } from "../instance-type-requirements.ts";
import {
  CAPACITY_TYPE_ON_DEMAND,
  CAPACITY_TYPE_SPOT,
  newOffering,
  type CapacityType,
  type Offering,
} from "../offering.ts";

export const INSTANCE_TYPES_REFRESH_MS = 12 * 60 * 60_000;
// Karpenter asks for the last few hours of spot prices; the latest per type and zone is the price.
const SPOT_HISTORY_WINDOW_MS = 3 * 60 * 60_000;

export interface ZoneInfo {
  readonly zone: string;
  readonly zoneId: string | undefined;
}

interface Described {
  readonly types: ReadonlyMap<string, CatalogInstanceType>;
  readonly usageClasses: ReadonlyMap<string, readonly CapacityType[]>;
  /** type → zones; undefined: not described yet, every zone. */
  readonly zones: ReadonlyMap<string, ReadonlySet<string>> | undefined;
}

export interface InstanceTypeSourceOptions {
  readonly ec2: Ec2Port;
  readonly catalog: InstanceTypeCatalog;
  readonly clock: TimerClock;
  readonly region: string;
  readonly isUnavailable: (instanceType: string, zone: string, capacityType: CapacityType) => boolean;
  /** When an offering `isUnavailable` holds comes back, for the scheduler's explanations; optional. */
  readonly unavailableUntil?: (instanceType: string, zone: string, capacityType: CapacityType) => Date | undefined;
  /**
   * What `isUnavailable` and `unavailableUntil` answer now, as a string that changes whenever they would: with it,
   * the full list is built once and reused while nothing it reads has changed; without it, built on every call.
   */
  readonly unavailableVersion?: () => string;
  readonly refreshIntervalMs?: number;
}

const BOTH: readonly CapacityType[] = [CAPACITY_TYPE_ON_DEMAND, CAPACITY_TYPE_SPOT];

export class InstanceTypeSource {
  readonly #options: InstanceTypeSourceOptions;
  #described: Described;
  readonly #spotPrices = new Map<string, { price: number; at: number }>();
  readonly #observedMemory = new Map<string, Quantity>();
  #timer: Timer | undefined;
  /** Bumped whenever what `list` reads besides its arguments and the unavailable offerings changes. */
  #generation = 0;
  /**
   * Full lists already built, by everything they depend on (aws:pkg/providers/instancetype/instancetype.go `List`
   * caches its instance types by such a key, and offering/ the offerings by the pricing's and the unavailable
   * offerings' sequence numbers): building all 1,364 types with their requirements, offerings and overhead took
   * about a second of a provisioning run's decision under load. The InstanceTypes are immutable, so sharing them is
   * safe. Holds one list per EC2NodeClass (its zones, settings and hash), the newest: a list is about 19 MiB of heap
   * (the demo's heap snapshot), and a list of an older generation or unavailable-offerings state is never asked for
   * again — keeping sixteen of them whatever their state let one class's ICE churn hold 300 MiB.
   */
  readonly #listed = new Map<string, { state: string; types: readonly InstanceType[] }>();
  /** The error of the last refresh, if it failed (the previous data is kept). */
  lastRefreshError: unknown;

  constructor(options: InstanceTypeSourceOptions) {
    this.#options = options;
    this.#described = {
      types: new Map(options.catalog.types.map((type) => [type.name, type])),
      usageClasses: new Map(),
      zones: undefined,
    };
  }

  /**
   * Asks EC2 for types, offerings and spot prices. A call that fails leaves what it would have replaced as it was
   * (the catalog, before the first success) and is kept in `lastRefreshError`; the others still apply.
   */
  async refresh(): Promise<void> {
    const { ec2, catalog, clock } = this.#options;
    this.lastRefreshError = undefined;
    const [infos, offerings, prices] = await Promise.allSettled([
      ec2.describeInstanceTypes(),
      ec2.describeInstanceTypeOfferings(),
      ec2.describeSpotPriceHistory({ startTime: new Date(clock.now().getTime() - SPOT_HISTORY_WINDOW_MS) }),
    ]);
    let { types, usageClasses, zones } = this.#described;
    if (infos.status === "fulfilled") {
      const byName = new Map(catalog.types.map((type) => [type.name, type]));
      const described = new Map<string, CatalogInstanceType>();
      const classes = new Map<string, CapacityType[]>();
      for (const info of infos.value) {
        const known = byName.get(info.instanceType);
        if (known === undefined) continue;
        described.set(info.instanceType, {
          ...known,
          vcpu: info.vcpus > 0 ? info.vcpus : known.vcpu,
          memoryMiB: info.memoryMiB > 0 ? info.memoryMiB : known.memoryMiB,
        });
        classes.set(
          info.instanceType,
          BOTH.filter((c) => info.supportedUsageClasses.includes(c)),
        );
      }
      types = described;
      usageClasses = classes;
    } else this.lastRefreshError = infos.reason;
    if (offerings.status === "fulfilled") {
      const byType = new Map<string, Set<string>>();
      for (const o of offerings.value) {
        let set = byType.get(o.instanceType);
        if (set === undefined) byType.set(o.instanceType, (set = new Set()));
        set.add(o.zone);
      }
      zones = byType;
    } else this.lastRefreshError ??= offerings.reason;
    if (prices.status === "fulfilled") {
      for (const p of prices.value) {
        if (!Number.isFinite(p.price) || p.price < 0) continue;
        const key = `${p.instanceType}:${p.zone}`;
        const at = p.timestamp.getTime();
        const current = this.#spotPrices.get(key);
        if (current === undefined || at >= current.at) this.#spotPrices.set(key, { price: p.price, at });
      }
    } else this.lastRefreshError ??= prices.reason;
    this.#described = { types, usageClasses, zones };
    this.#changed();
  }

  /** Refreshes now and then every 12 hours on the clock until `stop`. Failures are kept, not thrown. */
  start(): Promise<void> {
    const run = async () => {
      try {
        await this.refresh();
      } catch (error) {
        this.lastRefreshError = error;
      }
    };
    const arm = () => {
      this.#timer = this.#options.clock.afterFunc(this.#options.refreshIntervalMs ?? INSTANCE_TYPES_REFRESH_MS, () => {
        void run().then(arm);
      });
    };
    return run().then(arm);
  }

  stop(): void {
    this.#timer?.stop();
    this.#timer = undefined;
  }

  /** Records a registered node's memory capacity for its type under an EC2NodeClass (by its hash). */
  recordObservedMemory(instanceType: string, nodeClassHash: string, memory: Quantity): void {
    const key = `${instanceType}:${nodeClassHash}`;
    if (this.#observedMemory.get(key)?.value() === memory.value()) return;
    this.#observedMemory.set(key, memory);
    this.#changed();
  }

  #changed(): void {
    this.#generation += 1;
    this.#listed.clear();
  }

  /** How many full lists are held (one per EC2NodeClass at most, the newest). */
  get listsHeld(): number {
    return this.#listed.size;
  }

  spotPrice(instanceType: string, zone: string): number | undefined {
    return this.#spotPrices.get(`${instanceType}:${zone}`)?.price;
  }

  /**
   * Every known type (or only the named ones: building all 1,364 takes a few hundred milliseconds) with offerings
   * in the given zones, for an EC2NodeClass's settings and hash.
   */
  list(
    zones: readonly ZoneInfo[],
    settings: CapacitySettings,
    nodeClassHash: string,
    names?: ReadonlySet<string>,
  ): InstanceType[] {
    const version = this.#options.unavailableVersion;
    if (version === undefined) return this.#build(zones, settings, nodeClassHash, names);
    const key = JSON.stringify([zones, settings, nodeClassHash]);
    const state = `${this.#generation}/${version()}`;
    let listed = this.#listed.get(key);
    if (names !== undefined) {
      // A launch asks for its NodeClaim's few types (up to 60): the current full list's own objects, as Karpenter's
      // cloud provider `Create` filters its cached `List` — building them apart made a copy per launch, and the e2e
      // bench's 50 launches in flight together held about 40 MB of copies (docs/performance.md, "End to end").
      // Built apart only when the list is not current (an ICE or a new observed capacity since), which is cheaper
      // than building all of them again here.
      if (listed?.state === state) return listed.types.filter((type) => names.has(type.name));
      return this.#build(zones, settings, nodeClassHash, names);
    }
    if (listed?.state !== state) {
      listed = { state, types: this.#build(zones, settings, nodeClassHash) };
      // A class's older list is replaced; classes no longer asked for (deleted, their hash changed) go in bulk.
      if (!this.#listed.has(key) && this.#listed.size >= 16) this.#listed.clear();
      this.#listed.set(key, listed);
    }
    return [...listed.types];
  }

  #build(
    zones: readonly ZoneInfo[],
    settings: CapacitySettings,
    nodeClassHash: string,
    names?: ReadonlySet<string>,
  ): InstanceType[] {
    const { types, usageClasses, zones: offered } = this.#described;
    const zoneNames = zones.map((z) => z.zone);
    const zoneIds = Object.fromEntries(zones.flatMap((z) => (z.zoneId === undefined ? [] : [[z.zone, z.zoneId]])));
    const result: InstanceType[] = [];
    for (const type of types.values()) {
      if (names !== undefined && !names.has(type.name)) continue;
      const capacityTypes = usageClasses.get(type.name) ?? BOTH;
      const typeZones = offered === undefined ? zoneNames : zoneNames.filter((z) => offered.get(type.name)?.has(z));
      const offerings: Offering[] = [];
      for (const zone of typeZones) {
        for (const capacityType of capacityTypes) {
          const spot = capacityType === CAPACITY_TYPE_SPOT;
          const spotPrice = spot ? this.spotPrice(type.name, zone) : undefined;
          const iced = this.#options.isUnavailable(type.name, zone, capacityType);
          const until = iced ? this.#options.unavailableUntil?.(type.name, zone, capacityType) : undefined;
          offerings.push(
            newOffering({
              zone,
              zoneId: zoneIds[zone],
              capacityType,
              price: spot ? (spotPrice ?? type.onDemandUsd) : type.onDemandUsd,
              available: (!spot || spotPrice !== undefined) && !iced,
              ...(until === undefined ? {} : { unavailableUntil: until }),
            }),
          );
        }
      }
      let capacity = instanceTypeCapacity(type, settings);
      const observed = this.#observedMemory.get(`${type.name}:${nodeClassHash}`);
      if (observed !== undefined) capacity = Object.freeze({ ...capacity, memory: observed });
      result.push(
        new InstanceType({
          name: type.name,
          requirements: instanceTypeRequirements(type, {
            amiFamily: settings.amiFamily,
            zones: typeZones,
            zoneIds,
            region: this.#options.region,
            capacityTypes,
          }),
          offerings,
          capacity,
          overhead: instanceTypeOverhead(type, settings),
        }),
      );
    }
    return result;
  }
}
