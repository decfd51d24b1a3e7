// karpenter.sh/v1beta1 NodePool → karpenter.sh/v1, following Karpenter's v1 conversion webhook
// (kubernetes-sigs/karpenter pkg/apis/v1/nodepool_conversion.go). A v1 NodePool goes through the same steps so
// leftovers of the older shape (common in blog posts) are repaired, while a clean v1 object is left untouched.
import { convertDisruption } from "./disruption.ts";
import type { InternalResult, NodeClassTarget, PendingKubelet } from "./internal-result.ts";
import { KUBELET_COMPAT_ANNOTATION, parseKubeletAnnotation, takeKubelet } from "./kubelet.ts";
import { convertNodeClassRef } from "./node-class-ref.ts";
import { childRecord, has, nameOf, removeKey, type JsonRecord } from "./record.ts";
import type { ConversionNote } from "./types.ts";
import { dropStatus, dropUnknownFields } from "./unknown-fields.ts";
import {
  DISRUPTION_FIELDS,
  NODE_CLASS_REF_FIELDS,
  NODEPOOL_SPEC_FIELDS,
  TEMPLATE_FIELDS,
  TEMPLATE_METADATA_FIELDS,
  TEMPLATE_SPEC_FIELDS,
} from "./v1-fields.ts";

const TEMPLATE_SPEC_PATH = "spec.template.spec";

/** `legacy` is true for karpenter.sh/v1beta1 input, false for karpenter.sh/v1 input. */
export function convertNodePool(input: JsonRecord, legacy: boolean): InternalResult {
  const object = structuredClone(input);
  const notes: ConversionNote[] = [];
  if (legacy) {
    object["apiVersion"] = "karpenter.sh/v1";
    notes.push({
      path: "apiVersion",
      kind: "converted",
      message:
        "Changed apiVersion from karpenter.sh/v1beta1 to karpenter.sh/v1, the only NodePool version Karpenter serves since v1.1.",
    });
  }
  const spec = childRecord(object, "spec");
  let kubelet: PendingKubelet | undefined;
  if (spec) {
    convertDisruption(spec, legacy, notes);
    kubelet = convertTemplateSpec(object, spec, legacy, notes);
    if (legacy) dropLegacyFields(spec, notes);
  } else if (legacy) {
    notes.push({
      path: "spec",
      kind: "unconvertible",
      message: "v1 requires spec.template.spec: this NodePool has no spec.",
    });
  }
  if (legacy) dropStatus(object, notes);
  return kubelet ? { object, notes, kubelet } : { object, notes };
}

function convertTemplateSpec(
  object: JsonRecord,
  spec: JsonRecord,
  legacy: boolean,
  notes: ConversionNote[],
): PendingKubelet | undefined {
  const templateSpec = childRecord(childRecord(spec, "template") ?? {}, "spec");
  if (!templateSpec) {
    if (legacy) {
      notes.push({
        path: TEMPLATE_SPEC_PATH,
        kind: "unconvertible",
        message:
          "v1 requires spec.template.spec with nodeClassRef and requirements: this NodePool has no template spec.",
      });
    }
    return takeAnnotationKubelet(object, undefined, undefined, notes);
  }
  const target = convertNodeClassRef(templateSpec, `${TEMPLATE_SPEC_PATH}.nodeClassRef`, notes);
  if (legacy && !has(templateSpec, "nodeClassRef")) {
    notes.push({
      path: `${TEMPLATE_SPEC_PATH}.nodeClassRef`,
      kind: "unconvertible",
      message:
        "v1 requires nodeClassRef: add {group: karpenter.k8s.aws, kind: EC2NodeClass, name: <your EC2NodeClass>}.",
    });
  }
  if (legacy && !has(templateSpec, "requirements")) {
    templateSpec["requirements"] = [];
    notes.push({
      path: `${TEMPLATE_SPEC_PATH}.requirements`,
      kind: "defaulted",
      message:
        "Set requirements to an empty list because v1 requires the field and an absent list meant no requirements.",
    });
  }
  let fromTemplate: PendingKubelet | undefined;
  if (has(templateSpec, "kubelet")) {
    const value = templateSpec["kubelet"];
    delete templateSpec["kubelet"];
    fromTemplate = takeKubelet({
      value,
      sourcePath: `${TEMPLATE_SPEC_PATH}.kubelet`,
      poolName: nameOf(object),
      target,
      notes,
    });
  }
  return takeAnnotationKubelet(object, target, fromTemplate, notes);
}

/**
 * Karpenter v1.0 kept v1beta1 kubelet settings in an annotation on the converted NodePool; v1.1+ ignores it, so
 * NodePools exported from a v1.0 cluster still carry settings that must move to the EC2NodeClass.
 */
function takeAnnotationKubelet(
  object: JsonRecord,
  target: NodeClassTarget | undefined,
  fromTemplate: PendingKubelet | undefined,
  notes: ConversionNote[],
): PendingKubelet | undefined {
  const metadata = childRecord(object, "metadata");
  const annotations = metadata ? childRecord(metadata, "annotations") : undefined;
  if (!metadata || !annotations || !has(annotations, KUBELET_COMPAT_ANNOTATION)) return fromTemplate;
  const path = `metadata.annotations.${KUBELET_COMPAT_ANNOTATION}`;
  const value = annotations[KUBELET_COMPAT_ANNOTATION];
  removeKey(annotations, KUBELET_COMPAT_ANNOTATION);
  if (Object.keys(annotations).length === 0) delete metadata["annotations"];
  if (fromTemplate) {
    notes.push({
      path,
      kind: "dropped",
      message: `Removed Karpenter v1.0's ${KUBELET_COMPAT_ANNOTATION} annotation because Karpenter v1.1+ ignores it and the NodePool's own kubelet block is converted instead.`,
    });
    return fromTemplate;
  }
  const kubelet = parseKubeletAnnotation(value, path, notes);
  if (!kubelet) return undefined;
  return takeKubelet({ value: kubelet, sourcePath: path, poolName: nameOf(object), target, notes });
}

function dropLegacyFields(spec: JsonRecord, notes: ConversionNote[]): void {
  dropUnknownFields(spec, NODEPOOL_SPEC_FIELDS, "spec", "NodePool", notes);
  const disruption = childRecord(spec, "disruption");
  if (disruption) dropUnknownFields(disruption, DISRUPTION_FIELDS, "spec.disruption", "NodePool", notes);
  const template = childRecord(spec, "template");
  if (!template) return;
  dropUnknownFields(template, TEMPLATE_FIELDS, "spec.template", "NodePool", notes);
  const metadata = childRecord(template, "metadata");
  if (metadata) dropUnknownFields(metadata, TEMPLATE_METADATA_FIELDS, "spec.template.metadata", "NodePool", notes);
  const templateSpec = childRecord(template, "spec");
  if (!templateSpec) return;
  dropUnknownFields(templateSpec, TEMPLATE_SPEC_FIELDS, TEMPLATE_SPEC_PATH, "NodePool", notes);
  const ref = childRecord(templateSpec, "nodeClassRef");
  if (ref) dropUnknownFields(ref, NODE_CLASS_REF_FIELDS, `${TEMPLATE_SPEC_PATH}.nodeClassRef`, "NodePool", notes);
}
