/**
 * The `provisioned` status event of a launch the provisioner did not report: a NodeClaim a previous process
 * created and died before launching (the lifecycle controller launches it), or launched and died before its report
 * reached Git (`restart`); or one this process launched without the provisioner (`lifecycle`): a disruption's
 * replacement, or a launch retried after the provisioner's attempt failed. The provisioner's own report names the
 * pods and the price; this one says what the NodeClaim carries (type, capacity type, zone). The status publisher
 * records each launch once (gitops/status-action-key.ts), so reporting again what did reach Git is harmless.
 */
import type { NodeClaim } from "../../api/index.ts";
import { LABEL_CAPACITY_TYPE, LABEL_INSTANCE_TYPE, LABEL_ZONE } from "../../cloudprovider/index.ts";
import { CONDITION_LAUNCHED } from "../state/index.ts";

const LABEL_NODE_POOL = "karpenter.sh/nodepool";

/** The part of the status publisher the lifecycle controller uses (provisioning's sink has the same shape). */
export interface LaunchStatusSink {
  record(event: { kind: "provisioned"; pool: string; node: string; reason: string }): void;
}

/** When the NodeClaim's launch was written (its `Launched=True` transition), or undefined before that. */
export function launchedAt(claim: NodeClaim): number | undefined {
  const launched = claim.status?.conditions?.find((c) => c.type === CONDITION_LAUNCHED && c.status === "True");
  const at = Date.parse(launched?.lastTransitionTime ?? "");
  return Number.isNaN(at) ? undefined : at;
}

/** Why the provisioner's report is missing, in the event's words: the reader of a restart's report learns why it is thin. */
const BECAUSE = {
  restart: "reported after a restart (the pods it was for and its price are not recorded)",
  lifecycle:
    "launched by the NodeClaim lifecycle, not the provisioner (a disruption's replacement, or a launch retried after the provisioner's attempt failed)",
} as const;

export function launchReport(
  claim: NodeClaim,
  cause: keyof typeof BECAUSE = "restart",
): { kind: "provisioned"; pool: string; node: string; reason: string } | undefined {
  const labels = claim.metadata.labels ?? {};
  const pool = labels[LABEL_NODE_POOL];
  if (pool === undefined) return undefined;
  const what = `${labels[LABEL_INSTANCE_TYPE] ?? "?"} ${labels[LABEL_CAPACITY_TYPE] ?? "?"} in ${labels[LABEL_ZONE] ?? "?"}`;
  return {
    kind: "provisioned",
    pool,
    node: claim.metadata.name ?? "",
    reason: `launched ${what}; ${BECAUSE[cause]}`,
  };
}
