/**
 * A scheduled NodeClaim as the `karpenter.sh/v1` object to create (Karpenter's `NodeClaimTemplate.ToNodeClaim`,
 * core:pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go): generateName `<pool>-`, the template's labels
 * with `karpenter.sh/nodepool` and its annotations, owned by the NodePool; the template's spec, with the merged
 * requirements, `node.kubernetes.io/instance-type In` the options cheapest first, and the pods' and daemonsets'
 * requests. The capacity type stays as the pool allows it, as in Karpenter: launch picks it and may fall back.
 * The finalizer and the `karpenter.sh/nodepool-hash` annotations are added by nodeclaim-to-create.ts.
 */
import type { NodeClaim } from "../../api/index.ts";
import type { AllowedValues, NodeSelectorRequirement } from "../../scheduling/index.ts";
import { toRawResourceList } from "../../scheduling/index.ts";
import { ANNOTATION_MIN_VALUES_RELAXED } from "./min-values.ts";
import type { NewNodeClaim } from "./scheduler.ts";

export const LABEL_INSTANCE_TYPE_STABLE = "node.kubernetes.io/instance-type";

type ClaimRequirement = NodeClaim["spec"]["requirements"][number];

export function nodeClaimManifest(claim: NewNodeClaim): NodeClaim {
  const { nodePool: template } = claim;
  const pool = template.nodePool;
  const spec = pool.spec.template.spec;
  const requirements = claim.requirements
    .keys()
    .filter((key) => key !== LABEL_INSTANCE_TYPE_STABLE)
    .flatMap((key) => asRequirements(claim.requirements.valuesFor(key)));
  requirements.push({ key: LABEL_INSTANCE_TYPE_STABLE, operator: "In", values: [...claim.instanceTypes] });
  const annotations = {
    ...pool.spec.template.metadata?.annotations,
    ...(claim.minValuesRelaxed ? { [ANNOTATION_MIN_VALUES_RELAXED]: "true" } : {}),
  };
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: {
      generateName: `${template.name}-`,
      labels: { ...template.labels },
      ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
      ownerReferences: [
        {
          apiVersion: "karpenter.sh/v1",
          kind: "NodePool",
          name: template.name,
          uid: pool.metadata?.uid ?? "",
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      nodeClassRef: { ...spec.nodeClassRef },
      requirements,
      resources: { requests: toRawResourceList(claim.requests) },
      ...(claim.taints.length > 0 ? { taints: claim.taints.map((t) => ({ ...t })) } : {}),
      ...(claim.startupTaints.length > 0 ? { startupTaints: claim.startupTaints.map((t) => ({ ...t })) } : {}),
      ...(spec.expireAfter === undefined ? {} : { expireAfter: spec.expireAfter }),
      ...(spec.terminationGracePeriod === undefined ? {} : { terminationGracePeriod: spec.terminationGracePeriod }),
    },
  };
}

/** What one key allows, written back as node selector requirements (Karpenter's `NodeSelectorRequirements`). */
function asRequirements(allowed: AllowedValues): ClaimRequirement[] {
  const { key, minValues } = allowed;
  const out: NodeSelectorRequirement[] = [];
  if (!allowed.complement) {
    out.push(
      allowed.values.length === 0 && allowed.allowsAbsent
        ? { key, operator: "DoesNotExist" }
        : { key, operator: "In", values: [...allowed.values] },
    );
  } else {
    const bounded = allowed.greaterThan !== undefined || allowed.lessThan !== undefined;
    if (allowed.greaterThan !== undefined) out.push({ key, operator: "Gt", values: [String(allowed.greaterThan)] });
    if (allowed.lessThan !== undefined) out.push({ key, operator: "Lt", values: [String(allowed.lessThan)] });
    if (!bounded && !allowed.allowsAbsent) out.push({ key, operator: "Exists" });
    if (allowed.values.length > 0) out.push({ key, operator: "NotIn", values: [...allowed.values] });
  }
  return out.map((requirement, index) => ({
    ...(requirement as ClaimRequirement),
    ...(index === 0 && minValues !== undefined ? { minValues } : {}),
  }));
}
