// v1 requires nodeClassRef {group, kind, name}; v1beta1 had {apiVersion?, kind?, name} and guides often give only
// a name. Missing parts default the way Karpenter's v1 conversion webhook defaults them: to the AWS provider's
// node class (karpenter.k8s.aws / EC2NodeClass).
import type { NodeClassTarget } from "./internal-result.ts";
import { groupOf, has, isRecord, show, type JsonRecord } from "./record.ts";
import type { ConversionNote } from "./types.ts";
import { DEFAULT_NODE_CLASS_GROUP, DEFAULT_NODE_CLASS_KIND } from "./v1-fields.ts";

/** Brings templateSpec.nodeClassRef to v1 shape in place; returns what it points at when that is complete. */
export function convertNodeClassRef(
  templateSpec: JsonRecord,
  path: string,
  notes: ConversionNote[],
): NodeClassTarget | undefined {
  const ref = templateSpec["nodeClassRef"];
  if (!isRecord(ref)) return undefined;
  let changed = false;
  let group = ref["group"];
  if (has(ref, "apiVersion")) {
    changed = true;
    const apiVersion = ref["apiVersion"];
    const fromApiVersion = groupOf(apiVersion);
    if (group !== undefined) {
      notes.push({
        path: `${path}.apiVersion`,
        kind: "dropped",
        message: `Removed apiVersion ${show(apiVersion)} because v1 references the node class by group, which is already set.`,
      });
    } else if (fromApiVersion !== undefined) {
      group = fromApiVersion;
      notes.push({
        path: `${path}.apiVersion`,
        kind: "converted",
        message: `Replaced apiVersion ${show(apiVersion)} with group "${fromApiVersion}" because v1 references the node class by group and kind, without a version.`,
      });
    } else {
      group = DEFAULT_NODE_CLASS_GROUP;
      notes.push({
        path: `${path}.apiVersion`,
        kind: "defaulted",
        message: `Replaced apiVersion ${show(apiVersion)}, which names no API group, with group "${DEFAULT_NODE_CLASS_GROUP}" because v1 requires a group and that is the AWS provider's.`,
      });
    }
  }
  if (group === undefined) {
    changed = true;
    group = DEFAULT_NODE_CLASS_GROUP;
    notes.push({
      path: `${path}.group`,
      kind: "defaulted",
      message: `Set group "${DEFAULT_NODE_CLASS_GROUP}" because v1 requires it and, like Karpenter's own conversion, an unset group means the AWS provider's node class.`,
    });
  }
  let kind = ref["kind"];
  if (kind === undefined) {
    changed = true;
    kind = DEFAULT_NODE_CLASS_KIND;
    notes.push({
      path: `${path}.kind`,
      kind: "defaulted",
      message: `Set kind "${DEFAULT_NODE_CLASS_KIND}" because v1 requires it and, like Karpenter's own conversion, an unset kind means the AWS provider's node class.`,
    });
  }
  const name = ref["name"];
  if (typeof name !== "string" || name === "") {
    notes.push({
      path: `${path}.name`,
      kind: "unconvertible",
      message: "v1 requires nodeClassRef.name: set it to the name of the EC2NodeClass this NodePool should use.",
    });
  }
  if (changed) {
    // Rebuilt so the output reads in the usual group, kind, name order.
    const rest = Object.fromEntries(
      Object.entries(ref).filter(([k]) => !["apiVersion", "group", "kind", "name"].includes(k)),
    );
    templateSpec["nodeClassRef"] = { group, kind, ...(name === undefined ? {} : { name }), ...rest };
  }
  if (typeof group === "string" && typeof kind === "string" && typeof name === "string" && name !== "") {
    return { group, kind, name };
  }
  return undefined;
}
