// What deleting an object in a pull request does, for `check --base`: the deleted object is in no file, so no
// rule judges it; these findings stand in for it. A deleted NodePool's nodes are drained and terminated
// (Karpenter's NodePool finalizer deletes its NodeClaims): a warning. An EC2NodeClass deleted while a NodePool of
// the change still references it leaves that pool unable to launch nodes: a denial, as the webhook denies the
// DELETE (webhook/admission/delete.ts, the same rule id).
import type { Manifest } from "../../api/index.ts";
import type { Finding } from "../../policies/index.ts";
import { NODE_CLASS_IN_USE, NODEPOOL_DELETED, nodeClassRefOf } from "../../policies/index.ts";

// Not policy rules (a deletion leaves no object to judge): standing checks, always enforced (policies/standing-checks.ts).
export { NODE_CLASS_IN_USE, NODEPOOL_DELETED };

export function deletionFindings(head: readonly Manifest[], base: ReadonlyMap<string, Manifest>): Finding[] {
  const present = new Set(head.map((m) => `${m.kind}/${m.name}`));
  const findings: Finding[] = [];
  for (const [key, m] of base) {
    if (present.has(key)) continue;
    const object = { apiVersion: m.apiVersion, kind: m.kind, name: m.name, source: m.source };
    if (m.kind === "NodePool") {
      findings.push({
        rule: NODEPOOL_DELETED,
        severity: "warn",
        object,
        pointer: "",
        message: `deleting NodePool ${JSON.stringify(m.name)} drains and terminates every node it launched (Karpenter deletes its NodeClaims); pods that only it could serve stay Pending`,
        hint: "move the workloads to another NodePool first, or keep the pool with limits that stop it from growing",
      });
    } else if (m.kind === "EC2NodeClass") {
      const pools = head
        .filter((p) => p.kind === "NodePool")
        .filter((p) => {
          const ref = nodeClassRefOf(p.object);
          return ref?.group === "karpenter.k8s.aws" && ref.kind === "EC2NodeClass" && ref.name === m.name;
        })
        .map((p) => JSON.stringify(p.name))
        .sort();
      if (pools.length === 0) continue;
      findings.push({
        rule: NODE_CLASS_IN_USE,
        severity: "deny",
        object,
        pointer: "",
        message: `EC2NodeClass ${JSON.stringify(m.name)} is deleted while NodePool${pools.length === 1 ? "" : "s"} ${pools.join(", ")} still reference${pools.length === 1 ? "s" : ""} it: without it Karpenter launches no nodes for ${pools.length === 1 ? "it" : "them"}`,
        hint: "point those NodePools at another EC2NodeClass, or delete them in the same change",
      });
    }
  }
  return findings;
}
