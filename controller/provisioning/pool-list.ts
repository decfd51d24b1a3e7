/**
 * A run's NodePools in the order Karpenter tries them (weight, then name), each with the instance types it may
 * launch, and the pools each `karpenter.sh/nodepool` value names. Worked out once per list of templates and map of
 * types, as the caller passes them: a disruption pass schedules thousands of times over the same ones, a few pods
 * at a time, and sorting and indexing every pool each time was most of such a run.
 */
import type { InstanceType } from "../../cloudprovider/index.ts";
import { byWeightThenName, LABEL_NODE_POOL, type NodePoolTemplate } from "./nodepool-template.ts";

export interface ListedPool {
  readonly template: NodePoolTemplate;
  readonly instanceTypes: readonly InstanceType[];
}

export interface PoolList {
  readonly pools: readonly ListedPool[];
  /** Pool name → position, for the pools whose requirements pin `karpenter.sh/nodepool` to their name. */
  readonly named: ReadonlyMap<string, number>;
  /** The positions of the others (a template not made by nodePoolTemplate). */
  readonly unnamed: readonly number[];
}

const NO_TYPES: readonly InstanceType[] = Object.freeze([]);
const lists = new WeakMap<
  readonly NodePoolTemplate[],
  { readonly instanceTypes: ReadonlyMap<string, readonly InstanceType[]>; readonly list: PoolList }
>();

export function poolList(
  nodePools: readonly NodePoolTemplate[],
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
): PoolList {
  const cached = lists.get(nodePools);
  if (cached !== undefined && cached.instanceTypes === instanceTypes) return cached.list;
  const pools = [...nodePools]
    .sort(byWeightThenName)
    .map((template) => ({ template, instanceTypes: instanceTypes.get(template.name) ?? NO_TYPES }));
  const named = new Map<string, number>();
  const unnamed: number[] = [];
  pools.forEach(({ template }, i) => {
    const allowed = template.requirements.valuesFor(LABEL_NODE_POOL);
    if (!allowed.complement && allowed.values.length === 1 && allowed.values[0] === template.name) {
      named.set(template.name, i);
    } else unnamed.push(i);
  });
  const list = { pools, named, unnamed };
  lists.set(nodePools, { instanceTypes, list });
  return list;
}
