// karpenter.sh/v1alpha5 Provisioner → karpenter.sh/v1 NodePool, best effort, following the v1beta1 migration guide
// and Karpenter v0.32's in-memory conversion (karpenter-core pkg/utils/nodepool), then the v1beta1 → v1 changes.
// What a Provisioner left to defaults is written out where v1 defaults differ (requirements, expiry, consolidation).
import type { InternalResult, NodeClassTarget, PendingKubelet } from "./internal-result.ts";
import { takeKubelet } from "./kubelet.ts";
import { defaultRequirements } from "./provisioner-defaults.ts";
import { disruption, expireAfter } from "./provisioner-lifecycle.ts";
import { childRecord, groupOf, has, isRecord, nameOf, show, type JsonRecord } from "./record.ts";
import type { ConversionNote } from "./types.ts";
import { dropStatus } from "./unknown-fields.ts";
import { DEFAULT_NODE_CLASS_GROUP, DEFAULT_NODE_CLASS_KIND } from "./v1-fields.ts";

/** Provisioner spec fields this converter understands; anything else is reported as dropped. */
const KNOWN_FIELDS = [
  "annotations",
  "labels",
  "taints",
  "startupTaints",
  "requirements",
  "kubeletConfiguration",
  "kubelet",
  "providerRef",
  "provider",
  "ttlSecondsAfterEmpty",
  "ttlSecondsUntilExpired",
  "consolidation",
  "limits",
  "weight",
];

export function convertProvisioner(input: JsonRecord): InternalResult {
  const source = structuredClone(input);
  const notes: ConversionNote[] = [
    {
      path: "apiVersion",
      kind: "converted",
      message:
        "Changed apiVersion from karpenter.sh/v1alpha5 to karpenter.sh/v1, because Karpenter removed the v1alpha5 API in v0.33.",
    },
    {
      path: "kind",
      kind: "renamed",
      message: "Renamed kind Provisioner to NodePool, its successor since Karpenter v0.32.",
    },
  ];
  const src = childRecord(source, "spec") ?? {};
  const object: JsonRecord = { apiVersion: "karpenter.sh/v1", kind: "NodePool" };
  for (const [key, value] of Object.entries(source)) {
    if (!["apiVersion", "kind", "spec", "status"].includes(key)) object[key] = value;
  }

  const templateMetadata: JsonRecord = {};
  for (const key of ["labels", "annotations"]) {
    if (!has(src, key)) continue;
    templateMetadata[key] = src[key];
    notes.push(
      moved(key, `spec.template.metadata.${key}`, "node labels and annotations are part of the node template"),
    );
  }

  const templateSpec: JsonRecord = {};
  templateSpec["requirements"] = requirements(src, notes);
  const target = nodeClassRef(src, templateSpec, notes);
  templateSpec["expireAfter"] = expireAfter(src, notes);
  for (const key of ["taints", "startupTaints"]) {
    if (!has(src, key)) continue;
    templateSpec[key] = src[key];
    notes.push(moved(key, `spec.template.spec.${key}`, "taints are part of the node template"));
  }
  const kubelet = kubeletSettings(source, src, target, notes);

  const spec: JsonRecord = {
    template:
      Object.keys(templateMetadata).length > 0
        ? { metadata: templateMetadata, spec: templateSpec }
        : { spec: templateSpec },
    disruption: disruption(src, notes),
  };
  const limits = resourceLimits(src, notes);
  if (limits !== undefined) spec["limits"] = limits;
  if (has(src, "weight")) spec["weight"] = src["weight"];
  object["spec"] = spec;

  for (const key of Object.keys(src)) {
    if (KNOWN_FIELDS.includes(key)) continue;
    notes.push({
      path: `spec.${key}`,
      kind: "dropped",
      message: `Removed "${key}" because neither the Provisioner API nor the v1 NodePool has such a field.`,
    });
  }
  dropStatus(source, notes);
  return kubelet ? { object, notes, kubelet } : { object, notes };
}

function moved(key: string, to: string, why: string): ConversionNote {
  return { path: `spec.${key}`, kind: "moved", to, message: `Moved ${key} to ${to} because in a NodePool ${why}.` };
}

