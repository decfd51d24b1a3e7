// From the engine's findings to what the webhook enforces: cross-object rules warn when the cluster could not be
// seen, and an UPDATE is denied only for what it introduces (ratcheting, policies/ratchet.ts: a change is not
// refused for a problem the stored object already had at a field the change leaves alone).
import { isDeepStrictEqual } from "node:util";
import { isRecord } from "../../api/index.ts";
import { evaluate } from "../../policies/index.ts";
import type { Finding } from "../../policies/index.ts";
import type { PolicyObject } from "../../policies/index.ts";
import { ratchet } from "../../policies/index.ts";
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

/**
 * The UPDATE's findings with the denials the stored object already had, at fields the update leaves alone,
 * turned into warnings. `before` are the stored object's own findings, enforced the same way.
 */
export function ratchetUpdate(
  findings: readonly AdmissionFinding[],
  before: readonly AdmissionFinding[],
  versions: { object: Record<string, unknown>; stored: Record<string, unknown> },
): AdmissionFinding[] {
  return ratchet(findings, before, { object: versions.object, previous: versions.stored }, (f) => ({
    ...f,
    severity: "warn",
    downgraded: "pre-existing",
  }));
}

/** poolkeeper's own annotations: settings it reads (the autoscaler's knobs), judged like the spec. */
export const OWN_ANNOTATION_PREFIX = "poolkeeper.dev/";

/**
 * Whether an UPDATE touches anything judged: all but metadata and status, and poolkeeper's own annotations.
 * Karpenter itself writes its drift-hash annotations, finalizers and status all the time, and those writes must
 * never be judged (a denial would stall Karpenter; a warning would only fill its logs).
 */
export function changesSpec(stored: Record<string, unknown>, updated: Record<string, unknown>): boolean {
  const strip = ({ metadata: _m, status: _s, ...rest }: Record<string, unknown>) => rest;
  return !isDeepStrictEqual(strip(stored), strip(updated)) || !isDeepStrictEqual(own(stored), own(updated));
}

function own(object: Record<string, unknown>): Record<string, unknown> {
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  return Object.fromEntries(Object.entries(annotations).filter(([key]) => key.startsWith(OWN_ANNOTATION_PREFIX)));
}
