/**
 * Whether a NodeClaim has drifted from what would be launched for it now, and why (Karpenter's
 * core:pkg/controllers/nodeclaim/disruption/drift.go `isDrifted`, reasons in the order it checks them): the NodePool
 * template's hash (`NodePoolDrifted`), its requirements no longer admitting the node's labels
 * (`RequirementsDrifted`), then what the cloud provider's `isDrifted` answered for the EC2NodeClass (AMI, subnet,
 * security groups, static hash), which the snapshot carries. A `Drifted` condition someone already set counts too.
 */
import type { Condition, NodePool } from "../../api/index.ts";
import type { DriftReason } from "../../cloudprovider/index.ts";
import { type NodeSelectorRequirement, RequirementSet } from "../../scheduling/index.ts";
import { CONDITION_DRIFTED, conditionOf, type NodeFacts } from "./node-facts.ts";
import { templateDrifted } from "./nodepool-hash.ts";

export function driftReason(facts: NodeFacts, nodePool: NodePool): DriftReason | string | undefined {
  const { nodeClaim } = facts.source;
  if (templateDrifted(nodeClaim, nodePool)) return "NodePoolDrifted";
  if (requirementsDrifted(facts.labels, nodePool)) return "RequirementsDrifted";
  if (facts.source.cloudDrift !== undefined) return facts.source.cloudDrift;
  const condition = conditionOf(nodeClaim.status?.conditions as Condition[] | undefined, CONDITION_DRIFTED);
  return condition?.status === "True" ? (condition.reason ?? "Drifted") : undefined;
}

// Karpenter asks whether the pool's requirements are compatible with the NodeClaim's labels, allowing labels the
// node does not carry; so only a label the node has, with a value the pool no longer allows, drifts it.
function requirementsDrifted(labels: Readonly<Record<string, string>>, nodePool: NodePool): boolean {
  const requirements = poolRequirements(nodePool.spec.template.spec.requirements as NodeSelectorRequirement[]);
  return requirements.keys().some((key) => {
    const value = labels[key];
    return value !== undefined && !requirements.allows(key, value);
  });
}

// A pass asks this of every node of a pool, so the pool's requirements are read into a set once per value (their
// JSON text: cheaper than validating and combining them again, and right however the caller's objects change).
// Bounded: a controller meets new pools over time.
const requirementSets = new Map<string, RequirementSet>();
const REQUIREMENT_SETS = 4_096;

function poolRequirements(requirements: readonly NodeSelectorRequirement[]): RequirementSet {
  const text = JSON.stringify(requirements);
  let set = requirementSets.get(text);
  if (set === undefined) {
    set = RequirementSet.fromRequirements(requirements);
    if (requirementSets.size >= REQUIREMENT_SETS) requirementSets.clear();
    requirementSets.set(text, set);
  }
  return set;
}
