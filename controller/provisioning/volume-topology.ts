/**
 * What a pod's bound volumes require of its node (Karpenter's core:pkg/controllers/provisioning/scheduling/
 * volumetopology.go): a PersistentVolumeClaim bound to a volume with node affinity (an EBS volume lives in one zone)
 * adds that affinity to every one of the pod's required terms, as does an unbound claim whose StorageClass restricts
 * where volumes are provisioned (`allowedTopologies`). The snapshot gives each claim's requirements as plain data
 * (`claimVolumeRequirements` builds them); a claim it does not list requires nothing.
 */
import type { PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from "../../api/index.ts";
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

const LABEL_HOSTNAME = "kubernetes.io/hostname";

/** The volume objects cluster state reads, as the Cluster port gives them. */
export interface VolumeObjects {
  readonly persistentVolumeClaims: readonly PersistentVolumeClaim[];
  readonly persistentVolumes: readonly PersistentVolume[];
  readonly storageClasses: readonly StorageClass[];
}

/**
 * What each PersistentVolumeClaim (`namespace/name`) requires of the node of a pod that mounts it, for the snapshot
 * (`VolumeTopology.getRequirements`): a bound claim its volume's required node affinity (a local or hostPath volume's
 * hostname left out, since a new node cannot have it); an unbound claim its StorageClass's `allowedTopologies` (the
 * volume will be provisioned where the pod lands, so the pod must land where the class may provision). Karpenter
 * keeps OR-ed terms as alternatives; the snapshot holds one requirement list per claim, so several terms become one
 * requirement per key they all constrain, with their values joined — the same as the terms when they differ in one
 * key's values (the usual form: one zone list per term), looser otherwise. Claims that require nothing, and claims
 * whose volume or class is not in the cache yet, are left out.
 */
export function claimVolumeRequirements(objects: VolumeObjects): Record<string, NodeSelectorRequirement[]> {
  const volumes = new Map(objects.persistentVolumes.map((pv) => [pv.metadata.name ?? "", pv]));
  const classes = new Map(objects.storageClasses.map((sc) => [sc.metadata.name ?? "", sc]));
  const out: Record<string, NodeSelectorRequirement[]> = {};
  for (const pvc of objects.persistentVolumeClaims) {
    const claim = `${pvc.metadata.namespace ?? "default"}/${pvc.metadata.name ?? ""}`;
    const volumeName = pvc.spec?.volumeName ?? "";
    const terms =
      volumeName !== ""
        ? volumeTerms(volumes.get(volumeName))
        : classTerms(classes.get(pvc.spec?.storageClassName ?? ""));
    const requirements = joinTerms(terms);
    if (requirements.length > 0) out[claim] = requirements;
  }
  return out;
}

function volumeTerms(pv: PersistentVolume | undefined): NodeSelectorRequirement[][] {
  const spec = pv?.spec;
  const terms = spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
  const pinned = spec?.local !== undefined || spec?.hostPath !== undefined;
  return terms.map((term) =>
    ((term.matchExpressions ?? []) as NodeSelectorRequirement[]).filter((r) => !pinned || r.key !== LABEL_HOSTNAME),
  );
}

function classTerms(storageClass: StorageClass | undefined): NodeSelectorRequirement[][] {
  return (storageClass?.allowedTopologies ?? []).map((term) =>
    (term.matchLabelExpressions ?? []).map((e) => ({
      key: e.key ?? "",
      operator: "In",
      values: [...(e.values ?? [])],
    })),
  );
}

/** One term as it is; several: `In` per key every term constrains with `In`, values joined in first-seen order. */
function joinTerms(terms: readonly (readonly NodeSelectorRequirement[])[]): NodeSelectorRequirement[] {
  // A term that constrains nothing allows every node, and so does their OR.
  if (terms.length === 0 || terms.some((t) => t.length === 0)) return [];
  const [first] = terms;
  if (terms.length === 1 && first !== undefined) return [...first];
  const joined = new Map<string, string[]>();
  for (const requirement of first ?? []) {
    const { key } = requirement;
    const inEvery = terms.every((t) => t.some((r) => r.key === key && r.operator === "In"));
    if (!inEvery || joined.has(key)) continue;
    const values = terms.flatMap((t) =>
      t.filter((r) => r.key === key && r.operator === "In").flatMap((r) => r.values ?? []),
    );
    joined.set(key, [...new Set(values)]);
  }
  return [...joined].map(([key, values]) => ({ key, operator: "In", values }));
}
