/**
 * The `poolkeeper.dev/max-hourly-cost` NodePool annotation (kubernetes-sigs/karpenter#1215): a cap on the pool's total
 * USD per hour, kept like a limit. Existing nodes count at their launched offering's price; each NodeClaim opened in
 * this run counts at the dearest offering any of its remaining instance types could launch with, since launch may
 * fall back to any of them; a type that could take the pool over the cap is not offered, as for limits.
 */
import { ValueError } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import type { RequirementSet } from "../../scheduling/index.ts";

export const ANNOTATION_MAX_HOURLY_COST = "poolkeeper.dev/max-hourly-cost";

/** Undefined when the pool sets no cap. Throws ValueError naming the NodePool and annotation for a bad value. */
export function maxHourlyCost(
  nodePool: string,
  annotations: Readonly<Record<string, string>> | undefined,
): number | undefined {
  const text = annotations?.[ANNOTATION_MAX_HOURLY_COST];
  if (text === undefined) return undefined;
  const value = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new ValueError(
      `NodePool ${nodePool} metadata.annotations.${ANNOTATION_MAX_HOURLY_COST}: "${text}" is not a number of USD per hour (e.g. "12.50")`,
      text,
    );
  }
  return value;
}

/** The dearest available offering the requirements allow, USD per hour; undefined when none can launch. */
export function worstCasePrice(it: InstanceType, requirements: RequirementSet): number | undefined {
  let worst: number | undefined;
  for (const offering of it.offerings) {
    if (!offering.available || !requirements.intersects(offering.requirements)) continue;
    if (worst === undefined || offering.price > worst) worst = offering.price;
  }
  return worst;
}

/** What a NodeClaim with these options counts against the cap. */
export function claimHourlyCost(types: readonly InstanceType[], requirements: RequirementSet): number {
  let worst = 0;
  for (const it of types) worst = Math.max(worst, worstCasePrice(it, requirements) ?? 0);
  return worst;
}

/** "$12.50". */
export function formatDollars(value: number): string {
  return `$${value.toFixed(2)}`;
}
