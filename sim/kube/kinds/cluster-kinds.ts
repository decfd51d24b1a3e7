// Kinds the autoscaler reads or writes around scheduling and disruption: policy/v1 PodDisruptionBudgets,
// coordination.k8s.io/v1 Leases (leader election), scheduling.k8s.io/v1 PriorityClasses, storage.k8s.io/v1
// StorageClasses and VolumeAttachments. Stored with their defaults and printed as the built-in printers do.
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import { builtIn } from "./built-in.ts";
import { ageColumn, column, field } from "./printing.ts";
import { arr, bool, int, intOrString, labelSelector, obj, open, str, stringMap } from "./schema-builders.ts";

const text = (o: KubeObject, path: string, none = "<none>"): string => {
  const value = field(o, path);
  return value === undefined || value === null || value === "" ? none : String(value);
};

export const podDisruptionBudgets: ResourceKind = builtIn({
  group: "policy",
  version: "v1",
  kind: "PodDisruptionBudget",
  plural: "poddisruptionbudgets",
  namespaced: true,
  shortNames: ["pdb"],
  subresources: ["status"],
  fields: {
    spec: obj({
      minAvailable: intOrString,
      selector: labelSelector,
      maxUnavailable: intOrString,
      unhealthyPodEvictionPolicy: str,
    }),
    status: open,
  },
  validate: (p) => {
    const spec = (p.spec ?? {}) as Record<string, unknown>;
    if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
      return [
        {
          field: "spec",
          type: "FieldValueInvalid",
          body: `Invalid value: ${JSON.stringify(JSON.stringify(spec))}: minAvailable and maxUnavailable cannot be both set`,
        },
      ];
    }
    return [];
  },
  printerColumns: [
    column("Min Available", (p) => text(p, "spec.minAvailable", "N/A")),
    column("Max Unavailable", (p) => text(p, "spec.maxUnavailable", "N/A")),
    column("Allowed Disruptions", (p) => Number(field(p, "status.disruptionsAllowed") ?? 0), { type: "integer" }),
    ageColumn,
  ],
});

export const leases: ResourceKind = builtIn({
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  namespaced: true,
  fields: {
    spec: obj({
      holderIdentity: str,
      leaseDurationSeconds: int,
      acquireTime: { type: "string", format: "date-time" },
      renewTime: { type: "string", format: "date-time" },
      leaseTransitions: int,
      strategy: str,
      preferredHolder: str,
    }),
  },
  printerColumns: [column("Holder", (l) => text(l, "spec.holderIdentity", "")), ageColumn],
});

export const priorityClasses: ResourceKind = builtIn({
  group: "scheduling.k8s.io",
  version: "v1",
  kind: "PriorityClass",
  plural: "priorityclasses",
  namespaced: false,
  shortNames: ["pc"],
  fields: { value: int, globalDefault: bool, description: str, preemptionPolicy: str },
  defaults: (p) => {
    p.preemptionPolicy ??= "PreemptLowerPriority";
  },
  validate: (p) =>
    typeof p.value === "number" ? [] : [{ field: "value", type: "FieldValueRequired", body: "Required value" }],
  printerColumns: [
    column("Value", (p) => Number(p.value ?? 0), { type: "integer" }),
    column("Global-Default", (p) => Boolean(p.globalDefault ?? false), { type: "boolean" }),
    ageColumn,
    column("PreemptionPolicy", (p) => String(p.preemptionPolicy ?? ""), { priority: 1 }),
  ],
});

export const storageClasses: ResourceKind = builtIn({
  group: "storage.k8s.io",
  version: "v1",
  kind: "StorageClass",
  plural: "storageclasses",
  namespaced: false,
  shortNames: ["sc"],
  fields: {
    provisioner: str,
    parameters: stringMap,
    reclaimPolicy: str,
    mountOptions: arr(str),
    allowVolumeExpansion: bool,
    volumeBindingMode: str,
    allowedTopologies: arr(open),
  },
  defaults: (s) => {
    s.reclaimPolicy ??= "Delete";
    s.volumeBindingMode ??= "Immediate";
  },
  printerColumns: [
    column("Provisioner", (s) => String(s.provisioner ?? "")),
    column("ReclaimPolicy", (s) => String(s.reclaimPolicy ?? "")),
    column("VolumeBindingMode", (s) => String(s.volumeBindingMode ?? "")),
    column("AllowVolumeExpansion", (s) => Boolean(s.allowVolumeExpansion ?? false), { type: "boolean" }),
    ageColumn,
  ],
});

export const volumeAttachments: ResourceKind = builtIn({
  group: "storage.k8s.io",
  version: "v1",
  kind: "VolumeAttachment",
  plural: "volumeattachments",
  namespaced: false,
  subresources: ["status"],
  fields: {
    spec: obj({ attacher: str, source: obj({ persistentVolumeName: str, inlineVolumeSpec: open }), nodeName: str }),
    status: obj({ attached: bool, attachmentMetadata: stringMap, attachError: open, detachError: open }),
  },
  printerColumns: [
    column("Attacher", (v) => text(v, "spec.attacher", "")),
    column("PV", (v) => text(v, "spec.source.persistentVolumeName", "")),
    column("Node", (v) => text(v, "spec.nodeName", "")),
    column("Attached", (v) => Boolean(field(v, "status.attached") ?? false), { type: "boolean" }),
    ageColumn,
  ],
});
