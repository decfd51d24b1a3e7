// DELETE of an EC2NodeClass that NodePools still reference. Karpenter lets it go (its finalizer waits only for
// the class's own NodeClaims), and from then on every NodePool naming it is NodeClassReady=False: no new nodes,
// pods that only those pools could serve stay Pending. The check needs the cluster's NodePools; without a view
// the deletion is allowed with a warning, as the other cross-object checks are. NodePools that are themselves
// being deleted do not count: they launch nothing more, and holding the class back would only make
// `kubectl delete -f` order-dependent.
import { isRecord } from "../../api/index.ts";
import type { Finding } from "../../policies/index.ts";
import { nodeClassRefOf } from "../../policies/index.ts";
import { examples } from "../../policies/index.ts";
import { denialMessage, objectLabel, warningText } from "./format.ts";
import { isBeingDeleted, nameOf, type Subject } from "./request.ts";
import { allowed, decision, FORBIDDEN, refused } from "./respond.ts";
import type { AdmissionContext, AdmissionDecision, AdmissionRequest } from "./types.ts";

/** Not a policy rule (it has no object to judge but the cluster's): always enforced when it can be checked. */
export const NODE_CLASS_IN_USE = "references.node-class-in-use";

export function referencingPools(className: string, nodePools: readonly unknown[]): string[] {
  return nodePools
    .filter((pool): pool is Record<string, unknown> => isRecord(pool) && !isBeingDeleted(pool))
    .filter((pool) => {
      const ref = nodeClassRefOf(pool);
      return ref?.group === "karpenter.k8s.aws" && ref.kind === "EC2NodeClass" && ref.name === className;
    })
    .map(nameOf)
    .sort();
}

export function validateDelete(
  request: AdmissionRequest,
  context: AdmissionContext,
  subject: Subject,
): AdmissionDecision {
  if (subject.kind !== "EC2NodeClass") return decision(subject, allowed(subject.uid));
  const stored = request.oldObject;
  const apiVersion = isRecord(stored) && typeof stored.apiVersion === "string" ? stored.apiVersion : "";
  const base = {
    rule: NODE_CLASS_IN_USE,
    object: { apiVersion: apiVersion || "karpenter.k8s.aws/v1", kind: "EC2NodeClass", name: subject.name },
    pointer: "",
  };
  if (!context.cluster) {
    const finding: Finding = {
      ...base,
      severity: "warn",
      message: `whether a NodePool still uses EC2NodeClass ${JSON.stringify(subject.name)} was not checked: the webhook has no view of the cluster`,
      hint: "check with kubectl get nodepools before deleting an EC2NodeClass",
    };
    return decision(subject, allowed(subject.uid, [warningText(finding, stored)]), {
      findings: [finding],
      enforced: [finding],
    });
  }
  const pools = referencingPools(subject.name, context.cluster.nodePools);
  if (pools.length === 0) return decision(subject, allowed(subject.uid));
  const named = examples(
    pools.map((p) => JSON.stringify(p)),
    5,
  );
  const finding: Finding = {
    ...base,
    severity: "deny",
    message: `NodePool${pools.length === 1 ? "" : "s"} ${named} still reference${pools.length === 1 ? "s" : ""} this EC2NodeClass: without it Karpenter launches no nodes for ${pools.length === 1 ? "it" : "them"}`,
    hint: "point those NodePools at another EC2NodeClass, or delete them, first",
  };
  const message = denialMessage(`${objectLabel("EC2NodeClass", subject.name)} cannot be deleted:`, [finding], stored);
  return decision(subject, refused(subject.uid, FORBIDDEN, message), { findings: [finding], enforced: [finding] });
}
