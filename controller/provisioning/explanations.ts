/**
 * Why a pod could not be placed through a NodePool, in words a user acts on. Karpenter answers this only with log
 * lines (`scheduler.go` "could not schedule pod" with the last error of each template); here each pool gets the
 * first constraint that ruled it out, in the order the scheduler checks them.
 */
import { formatQuantity, type Quantity } from "../../api/index.ts";

export type RuledOut =
  | { readonly kind: "taint"; readonly taint: string }
  | { readonly kind: "requirement"; readonly detail: string }
  | { readonly kind: "undefined-label"; readonly key: string }
  | { readonly kind: "nodes-limit"; readonly limit: number }
  | { readonly kind: "no-instance-type"; readonly requirements: string }
  | { readonly kind: "no-offering"; readonly requirements: string }
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
    case "requirement":
      return `the pod's node selector or affinity conflicts with the pool's requirements (${reason.detail})`;
    case "undefined-label":
      return `the pod requires label ${reason.key}, which the pool's nodes would not have`;
    case "nodes-limit":
      return `limits.nodes reached (${reason.limit} of ${reason.limit})`;
    case "no-instance-type":
      return `no instance type satisfies ${reason.requirements}`;
    case "no-offering":
      return `no available offering (zone and capacity type) satisfies ${reason.requirements}`;
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
