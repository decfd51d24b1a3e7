/**
 * What a pod's bound volumes require of its node (Karpenter's core:pkg/controllers/provisioning/scheduling/
 * volumetopology.go): a PersistentVolumeClaim bound to a volume with node affinity (an EBS volume lives in one zone)
 * adds that affinity to every one of the pod's required terms. The snapshot gives each bound claim's requirements as
 * plain data; a claim it does not list (unbound, or a volume without affinity) requires nothing.
 */
import type { Pod } from "../../api/index.ts";
import { ValueError } from "../../api/index.ts";
import { type NodeSelectorRequirement, RequirementSet } from "../../scheduling/index.ts";

export interface VolumeRequirements {
  /** The claims (`namespace/name`) that require something, in the pod's order. */
  readonly claims: readonly string[];
  readonly requirements: RequirementSet;
}

interface VolumeShape {
  readonly persistentVolumeClaim?: { readonly claimName?: unknown };
}

export function volumeRequirements(
  pod: Pod,
  spec: Record<string, unknown>,
  lookup: ((claim: string) => readonly NodeSelectorRequirement[] | undefined) | undefined,
  where: string,
): VolumeRequirements | undefined {
  if (lookup === undefined) return undefined;
  const namespace = pod.metadata.namespace ?? "default";
  const claims: string[] = [];
  const requirements: NodeSelectorRequirement[] = [];
  ((spec["volumes"] ?? []) as readonly VolumeShape[]).forEach((volume, index) => {
    const name = volume.persistentVolumeClaim?.claimName;
    if (volume.persistentVolumeClaim === undefined) return;
    if (typeof name !== "string" || name === "") {
      throw new ValueError(`${where} spec.volumes[${index}].persistentVolumeClaim.claimName: expected a name`, name);
    }
    const claim = `${namespace}/${name}`;
    const required = lookup(claim);
    if (required === undefined || required.length === 0) return;
    claims.push(claim);
    requirements.push(...required);
  });
  if (claims.length === 0) return undefined;
  try {
    return { claims, requirements: RequirementSet.fromRequirements(requirements) };
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    throw new ValueError(`${where} volumes ${claims.join(", ")}: ${error.message}`, requirements, { cause: error });
  }
}
