/**
 * What a dry run of provisioning tells the Git status report instead of launching: a `provisioned` event whose
 * sentence says what would be launched — the pool, the cheapest of the types it would ask EC2 for, the capacity
 * type, that type's price and the pods it is for — so a would-be launch reads like the launch it stands for.
 */
import type { NewNodeClaim } from "./scheduler.ts";
import type { ProvisionedEvent } from "./status-report.ts";

const PODS_NAMED = 5;

export function dryRunEvent(claim: NewNodeClaim): ProvisionedEvent {
  const types = claim.instanceTypes;
  const others = types.length > 1 ? ` (or one of ${types.length - 1} pricier types)` : "";
  const named = claim.pods.slice(0, PODS_NAMED).join(", ");
  const more = claim.pods.length > PODS_NAMED ? ` and ${claim.pods.length - PODS_NAMED} more` : "";
  const count = `${claim.pods.length} pod${claim.pods.length === 1 ? "" : "s"}`;
  return {
    kind: "provisioned",
    pool: claim.nodePool.name,
    // No NodeClaim exists: the event names none.
    node: "dry-run",
    reason:
      `dry run: would launch ${types[0] ?? "?"}${others} ${claim.capacityType} at $${claim.price.toFixed(4)}/h ` +
      `for ${count}${named === "" ? "" : `: ${named}${more}`}`,
  };
}
