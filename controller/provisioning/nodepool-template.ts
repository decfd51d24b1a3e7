/**
 * A NodePool as the scheduler uses it (Karpenter's `NodeClaimTemplate`, core:pkg/controllers/provisioning/scheduling/
 * nodeclaimtemplate.go): its requirements with the template labels and `karpenter.sh/nodepool` layered on as
 * `In [value]`, its taints (startup taints are left out: they are expected to go away, so pods need not tolerate
 * them), labels and limits; and the order pools are tried in: weight descending, then name.
 */
import type { NodePool } from "../../api/index.ts";
import { ValueError } from "../../api/index.ts";
import { maxHourlyCost } from "./hourly-cost-cap.ts";
import {
  type NodeSelectorRequirement,
  parseResourceList,
  RequirementSet,
  type ResourceList,
  type Taint,
} from "../../scheduling/index.ts";

export const LABEL_NODE_POOL = "karpenter.sh/nodepool";

export interface NodePoolTemplate {
  readonly name: string;
  readonly weight: number;
  readonly requirements: RequirementSet;
  /** As written, for the NodeClaim (minValues kept). */
  readonly requirementList: readonly NodeSelectorRequirement[];
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly startupTaints: readonly Taint[];
  readonly limits: ResourceList | undefined;
  /** `poolkeeper.dev/max-hourly-cost`, USD per hour. */
  readonly maxHourlyCost: number | undefined;
  readonly nodePool: NodePool;
}

/** Throws ValueError naming the NodePool and field when its requirements, limits or cost cap cannot be read. */
export function nodePoolTemplate(nodePool: NodePool): NodePoolTemplate {
  const name = nodePool.metadata?.name ?? "";
  const spec = nodePool.spec.template.spec;
  const labels = { ...(nodePool.spec.template.metadata?.labels ?? {}), [LABEL_NODE_POOL]: name };
  const requirementList: NodeSelectorRequirement[] = [
    ...spec.requirements.map((r) => ({
      key: r.key,
      operator: r.operator,
      values: r.values ?? [],
      ...(r.minValues === undefined ? {} : { minValues: r.minValues }),
    })),
    ...Object.entries(labels).map(([key, value]) => ({ key, operator: "In" as const, values: [value] })),
  ];
  let requirements: RequirementSet;
  try {
    requirements = RequirementSet.fromRequirements(requirementList);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    const path = "spec.template.spec.requirements";
    throw new ValueError(`NodePool ${name} ${path}: ${error.message}`, spec.requirements, { path, cause: error });
  }
  const limits = nodePool.spec.limits;
  return {
    name,
    weight: nodePool.spec.weight ?? 0,
    requirements,
    requirementList,
    labels,
    taints: (spec.taints ?? []) as Taint[],
    startupTaints: (spec.startupTaints ?? []) as Taint[],
    limits: limits === undefined ? undefined : parseResourceList(limits, `NodePool ${name} spec.limits`),
    maxHourlyCost: maxHourlyCost(name, nodePool.metadata?.annotations),
    nodePool,
  };
}

/** Pools in the order Karpenter tries them (`scheduler.go` sorts templates by weight, then name). */
export function byWeightThenName(a: NodePoolTemplate, b: NodePoolTemplate): number {
  return b.weight - a.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
