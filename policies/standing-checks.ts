// Findings that are not a policy rule's: they judge no object a rule could be given (a deletion leaves none; a
// lapsed exemption or a failing rule is about the policy or poolkeeper), so a PoolPolicy cannot tune them and they
// are always enforced at their severity. Registered here, beside the rules, so their ids are documented in
// docs/policies.md, explained by `poolkeeper explain`, described in the JSON and SARIF reports, and known to
// `poolkeeper test`.
import type { Severity } from "./finding.ts";

export interface StandingCheck {
  id: string;
  title: string;
  /** Where the finding comes from: what reports it, and when. */
  docs: string;
  severity: Severity;
}

/** An EC2NodeClass deleted while NodePools still reference it (`check --base`, and the webhook on DELETE). */
export const NODE_CLASS_IN_USE = "references.node-class-in-use";
/** A NodePool deleted (`check --base`): its nodes are drained and terminated. */
export const NODEPOOL_DELETED = "change-impact.nodepool-deleted";
/** An exemption past its expiry date (the engine). */
export const EXEMPTION_EXPIRED = "policy.exemption-expired";
/** A rule that threw on an object: a bug in poolkeeper (the engine). */
export const RULE_ERROR = "policy.rule-error";

export const standingChecks: readonly StandingCheck[] = [
  {
    id: NODE_CLASS_IN_USE,
    title: "No EC2NodeClass is deleted while a NodePool references it",
    severity: "deny",
    docs: `Karpenter lets an EC2NodeClass be deleted while NodePools name it in \`nodeClassRef\` (its finalizer waits only
for the class's own NodeClaims); from then on those pools are \`NodeClassReady=False\` and launch no node, and pods only
they could serve stay Pending. \`poolkeeper check --base\` denies a change that deletes a class a NodePool of the
change still references, and the admission webhook denies the DELETE while the cluster's NodePools reference it.

Fix: point those NodePools at another EC2NodeClass, or delete them in the same change.`,
  },
  {
    id: NODEPOOL_DELETED,
    title: "Deleting a NodePool drains and terminates its nodes",
    severity: "warn",
    docs: `Deleting a NodePool deletes every NodeClaim it launched (Karpenter's NodePool finalizer), so its nodes are
drained and terminated, and pods only it could serve stay Pending. \`poolkeeper check --base\` warns on a change that
deletes one, so the reviewer sees it beside the diff.

Fix: move the workloads to another NodePool first, or keep the pool with limits that stop it from growing.`,
  },
  {
    id: EXEMPTION_EXPIRED,
    title: "An exemption has expired",
    severity: "warn",
    docs: `An exemption applies through its \`expires\` date (UTC); from the next day on its findings count again, and this
warning, once per exemption and object, says which one lapsed (\`docs/policy-language.md\`).

Fix: fix the findings, or renew the exemption with a new expiry date if its reason still holds.`,
  },
  {
    id: RULE_ERROR,
    title: "A rule could not judge an object",
    severity: "warn",
    docs: `A rule that throws on an object is a bug in poolkeeper, not in the object: the engine reports it as this warning,
naming the rule and the error, and the object's other findings stand.

Fix: report it, with the object; meanwhile the rule can be turned \`off\` in a policy.`,
  },
];

export function standingCheck(id: string): StandingCheck | undefined {
  return standingChecks.find((c) => c.id === id);
}
