// From the engine's findings to what the webhook enforces: cross-object rules warn when the cluster could not be
// seen, and an UPDATE is denied only for what it introduces (ratcheting, as the API server's CRD validation
// ratcheting does: a change is not refused for a problem the stored object already had).
import { isDeepStrictEqual } from "node:util";
import { evaluate } from "../../policies/engine.ts";
import type { Finding } from "../../policies/finding.ts";
import type { PolicyObject } from "../../policies/prepare-target.ts";
import type { AdmissionContext, AdmissionFinding } from "./types.ts";

/**
 * Rules whose verdict depends on the other objects of the cluster. Without the cluster's view their scope is the
 * judged object alone, so a deny would rest on half the facts; they warn instead. `references.foreign-node-class`
 * is not here: it judges the reference's group and kind, which the object alone settles.
 */
export const CROSS_OBJECT_RULES: readonly string[] = [
  "references.node-class",
  "references.ambiguous-weight",
  "limits.cluster-total",
];

export function judge(objects: readonly PolicyObject[], context: AdmissionContext): Finding[] {
  return evaluate(objects, context.policy, {
    ...(context.catalog ? { catalog: context.catalog } : {}),
    ...(context.cluster ? { cluster: context.cluster } : {}),
    now: context.now,
  });
}

/** The findings as the webhook can enforce them: without the cluster's view, cross-object denials warn. */
export function enforceable(findings: readonly Finding[], context: AdmissionContext): AdmissionFinding[] {
  if (context.cluster) return [...findings];
  return findings.map((f) =>
    f.severity === "deny" && CROSS_OBJECT_RULES.includes(f.rule)
      ? { ...f, severity: "warn", downgraded: "no-cluster-view" }
      : f,
  );
}

// The same problem on both versions: same rule, same field. A list item that moves (an entry inserted before it)
// changes its pointer and counts as new; that errs on the side of judging the change.
const key = (f: Finding) => `${f.rule}\u0000${f.pointer}`;

/** The new version's findings with denials the stored version already had turned into warnings. */
export function ratchet(current: readonly AdmissionFinding[], stored: readonly AdmissionFinding[]): AdmissionFinding[] {
  const before = new Set(stored.filter((f) => f.severity === "deny").map(key));
  return current.map((f) =>
    f.severity === "deny" && before.has(key(f)) ? { ...f, severity: "warn", downgraded: "pre-existing" } : f,
  );
}

/**
 * Whether an UPDATE touches anything but metadata and status: Karpenter itself writes its drift-hash
 * annotations, finalizers and status all the time, and those writes must never be judged (a denial would stall
 * Karpenter; a warning would only fill its logs).
 */
export function changesSpec(stored: Record<string, unknown>, updated: Record<string, unknown>): boolean {
  const strip = ({ metadata: _m, status: _s, ...rest }: Record<string, unknown>) => rest;
  return !isDeepStrictEqual(strip(stored), strip(updated));
}
