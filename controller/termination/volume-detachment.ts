// The VolumeAttachments a terminating node still has to lose before its instance goes (Karpenter's node termination
// controller `awaitVolumeDetachment` / `filterVolumeAttachments`): every attachment to the node, except those of
// volumes that pods the drain does not evict still use — those would never detach. Pure.
import type { PersistentVolumeClaim, Pod, VolumeAttachment } from "../../api/index.ts";

function claimNames(pod: Pod): string[] {
  const volumes = (pod.spec?.["volumes"] ?? []) as { persistentVolumeClaim?: { claimName?: string } }[];
  return volumes.flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
}

export function blockingVolumeAttachments(
  nodeName: string,
  attachments: readonly VolumeAttachment[],
  staying: readonly Pod[],
  claims: readonly PersistentVolumeClaim[],
): VolumeAttachment[] {
  const volumeOf = new Map(claims.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c.spec?.volumeName]));
  const kept = new Set(
    staying.flatMap((pod) => claimNames(pod).map((claim) => volumeOf.get(`${pod.metadata.namespace}/${claim}`))),
  );
  return attachments.filter(
    (va) => va.spec?.nodeName === nodeName && !kept.has(va.spec.source?.persistentVolumeName ?? ""),
  );
}
