/**
 * What provisioning tells the Git status report: one `provisioned` event per launch, with the pool, the NodeClaim,
 * and in its sentence the instance type, zone, capacity type, price, the pool's running $/h with it
 * (kubernetes-sigs/karpenter#1215) and the pods it was for; and one `pending` event per batch that leaves pods
 * unschedulable, with their explanations grouped (pods that share one explanation are named together, a few of
 * each, the rest counted), so a thousand pending pods make one bounded sentence. The interface is the part of
 * gitops/'s StatusPublisher provisioning uses, so the program wires the publisher in and tests a recorder.
 */
import { unschedulableMessage } from "./provisioning-events.ts";
import type { Unschedulable } from "./scheduler.ts";

export interface ProvisionedEvent {
  readonly kind: "provisioned";
  readonly pool: string;
  /** The NodeClaim. */
  readonly node: string;
  readonly reason: string;
}

/** Pods a batch left unschedulable, and why. */
export interface PendingEvent {
  readonly kind: "pending";
  /** Set when every explanation is about one pool, so the event shows in that pool's section. */
  readonly pool?: string;
  readonly reason: string;
}

export interface ProvisioningStatusSink {
  record(event: ProvisionedEvent | PendingEvent): void;
}

const PODS_NAMED = 5;

export interface Launched {
  readonly pool: string;
  readonly nodeClaim: string;
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: string;
  /** USD per hour; undefined when the offering is not priced. */
  readonly price: number | undefined;
  readonly pods: readonly string[];
  /** The pool's running USD per hour with this launch (each launched NodeClaim at its offering's price). */
  readonly poolHourlyCost?: number | undefined;
}

export function provisionedEvent(launched: Launched): ProvisionedEvent {
  const price = launched.price === undefined ? "price unknown" : `$${launched.price.toFixed(4)}/h`;
  const named = launched.pods.slice(0, PODS_NAMED).join(", ");
  const more = launched.pods.length > PODS_NAMED ? ` and ${launched.pods.length - PODS_NAMED} more` : "";
  const count = `${launched.pods.length} pod${launched.pods.length === 1 ? "" : "s"}`;
  // Before the pods, so a commit trailer cut at its length keeps it.
  const pool = launched.poolHourlyCost === undefined ? "" : ` (pool now $${launched.poolHourlyCost.toFixed(4)}/h)`;
  return {
    kind: "provisioned",
    pool: launched.pool,
    node: launched.nodeClaim,
    reason:
      `launched ${launched.instanceType} ${launched.capacityType} in ${launched.zone} at ${price}${pool} ` +
      `for ${count}${named === "" ? "" : `: ${named}${more}`}`,
  };
}

/** Explanations spelled out per event; pods with other explanations are counted. */
const REASONS_NAMED = 3;
/** Pods named per explanation. */
const PODS_PER_REASON = 3;
/** The sentence's bound, beyond which it is cut (an explanation lists every pool, and pools may be many). */
const MAX_PENDING_REASON = 2_000;

/** The one event for a batch's unschedulable pods; undefined when there are none. */
export function pendingEvent(unschedulable: readonly Unschedulable[]): PendingEvent | undefined {
  if (unschedulable.length === 0) return undefined;
  const byMessage = new Map<string, string[]>();
  for (const u of unschedulable) {
    const message = unschedulableMessage(u);
    const pods = byMessage.get(message);
    if (pods === undefined) byMessage.set(message, [u.pod]);
    else pods.push(u.pod);
  }
  // The explanation most pods share first; ties in the batch's order.
  const groups = [...byMessage].sort((a, b) => b[1].length - a[1].length);
  const named = groups.slice(0, REASONS_NAMED).map(([message, pods]) => {
    const more = pods.length > PODS_PER_REASON ? ` and ${pods.length - PODS_PER_REASON} more` : "";
    return `${pods.slice(0, PODS_PER_REASON).join(", ")}${more}: ${message}`;
  });
  const rest = groups.slice(REASONS_NAMED);
  if (rest.length > 0) {
    const pods = rest.reduce((sum, [, p]) => sum + p.length, 0);
    named.push(`${plural(pods, "pod")} for ${plural(rest.length, "other explanation")}`);
  }
  let reason = `${plural(unschedulable.length, "pod")} still pending — ${named.join("; ")}`;
  if (reason.length > MAX_PENDING_REASON) reason = `${reason.slice(0, MAX_PENDING_REASON - 1)}…`;
  const pools = new Set(unschedulable.flatMap((u) => u.explanations.map((e) => e.nodePool)));
  const [pool] = pools;
  return { kind: "pending", ...(pools.size === 1 && pool !== undefined ? { pool } : {}), reason };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
