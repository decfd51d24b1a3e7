// v1 moved expireAfter from spec.disruption to the node template, renamed WhenUnderutilized, and made
// consolidateAfter required. Karpenter's v1 conversion webhook sets consolidateAfter to 0s for WhenUnderutilized,
// because v1beta1 consolidated underutilized nodes as soon as they were eligible.
import { childRecord, ensurePath, has, insertAfter, jsonEqual, show, type JsonRecord } from "./record.ts";
import type { ConversionNote } from "./types.ts";

/**
 * Converts spec.disruption in place. `legacy` is true for v1beta1 objects; for v1 objects only the legacy leftovers
 * (expireAfter, WhenUnderutilized) are touched, so a valid v1 disruption block is never changed.
 */
export function convertDisruption(spec: JsonRecord, legacy: boolean, notes: ConversionNote[]): void {
  const disruption = childRecord(spec, "disruption");
  if (!disruption) return;
  let touched = legacy;
  if (has(disruption, "expireAfter")) {
    touched = true;
    moveExpireAfter(spec, disruption, notes);
  }
  const policy = disruption["consolidationPolicy"];
  if (policy === "WhenUnderutilized") {
    touched = true;
    disruption["consolidationPolicy"] = "WhenEmptyOrUnderutilized";
    notes.push({
      path: "spec.disruption.consolidationPolicy",
      kind: "renamed",
      message:
        "Renamed consolidationPolicy WhenUnderutilized to WhenEmptyOrUnderutilized, its v1 name (same behaviour).",
    });
  }
  // An emptied block is dropped rather than given a consolidateAfter: v1 defaults a missing disruption to
  // consolidateAfter 0s with WhenEmptyOrUnderutilized, which is what v1beta1's defaults did.
  if (Object.keys(disruption).length === 0) {
    delete spec["disruption"];
    return;
  }
  if (touched && !has(disruption, "consolidateAfter")) defaultConsolidateAfter(disruption, policy, notes);
}

function moveExpireAfter(spec: JsonRecord, disruption: JsonRecord, notes: ConversionNote[]): void {
  const value = disruption["expireAfter"];
  delete disruption["expireAfter"];
  const path = "spec.disruption.expireAfter";
  const templateSpec = ensurePath(spec, ["template", "spec"]);
  if (!templateSpec) {
    notes.push({
      path,
      kind: "unconvertible",
      message: `Removed expireAfter ${show(value)} because v1 reads it from spec.template.spec.expireAfter and spec.template.spec is not an object here.`,
    });
    return;
  }
  if (!has(templateSpec, "expireAfter")) {
    templateSpec["expireAfter"] = value;
    notes.push({
      path,
      kind: "moved",
      to: "spec.template.spec.expireAfter",
      message: `Moved expireAfter ${show(value)} to spec.template.spec.expireAfter, where v1 reads it (node expiry became part of the node template).`,
    });
  } else if (jsonEqual(templateSpec["expireAfter"], value)) {
    notes.push({
      path,
      kind: "dropped",
      message: `Removed expireAfter ${show(value)} because spec.template.spec.expireAfter already has the same value and v1 reads only that one.`,
    });
  } else {
    notes.push({
      path,
      kind: "dropped",
      message: `Removed expireAfter ${show(value)} because v1 reads only spec.template.spec.expireAfter, which says ${show(templateSpec["expireAfter"])}: check which expiry you meant.`,
    });
  }
}

function defaultConsolidateAfter(disruption: JsonRecord, policy: unknown, notes: ConversionNote[]): void {
  const path = "spec.disruption.consolidateAfter";
  if (policy === "WhenUnderutilized" || policy === undefined) {
    insertAfter(disruption, "consolidationPolicy", "consolidateAfter", "0s");
    const was = policy === undefined ? "the default WhenUnderutilized policy" : "WhenUnderutilized";
    notes.push({
      path,
      kind: "defaulted",
      message: `Set consolidateAfter to 0s because v1 requires it and v1beta1's ${was} consolidated nodes as soon as they were eligible, which is what 0s does.`,
    });
  } else if (policy === "WhenEmptyOrUnderutilized") {
    insertAfter(disruption, "consolidationPolicy", "consolidateAfter", "0s");
    notes.push({
      path,
      kind: "defaulted",
      message:
        "Set consolidateAfter to 0s because v1 requires it and 0s is the value v1 defaults to, consolidating nodes as soon as they are eligible.",
    });
  } else {
    notes.push({
      path,
      kind: "unconvertible",
      message: `v1 requires consolidateAfter with consolidationPolicy ${show(policy)}: set how long a node must stay consolidatable before Karpenter removes it (for example 30s, or Never).`,
    });
  }
}
