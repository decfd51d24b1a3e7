// DescribeSpotPriceHistory in EC2's wire shape (SpotPrice: availabilityZone, instanceType, productDescription,
// spotPrice with six decimals, timestamp), newest first, as Karpenter's pricing provider reads it
// (aws:pkg/providers/pricing `UpdateSpotPricing`, which asks from now for the current prices). Prices come from the
// world's spot market (sim/world/cloud/spot-market.ts). One product is priced, `Linux/UNIX`; asking for others
// finds nothing. Without StartTime the answer is the prices in effect at EndTime (now by default) — EC2 would
// return days of history; a window (StartTime, EndTime) returns every change in it and the price in effect at its
// start, as EC2 documents.
import type { Cloud } from "../../world/cloud/cloud.ts";
import { CloudError } from "../../world/cloud/cloud-error.ts";
import { type SpotPrice, spotPriceHistory } from "../../world/cloud/spot-market.ts";
import type { QueryObject } from "../query-params.ts";
import type { XmlValue } from "../xml.ts";
import { applyFilters, parseFilters } from "./filters.ts";
import { paginate } from "./pagination.ts";
import { strings, text } from "./params.ts";

export const SPOT_PRODUCT = "Linux/UNIX";

function time(params: QueryObject, name: string): number | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new CloudError(
      "InvalidParameterValue",
      `Value (${value}) for parameter ${name} is invalid. Expected a date.`,
    );
  }
  return parsed;
}

export function describeSpotPriceHistory(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const now = cloud.now;
  const end = Math.min(time(params, "EndTime") ?? now, now);
  const start = Math.min(time(params, "StartTime") ?? end, end);
  const names = strings(params, "InstanceType");
  const products = strings(params, "ProductDescription");
  const zone = text(params, "AvailabilityZone");
  const types = names.length > 0 ? cloud.instanceTypes().filter((t) => names.includes(t.name)) : cloud.instanceTypes();
  const zones = cloud.scenario.zones.map((z) => z.name).filter((z) => zone === undefined || z === zone);
  const seed = cloud.scenario.spotPriceSeed;
  let prices: SpotPrice[] = [];
  if (products.length === 0 || products.includes(SPOT_PRODUCT)) {
    for (const type of types) {
      for (const z of zones) {
        if (cloud.isOffered(type.name, z)) prices.push(...spotPriceHistory(seed, type, z, start, end));
      }
    }
  }
  prices = applyFilters(prices, parseFilters(params), {
    "availability-zone": (p) => [p.zone],
    "instance-type": (p) => [p.instanceType],
    "product-description": () => [SPOT_PRODUCT],
    "spot-price": (p) => [p.priceUsd.toFixed(6)],
    timestamp: (p) => [new Date(p.timestamp).toISOString()],
  });
  prices.sort(
    (a, b) => b.timestamp - a.timestamp || a.instanceType.localeCompare(b.instanceType) || a.zone.localeCompare(b.zone),
  );
  const page = paginate("DescribeSpotPriceHistory", prices, params, { min: 1, max: 1000 });
  return {
    spotPriceHistorySet: page.items.map((p) => ({
      availabilityZone: p.zone,
      instanceType: p.instanceType,
      productDescription: SPOT_PRODUCT,
      spotPrice: p.priceUsd.toFixed(6),
      timestamp: new Date(p.timestamp),
    })),
    nextToken: page.nextToken,
  };
}
