/**
 * A NodeClaim's Node as registration leaves it (Karpenter's lifecycle `Registration.syncNode`, core:pkg/controllers/
 * nodeclaim/lifecycle/registration.go), pure: the termination finalizer, an owner reference to the NodeClaim, the
 * NodeClaim's labels and the `karpenter.sh/registered` label, its taints and (on first registration) startup
 * taints merged in, and Karpenter's `karpenter.sh/unregistered` taint taken off.
 */
import type { Node, NodeClaim } from "../../api/index.ts";
import { cloneJson } from "../../api/index.ts";
import { type Taint, UNREGISTERED_NO_EXECUTE_TAINT } from "../../scheduling/index.ts";
import { matchesTaint } from "../state/index.ts";

export const LABEL_REGISTERED = "karpenter.sh/registered";
export const LABEL_INITIALIZED = "karpenter.sh/initialized";
export const TERMINATION_FINALIZER = "karpenter.sh/termination";

export function registeredNode(node: Node, nodeClaim: NodeClaim): Node {
  const next = cloneJson(node);
  const firstRegistration = node.metadata.labels?.[LABEL_REGISTERED] !== "true";
  const finalizers = next.metadata.finalizers ?? [];
  if (!finalizers.includes(TERMINATION_FINALIZER)) next.metadata.finalizers = [...finalizers, TERMINATION_FINALIZER];
  const owners = (next.metadata.ownerReferences ?? []).filter((o) => o.uid !== nodeClaim.metadata.uid);
  next.metadata.ownerReferences = [
    ...owners,
    {
      apiVersion: "karpenter.sh/v1",
      kind: "NodeClaim",
      name: nodeClaim.metadata.name ?? "",
      uid: nodeClaim.metadata.uid ?? "",
      blockOwnerDeletion: true,
    },
  ];
  next.metadata.labels = { ...next.metadata.labels, ...nodeClaim.metadata.labels, [LABEL_REGISTERED]: "true" };
  let taints = merge((next.spec?.taints ?? []) as Taint[], (nodeClaim.spec.taints ?? []) as Taint[]);
  if (firstRegistration) taints = merge(taints, (nodeClaim.spec.startupTaints ?? []) as Taint[]);
  taints = taints.filter((t) => !matchesTaint(t, UNREGISTERED_NO_EXECUTE_TAINT));
  next.spec = { ...next.spec, taints };
  if (taints.length === 0) delete next.spec.taints;
  return next;
}

/** Taints added where no taint with the same key and effect is (scheduling.Taints.Merge). */
function merge(taints: readonly Taint[], more: readonly Taint[]): Taint[] {
  return [...taints, ...more.filter((t) => !taints.some((have) => matchesTaint(have, t)))];
}
