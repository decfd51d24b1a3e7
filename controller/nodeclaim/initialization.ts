/**
 * Whether a registered NodeClaim's Node has initialized (Karpenter's lifecycle `Initialization`,
 * core:pkg/controllers/nodeclaim/lifecycle/initialization.go), pure: the Node is Ready, its startup taints and the
 * known ephemeral taints are gone, and every extended resource the NodeClaim was launched with is reported
 * allocatable. Undefined when it has; otherwise what it still waits for, for the log.
 */
import type { Node, NodeClaim } from "../../api/index.ts";
import { parseQuantity } from "../../api/index.ts";
import type { Taint } from "../../scheduling/index.ts";
import { KNOWN_EPHEMERAL_TAINTS, matchesTaint } from "../state/index.ts";

const WELL_KNOWN_RESOURCES = new Set(["cpu", "memory", "pods", "ephemeral-storage"]);

export function notInitializedBecause(node: Node, nodeClaim: NodeClaim): string | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  if (ready?.status !== "True") return "node is not ready";
  const taints = (node.spec?.taints ?? []) as Taint[];
  const startup = (nodeClaim.spec.startupTaints ?? []) as Taint[];
  const remaining = taints.find((t) => [...startup, ...KNOWN_EPHEMERAL_TAINTS].some((s) => matchesTaint(t, s)));
  if (remaining !== undefined) return `taint ${remaining.key}:${remaining.effect} is still on the node`;
  const allocatable = node.status?.allocatable ?? {};
  for (const [resource, quantity] of Object.entries(nodeClaim.status?.capacity ?? {})) {
    if (WELL_KNOWN_RESOURCES.has(resource) || parseQuantity(quantity).isZero()) continue;
    const has = allocatable[resource];
    if (has === undefined || parseQuantity(has).isZero()) return `resource ${resource} is not registered`;
  }
  return undefined;
}
