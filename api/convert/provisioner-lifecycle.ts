// A Provisioner's node lifetime settings (ttlSecondsUntilExpired, ttlSecondsAfterEmpty, consolidation) → v1
// expireAfter and disruption. Where the Provisioner left them unset, v1's defaults differ (720h expiry, immediate
// consolidation), so the v1alpha5 behaviour (never expire, never consolidate) is written out explicitly.
import { secondsToDuration } from "./durations.ts";
import { has, isRecord, show, type JsonRecord } from "./record.ts";
import type { ConversionNote } from "./types.ts";

export function expireAfter(src: JsonRecord, notes: ConversionNote[]): string {
  const path = "spec.ttlSecondsUntilExpired";
  if (!has(src, "ttlSecondsUntilExpired")) {
    notes.push({
      path,
      kind: "defaulted",
      message:
        "Set spec.template.spec.expireAfter to Never because a Provisioner without ttlSecondsUntilExpired never expired nodes, while v1 defaults to 720h.",
    });
    return "Never";
  }
  const value = src["ttlSecondsUntilExpired"];
  const duration = secondsToDuration(value);
  if (duration === undefined) {
    notes.push({
      path,
      kind: "unconvertible",
      message: `ttlSecondsUntilExpired ${show(value)} is not a whole number of seconds, so spec.template.spec.expireAfter was set to Never: set the expiry you meant.`,
    });
    return "Never";
  }
  notes.push({
    path,
    kind: "converted",
    to: "spec.template.spec.expireAfter",
    message: `Replaced ttlSecondsUntilExpired ${show(value)} by spec.template.spec.expireAfter ${duration}, because v1 takes a duration in the node template.`,
  });
  return duration;
}

export function disruption(src: JsonRecord, notes: ConversionNote[]): JsonRecord {
  const consolidation = src["consolidation"];
  const enabled = isRecord(consolidation) && consolidation["enabled"] === true;
  const hasEmptyTtl = has(src, "ttlSecondsAfterEmpty");
  if (enabled) {
    notes.push({
      path: "spec.consolidation",
      kind: "converted",
      to: "spec.disruption",
      message:
        "Replaced consolidation.enabled: true by disruption {consolidationPolicy: WhenEmptyOrUnderutilized, consolidateAfter: 0s}, what v1alpha5 consolidation became (WhenUnderutilized in v1beta1, renamed in v1), acting as soon as nodes are eligible.",
    });
    if (hasEmptyTtl) {
      notes.push({
        path: "spec.ttlSecondsAfterEmpty",
        kind: "dropped",
        message:
          "Removed ttlSecondsAfterEmpty because consolidation also removes empty nodes; v1alpha5 rejected setting both, and Karpenter's own conversion let consolidation win.",
      });
    }
    return { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "0s" };
  }
  if (has(src, "consolidation")) {
    notes.push({
      path: "spec.consolidation",
      kind: "dropped",
      message: "Removed consolidation because it is not enabled, which the disruption policy below already expresses.",
    });
  }
  if (hasEmptyTtl) {
    const value = src["ttlSecondsAfterEmpty"];
    const duration = secondsToDuration(value);
    if (duration !== undefined) {
      notes.push({
        path: "spec.ttlSecondsAfterEmpty",
        kind: "converted",
        to: "spec.disruption",
        message: `Replaced ttlSecondsAfterEmpty ${show(value)} by disruption {consolidationPolicy: WhenEmpty, consolidateAfter: ${duration}}, which removes empty nodes after the same wait.`,
      });
      return { consolidationPolicy: "WhenEmpty", consolidateAfter: duration };
    }
    notes.push({
      path: "spec.ttlSecondsAfterEmpty",
      kind: "unconvertible",
      message: `ttlSecondsAfterEmpty ${show(value)} is not a whole number of seconds, so consolidation was left off (consolidateAfter Never): set the wait you meant.`,
    });
    return { consolidationPolicy: "WhenEmpty", consolidateAfter: "Never" };
  }
  notes.push({
    path: "spec.consolidation",
    kind: "defaulted",
    message:
      "Set disruption {consolidationPolicy: WhenEmpty, consolidateAfter: Never} because a Provisioner without consolidation or ttlSecondsAfterEmpty never removed empty or underutilized nodes, while v1 by default consolidates them immediately.",
  });
  return { consolidationPolicy: "WhenEmpty", consolidateAfter: "Never" };
}
