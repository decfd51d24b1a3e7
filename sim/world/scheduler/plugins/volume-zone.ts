/**
 * VolumeZone (pkg/scheduler/framework/plugins/volumezone): a pod whose PersistentVolumeClaims are bound to
 * volumes labelled with a zone or region fits only nodes in one of those zones. Volume labels may list several
 * zones joined by "__"; beta (failure-domain.beta.kubernetes.io) volume labels match GA node labels. A node
 * without any topology label passes (a single-zone cluster). Unbound claims of a WaitForFirstConsumer class are
 * left to volume binding.
 */
import type { Pod } from "../../objects.ts";
import type { FilterPlugin, Status } from "../framework.ts";
import { unresolvable } from "../framework.ts";
import type { Snapshot } from "../snapshot.ts";

export const ERR_REASON_VOLUME_ZONE_CONFLICT = "node(s) had no available volume zone";

const TOPOLOGY_LABELS = [
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
];

function translateToGALabel(label: string): string {
  if (label === "failure-domain.beta.kubernetes.io/region") return "topology.kubernetes.io/region";
  if (label === "failure-domain.beta.kubernetes.io/zone") return "topology.kubernetes.io/zone";
  return label;
}

/** volumehelpers.LabelZonesToSet: "a__b" is {a, b}; an empty zone makes the label unreadable (ignored). */
function labelZonesToSet(value: string): Set<string> | undefined {
  const zones = value.split("__").map((zone) => zone.trim());
  return zones.some((zone) => zone === "") ? undefined : new Set(zones);
}

interface PVTopology {
  readonly key: string;
  readonly values: ReadonlySet<string>;
}

/**
 * `getPVbyPod`: the zone labels of the pod's bound volumes, or why they cannot be known. A missing object reads as
 * the informer listers' NotFound error, which names the resource in the singular (`storageclass.storage.k8s.io "x"
 * not found`); the upstream plugin test's fake listers say it in the plural.
 */
function volumeTopologies(pod: Pod, snapshot: Snapshot): PVTopology[] | Status {
  const topologies: PVTopology[] = [];
  const namespace = pod.metadata.namespace ?? "";
  for (const volume of pod.spec.volumes ?? []) {
    if (volume.persistentVolumeClaim === undefined) continue;
    const claimName = volume.persistentVolumeClaim.claimName;
    if (claimName === "") return unresolvable("PersistentVolumeClaim had no name");
    const pvc = snapshot.persistentVolumeClaim(namespace, claimName);
    if (pvc === undefined) return unresolvable(`persistentvolumeclaim "${claimName}" not found`);
    const pvName = pvc.spec.volumeName ?? "";
    if (pvName === "") {
      // storagehelpers.GetPersistentVolumeClaimClass: the beta annotation wins over the field.
      const className =
        pvc.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"] ?? pvc.spec.storageClassName ?? "";
      if (className === "") return unresolvable("PersistentVolumeClaim had no pv name and storageClass name");
      const storageClass = snapshot.storageClass(className);
      if (storageClass === undefined) return unresolvable(`storageclass.storage.k8s.io "${className}" not found`);
      if (storageClass.volumeBindingMode === undefined) {
        return unresolvable(`VolumeBindingMode not set for StorageClass "${className}"`);
      }
      if (storageClass.volumeBindingMode === "WaitForFirstConsumer") continue;
      return unresolvable("PersistentVolume had no name");
    }
    const pv = snapshot.persistentVolume(pvName);
    if (pv === undefined) return unresolvable(`persistentvolume "${pvName}" not found`);
    for (const key of TOPOLOGY_LABELS) {
      const value = pv.metadata.labels?.[key];
      if (value === undefined) continue;
      const values = labelZonesToSet(value);
      if (values !== undefined) topologies.push({ key, values });
    }
  }
  return topologies;
}

export const volumeZone: FilterPlugin<readonly PVTopology[]> = {
  name: "VolumeZone",
  preFilter(pod, snapshot) {
    const topologies = volumeTopologies(pod, snapshot);
    if (!Array.isArray(topologies)) return { status: topologies as Status };
    if (topologies.length === 0) return { code: "Skip" as const };
    return { state: topologies };
  },
  filter(pod, nodeInfo, topologies) {
    if ((pod.spec.volumes ?? []).length === 0) return undefined;
    const labels = nodeInfo.node.metadata.labels ?? {};
    if (!TOPOLOGY_LABELS.some((label) => Object.hasOwn(labels, label))) return undefined;
    for (const topology of topologies) {
      const value = labels[topology.key] ?? labels[translateToGALabel(topology.key)];
      if (value === undefined || !topology.values.has(value)) return unresolvable(ERR_REASON_VOLUME_ZONE_CONFLICT);
    }
    return undefined;
  },
};