function requirements(src: JsonRecord, notes: ConversionNote[]): unknown[] {
  const given = Array.isArray(src["requirements"]) ? (src["requirements"] as unknown[]) : [];
  if (has(src, "requirements") && !Array.isArray(src["requirements"])) {
    notes.push({
      path: "spec.requirements",
      kind: "unconvertible",
      message: `Removed requirements ${show(src["requirements"])} because they are not a list of node selector requirements: rewrite them under spec.template.spec.requirements.`,
    });
  } else if (has(src, "requirements")) {
    notes.push(
      moved("requirements", "spec.template.spec.requirements", "scheduling requirements are part of the node template"),
    );
  }
  const added = defaultRequirements(given, childRecord(src, "labels"));
  if (added.length > 0) {
    const listed = added.map((r) => `${String(r["key"])} ${String(r["operator"])} ${show(r["values"])}`).join(", ");
    notes.push({
      path: "spec.requirements",
      kind: "defaulted",
      message: `Added ${listed} because v1alpha5 injected these requirements when they were missing and NodePools do not, so they keep the same instances eligible.`,
    });
  }
  return [...given, ...added];
}

function nodeClassRef(src: JsonRecord, templateSpec: JsonRecord, notes: ConversionNote[]): NodeClassTarget | undefined {
  if (has(src, "provider")) {
    notes.push({
      path: "spec.provider",
      kind: "unconvertible",
      message:
        "Removed the inline provider block because a NodePool cannot embed AWS settings: create an EC2NodeClass from these fields (they follow the AWSNodeTemplate spec) and reference it in spec.template.spec.nodeClassRef.",
    });
  }
  const ref = src["providerRef"];
  if (!isRecord(ref) || typeof ref["name"] !== "string" || ref["name"] === "") {
    if (has(src, "providerRef") || !has(src, "provider")) {
      notes.push({
        path: "spec.providerRef",
        kind: "unconvertible",
        message:
          "v1 requires spec.template.spec.nodeClassRef and this Provisioner has no usable providerRef: add {group: karpenter.k8s.aws, kind: EC2NodeClass, name: <your EC2NodeClass>}.",
      });
    }
    return undefined;
  }
  const name = ref["name"];
  const oldKind = typeof ref["kind"] === "string" ? ref["kind"] : "AWSNodeTemplate";
  const oldGroup = groupOf(ref["apiVersion"]) ?? DEFAULT_NODE_CLASS_GROUP;
  const isTemplate = oldKind === "AWSNodeTemplate" && oldGroup === DEFAULT_NODE_CLASS_GROUP;
  const target: NodeClassTarget = isTemplate
    ? { group: DEFAULT_NODE_CLASS_GROUP, kind: DEFAULT_NODE_CLASS_KIND, name }
    : { group: oldGroup, kind: oldKind, name };
  templateSpec["nodeClassRef"] = { ...target };
  notes.push({
    path: "spec.providerRef",
    kind: "converted",
    message: isTemplate
      ? `Replaced providerRef to AWSNodeTemplate "${name}" by spec.template.spec.nodeClassRef to EC2NodeClass "${name}", because AWSNodeTemplates became EC2NodeClasses of the same name.`
      : `Replaced providerRef by spec.template.spec.nodeClassRef {group: ${oldGroup}, kind: ${oldKind}, name: ${name}}, because NodePools reference node classes by group and kind.`,
  });
  return target;
}

function resourceLimits(src: JsonRecord, notes: ConversionNote[]): unknown {
  if (!has(src, "limits")) return undefined;
  const limits = src["limits"];
  const resources = isRecord(limits) ? limits["resources"] : undefined;
  if (!isRecord(limits) || !isRecord(resources)) {
    notes.push({
      path: "spec.limits",
      kind: "unconvertible",
      message: `Removed limits ${show(limits)} because only limits.resources existed in v1alpha5: set spec.limits to the resource limits you meant.`,
    });
    return undefined;
  }
  notes.push({
    path: "spec.limits.resources",
    kind: "moved",
    message: "Moved limits.resources to spec.limits because NodePools list resource limits directly.",
  });
  for (const key of Object.keys(limits)) {
    if (key === "resources") continue;
    notes.push({
      path: `spec.limits.${key}`,
      kind: "dropped",
      message: `Removed limits.${key} because v1alpha5 limits only had resources.`,
    });
  }
  return resources;
}

function kubeletSettings(
  source: JsonRecord,
  src: JsonRecord,
  target: NodeClassTarget | undefined,
  notes: ConversionNote[],
): PendingKubelet | undefined {
  // v1alpha5's field is kubeletConfiguration; "kubelet" appears in guides copying the migration docs' example.
  const key = has(src, "kubeletConfiguration") ? "kubeletConfiguration" : has(src, "kubelet") ? "kubelet" : undefined;
  if (key === undefined) return undefined;
  if (key === "kubeletConfiguration" && has(src, "kubelet")) {
    notes.push({
      path: "spec.kubelet",
      kind: "dropped",
      message:
        "Removed kubelet because kubeletConfiguration, the v1alpha5 field, is also set and is the one converted.",
    });
  }
  return takeKubelet({ value: src[key], sourcePath: `spec.${key}`, poolName: nameOf(source), target, notes });
}
