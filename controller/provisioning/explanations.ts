/**
 * Why a pod could not be placed through a NodePool, in words a user acts on. Karpenter answers this only with log
 * lines (`scheduler.go` "could not schedule pod" with the last error of each template); here each pool gets the
 * first constraint that ruled it out, in the order the scheduler checks them.
 */
import { formatQuantity, type Quantity } from "../../api/index.ts";
import { ANNOTATION_MAX_HOURLY_COST, formatDollars } from "./hourly-cost-cap.ts";
import type { TopologyGroupKind } from "./topology-group.ts";

export type RuledOut =
  | { readonly kind: "taint"; readonly taint: string }
  | { readonly kind: "host-port"; readonly port: string }
  | { readonly kind: "requirement"; readonly detail: string }
  | { readonly kind: "undefined-label"; readonly key: string }
  | { readonly kind: "nodes-limit"; readonly limit: number }
  | { readonly kind: "no-instance-type"; readonly requirements: string }
  | { readonly kind: "no-offering"; readonly requirements: string; readonly iceUntil?: Date | undefined }
  | { readonly kind: "volume"; readonly claims: readonly string[]; readonly requirements: string }
  | { readonly kind: "hourly-cost"; readonly used: number; readonly cap: number; readonly cheapest: number }
  | { readonly kind: "min-values"; readonly key: string; readonly minValues: number; readonly found: number }
  | {
      readonly kind: "topology";
      /** Another pod's required anti-affinity keeps this one out, rather than the pod's own term. */
      readonly inverse: boolean;
      readonly group: TopologyGroupKind;
      readonly topologyKey: string;
      /** The term's label selector, canonical. */
      readonly selector: string;
      readonly maxSkew: number | undefined;
      /** Matching pods per domain the pool offers. */
      readonly counts: readonly (readonly [string, number])[];
    }
  | { readonly kind: "resources"; readonly shortfalls: readonly Shortfall[] }
  | {
      readonly kind: "limit";
      readonly resource: string;
      readonly used: Quantity;
      readonly limit: Quantity;
      readonly needed: Quantity;
    };

/** A resource no candidate instance type has enough of: what the pod (with daemonsets) needs, the most any has. */
export interface Shortfall {
  readonly resource: string;
  readonly needed: Quantity;
  readonly largest: Quantity | undefined;
}

export interface PoolExplanation {
  readonly nodePool: string;
  readonly reason: RuledOut;
  readonly message: string;
}

export function explain(nodePool: string, reason: RuledOut): PoolExplanation {
  return { nodePool, reason, message: `pool ${nodePool}: ${words(reason)}` };
}

/** When there is no NodePool to try at all. */
export const NO_NODE_POOL = "no NodePool can provision nodes (none exist, or all are static)";

function words(reason: RuledOut): string {
  switch (reason.kind) {
    case "taint":
      return `taint ${reason.taint} not tolerated`;
    case "host-port":
      return `host port ${reason.port} is taken on every node by the pool's DaemonSet pods`;
    case "requirement":
      return `the pod's node selector or affinity conflicts with the pool's requirements (${reason.detail})`;
    case "undefined-label":
      return `the pod requires label ${reason.key}, which the pool's nodes would not have`;
    case "nodes-limit":
      return `limits.nodes reached (${reason.limit} of ${reason.limit})`;
    case "no-instance-type":
      return `no instance type satisfies ${reason.requirements}`;
    case "no-offering":
      return (
        `no available offering (zone and capacity type) satisfies ${reason.requirements}` +
        (reason.iceUntil === undefined ? "" : ` (ICE until ${utcMinute(reason.iceUntil)})`)
      );
    case "volume":
      return `volume ${reason.claims.join(", ")} requires ${reason.requirements}, which the pool's requirements exclude`;
    case "hourly-cost":
      return (
        `${ANNOTATION_MAX_HOURLY_COST} would be exceeded (${formatDollars(reason.used)} of ${formatDollars(reason.cap)} ` +
        `per hour used, the cheapest fitting type costs ${formatDollars(reason.cheapest)})`
      );
    case "min-values":
      return (
        `minValues ${reason.minValues} for ${reason.key} cannot be met (the instance types that fit give ` +
        `${reason.found})`
      );
    case "topology":
      return topologyWords(reason);
    case "resources":
      return reason.shortfalls
        .map(
          (s) =>
            `no compatible instance type has ${formatQuantity(s.needed)} ${s.resource} allocatable` +
            (s.largest === undefined ? " (none has any)" : ` (the largest has ${formatQuantity(s.largest)})`),
        )
        .join("; ");
    case "limit":
      return (
        `limits.${reason.resource} would be exceeded (${formatQuantity(reason.used)} of ` +
        `${formatQuantity(reason.limit)} used, the smallest fitting type needs ${formatQuantity(reason.needed)})`
      );
  }
}

function topologyWords(reason: Extract<RuledOut, { kind: "topology" }>): string {
  const selector = reason.selector === "" ? "every pod" : `pods matching ${reason.selector}`;
  const counts = reason.counts.length === 0 ? "none" : reason.counts.map(([d, n]) => `${d} ${n}`).join(", ");
  if (reason.inverse) {
    return (
      `another pod's required anti-affinity on ${reason.topologyKey} (against ${selector}) keeps it out of every ` +
      `domain the pool offers`
    );
  }
  switch (reason.group) {
    case "spread":
      return (
        `topology spread on ${reason.topologyKey} (maxSkew ${reason.maxSkew ?? 1}) cannot be met in any domain ` +
        `the pool offers (${selector} per domain: ${counts})`
      );
    case "affinity":
      return `pod affinity on ${reason.topologyKey}: no domain the pool offers has ${selector} (per domain: ${counts})`;
    case "anti-affinity":
      return (
        `pod anti-affinity on ${reason.topologyKey}: every domain the pool offers already has ${selector} ` +
        `(per domain: ${counts})`
      );
  }
}

// "12:03 UTC": the ICE cache's expiry, to the minute (rounded up, so the time given is never too early).
function utcMinute(at: Date): string {
  const minute = new Date(Math.ceil(at.getTime() / 60_000) * 60_000);
  return `${minute.toISOString().slice(11, 16)} UTC`;
}
