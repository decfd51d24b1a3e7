/**
 * `minValues` on a NodePool requirement (Karpenter's `Requirements.SatisfiesMinValues` and
 * `InstanceTypes.SatisfiesMinValues`, core:pkg/cloudprovider/types.go): a NodeClaim's remaining instance types must
 * still give at least that many distinct values for the key (e.g. 5 instance families), so launch has room to pick.
 * Under `MIN_VALUES_POLICY=Strict` (Karpenter's default) a pod that would leave fewer is not added; under BestEffort
 * it is, and the NodeClaim is marked `karpenter.sh/nodeclaim-min-values-relaxed: "true"`.
 */
import type { InstanceType } from "../../cloudprovider/index.ts";
import type { RequirementSet } from "../../scheduling/index.ts";

export type MinValuesPolicy = "Strict" | "BestEffort";

export const ANNOTATION_MIN_VALUES_RELAXED = "karpenter.sh/nodeclaim-min-values-relaxed";

export interface MinValuesShortfall {
  readonly key: string;
  readonly minValues: number;
  /** Distinct values the types still give. */
  readonly found: number;
}

/** The first key (in `keys` order) whose minValues the types no longer meet. */
export function minValuesShortfall(
  requirements: RequirementSet,
  keys: readonly string[],
  types: readonly InstanceType[],
): MinValuesShortfall | undefined {
  for (const key of keys) {
    const minValues = requirements.valuesFor(key).minValues;
    if (minValues === undefined) continue;
    const values = new Set<string>();
    for (const it of types) {
      const allowed = it.requirements.valuesFor(key);
      if (allowed.complement) continue;
      for (const value of allowed.values) if (requirements.allows(key, value)) values.add(value);
      if (values.size >= minValues) break;
    }
    if (values.size < minValues) return { key, minValues, found: values.size };
  }
  return undefined;
}
