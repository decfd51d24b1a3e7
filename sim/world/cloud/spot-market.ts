// The world's spot market: a price and a capacity level per offering (instance type in a zone), derived from the
// scenario's seed so that a world replays with the same prices. The discount below the on-demand price stays
// between 30 % and 70 % and drifts slowly: each offering's price changes once an hour of simulated time (at its own
// minute and second, as the real DescribeSpotPriceHistory records do), following a sine of a period of three to ten
// days. Pure functions of (seed, type, zone, time): nothing is stored, so any clock position gives the same answer.
import { createHash } from "node:crypto";

/** One price change: the price in effect from `timestamp` until the offering's next change. */
export interface SpotPrice {
  instanceType: string;
  zone: string;
  /** USD per hour, rounded to the 4 decimals EC2 prices spot in. */
  priceUsd: number;
  timestamp: number;
}

const HOUR_MS = 3_600_000;
const MIN_DISCOUNT = 0.3;
const MAX_DISCOUNT = 0.7;

/** Uniform numbers in [0, 1) drawn from the seed and the offering: four independent draws per offering. */
function draws(seed: number, instanceType: string, zone: string): [number, number, number, number] {
  const digest = createHash("sha256").update(`${seed}\0${instanceType}\0${zone}`).digest();
  const at = (i: number) => digest.readUInt32BE(i * 4) / 2 ** 32;
  return [at(0), at(1), at(2), at(3)];
}

interface Drift {
  /** Where in the hour this offering's price changes, in whole seconds as EC2's records are. */
  offsetMs: number;
  phase: number;
  periodHours: number;
}

const driftCache = new Map<string, Drift>();

function driftOf(seed: number, instanceType: string, zone: string): Drift {
  const key = `${seed}\0${instanceType}\0${zone}`;
  let drift = driftCache.get(key);
  if (!drift) {
    const [offset, phase, period] = draws(seed, instanceType, zone);
    drift = { offsetMs: Math.floor(offset * 3600) * 1000, phase: phase * 2 * Math.PI, periodHours: 72 + period * 168 };
    if (driftCache.size > 100_000) driftCache.clear();
    driftCache.set(key, drift);
  }
  return drift;
}

/** The price of change number `k` (the k-th hour since the epoch, plus the offering's offset). */
function priceOfChange(onDemandUsd: number, drift: Drift, k: number): number {
  const wave = 0.5 + 0.5 * Math.sin(drift.phase + (2 * Math.PI * k) / drift.periodHours);
  const discount = MIN_DISCOUNT + (MAX_DISCOUNT - MIN_DISCOUNT) * wave;
  return Math.max(0.0001, Math.round(onDemandUsd * (1 - discount) * 10_000) / 10_000);
}

/** The index of the change in effect at `time`. */
function changeAt(drift: Drift, time: number): number {
  return Math.floor((time - drift.offsetMs) / HOUR_MS);
}

/** The spot price of an offering at `time`. */
export function spotPriceAt(
  seed: number,
  type: { name: string; onDemandUsd: number },
  zone: string,
  time: number,
): SpotPrice {
  const drift = driftOf(seed, type.name, zone);
  const k = changeAt(drift, time);
  return {
    instanceType: type.name,
    zone,
    priceUsd: priceOfChange(type.onDemandUsd, drift, k),
    timestamp: k * HOUR_MS + drift.offsetMs,
  };
}

/**
 * The price changes of an offering that matter between `start` and `end`, newest first, as
 * DescribeSpotPriceHistory answers: every change within the window and the one in effect at `start`.
 */
export function spotPriceHistory(
  seed: number,
  type: { name: string; onDemandUsd: number },
  zone: string,
  start: number,
  end: number,
): SpotPrice[] {
  const drift = driftOf(seed, type.name, zone);
  const history: SpotPrice[] = [];
  for (let k = changeAt(drift, end); k >= changeAt(drift, start); k--) {
    history.push({
      instanceType: type.name,
      zone,
      priceUsd: priceOfChange(type.onDemandUsd, drift, k),
      timestamp: k * HOUR_MS + drift.offsetMs,
    });
  }
  return history;
}

/**
 * How much spare spot capacity an offering's pool has, from 1 (little) to 3 (plenty), drawn from the seed. The
 * capacity-aware allocation strategies prefer the deepest pools; the level does not move with time.
 */
export function spotCapacityLevel(seed: number, instanceType: string, zone: string): 1 | 2 | 3 {
  const [, , , depth] = draws(seed, instanceType, zone);
  return depth < 1 / 3 ? 1 : depth < 2 / 3 ? 2 : 3;
}
