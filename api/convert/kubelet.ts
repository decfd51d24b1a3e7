// NodePool kubelet settings (v1alpha5 kubeletConfiguration, v1beta1 template kubelet, the v1.0 compatibility
// annotation) have no place on a v1 NodePool: v1 moved kubelet to the EC2NodeClass. Per object that cannot be
// done, so the settings are taken out and reported; convertBundleToV1 places them when it can.
import type { NodeClassTarget, PendingKubelet } from "./internal-result.ts";
import { isRecord, show, type JsonRecord } from "./record.ts";
import type { ConversionNote } from "./types.ts";
import { KUBELET_FIELDS } from "./v1-fields.ts";

/** The annotation Karpenter v1.0's conversion webhook stored v1beta1 kubelet settings in; v1.1+ ignores it. */
export const KUBELET_COMPAT_ANNOTATION = "compatibility.karpenter.sh/v1beta1-kubelet-conversion";

export interface TakeKubeletInput {
  value: unknown;
  sourcePath: string;
  poolName: string;
  target: NodeClassTarget | undefined;
  notes: ConversionNote[];
}

/** Reduces kubelet settings to the v1 EC2NodeClass fields and records the per-object note. */
export function takeKubelet(input: TakeKubeletInput): PendingKubelet | undefined {
  const { value, sourcePath, poolName, target, notes } = input;
  if (!isRecord(value)) {
    notes.push({
      path: sourcePath,
      kind: "unconvertible",
      message: `Removed kubelet settings ${show(value)} because they are not an object and v1 only accepts kubelet settings on the EC2NodeClass (spec.kubelet).`,
    });
    return undefined;
  }
  const kubelet: JsonRecord = {};
  for (const [key, field] of Object.entries(value)) {
    if ((KUBELET_FIELDS as readonly string[]).includes(key)) {
      kubelet[key] = field;
    } else if (key === "containerRuntime") {
      notes.push({
        path: `${sourcePath}.${key}`,
        kind: "dropped",
        message: `Removed containerRuntime ${show(field)} because Karpenter dropped the setting in v1beta1: every supported EKS AMI runs containerd.`,
      });
    } else {
      notes.push({
        path: `${sourcePath}.${key}`,
        kind: "dropped",
        message: `Removed kubelet setting "${key}" because the v1 EC2NodeClass kubelet block has no such field.`,
      });
    }
  }
  if (Object.keys(kubelet).length === 0) return undefined;
  const where = target ? `EC2NodeClass "${target.name}"` : "the EC2NodeClass this NodePool references";
  const note: ConversionNote = {
    path: sourcePath,
    kind: "unconvertible",
    message: `Removed NodePool "${poolName}"'s kubelet settings ${show(kubelet)} because v1 only accepts them on the EC2NodeClass: put them under spec.kubelet of ${where} (it applies to every NodePool using that class), or convert both together with convertBundleToV1.`,
  };
  notes.push(note);
  return { poolName, kubelet, sourcePath, target, note };
}

/** Parses the v1.0 compatibility annotation's JSON; undefined (with a note) when it is not a JSON object. */
export function parseKubeletAnnotation(value: unknown, path: string, notes: ConversionNote[]): JsonRecord | undefined {
  if (typeof value === "string") {
    try {
      const parsed: unknown = JSON.parse(value);
      if (isRecord(parsed)) return parsed;
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error; // not JSON: reported below
    }
  }
  notes.push({
    path,
    kind: "unconvertible",
    message: `Removed the ${KUBELET_COMPAT_ANNOTATION} annotation because its value is not a JSON object, so its kubelet settings could not be recovered for the EC2NodeClass.`,
  });
  return undefined;
}
