/**
 * Taints a node carries only while it starts, which scheduling ignores on a node that has not initialized yet
 * (Karpenter's `KnownEphemeralTaints`, core:pkg/scheduling/taints.go): the kubelet's not-ready and unreachable
 * taints, the cloud controller manager's uninitialized taint, and Karpenter's own unregistered taint. A NodeClaim's
 * startup taints are ignored the same way until it has initialized.
 */
import type { Taint } from "../../scheduling/index.ts";
import { UNREGISTERED_NO_EXECUTE_TAINT } from "../../scheduling/index.ts";

export const KNOWN_EPHEMERAL_TAINTS: readonly Readonly<Taint>[] = [
  { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" },
  { key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" },
  UNREGISTERED_NO_EXECUTE_TAINT,
];

/** Taints match by key and effect (v1 Taint.MatchTaint). */
export function matchesTaint(a: Pick<Taint, "key" | "effect">, b: Pick<Taint, "key" | "effect">): boolean {
  return a.key === b.key && a.effect === b.effect;
}

/** The taints scheduling sees on a node still initializing: ephemeral and startup taints left out. */
export function schedulingTaints(taints: readonly Taint[], startupTaints: readonly Taint[]): Taint[] {
  const ignored = [...KNOWN_EPHEMERAL_TAINTS, ...startupTaints];
  return taints.filter((taint) => !ignored.some((other) => matchesTaint(taint, other)));
}
