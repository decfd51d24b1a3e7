/**
 * What provisioning tells the Git status report: one `provisioned` event per launch, with the pool, the NodeClaim,
 * and in its sentence the instance type, zone, capacity type, price and the pods it was for. The interface is the
 * part of gitops/'s StatusPublisher provisioning uses, so the program wires the publisher in and tests a recorder.
 */
export interface ProvisionedEvent {
  readonly kind: "provisioned";
  readonly pool: string;
  /** The NodeClaim. */
  readonly node: string;
  readonly reason: string;
}

export interface ProvisioningStatusSink {
  record(event: ProvisionedEvent): void;
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
}

export function provisionedEvent(launched: Launched): ProvisionedEvent {
  const price = launched.price === undefined ? "price unknown" : `$${launched.price.toFixed(4)}/h`;
  const named = launched.pods.slice(0, PODS_NAMED).join(", ");
  const more = launched.pods.length > PODS_NAMED ? ` and ${launched.pods.length - PODS_NAMED} more` : "";
  const count = `${launched.pods.length} pod${launched.pods.length === 1 ? "" : "s"}`;
  return {
    kind: "provisioned",
    pool: launched.pool,
    node: launched.nodeClaim,
    reason:
      `launched ${launched.instanceType} ${launched.capacityType} in ${launched.zone} at ${price} ` +
      `for ${count}${named === "" ? "" : `: ${named}${more}`}`,
  };
}
