// Instance id → NodeClaim → Node, as Karpenter's interruption controller finds them (field indexes on
// `status.instanceID` and the Node's provider id): built from the cluster's cache and rebuilt only after the
// NodeClaims or Nodes change, so a burst of messages costs a map lookup each.
import type { Cluster, Node, NodeClaim } from "../../api/index.ts";

/** `aws:///us-west-2a/i-0123456789abcdef0` → `i-0123456789abcdef0` (undefined for any other form). */
export function instanceIdOf(providerID: string | undefined): string | undefined {
  const last = providerID?.startsWith("aws://") ? providerID.split("/").at(-1) : undefined;
  return last !== undefined && /^i-[0-9a-f]+$/.test(last) ? last : undefined;
}

export class ClaimIndex {
  readonly #cluster: Cluster;
  #claims: Map<string, NodeClaim> | undefined;
  #nodes: Map<string, Node> | undefined;
  readonly #unsubscribe: (() => void)[];

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
    this.#unsubscribe = [
      cluster.onChange("nodeclaims", () => (this.#claims = undefined)),
      cluster.onChange("nodes", () => (this.#nodes = undefined)),
    ];
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
  }

  nodeClaim(instanceId: string): NodeClaim | undefined {
    this.#claims ??= new Map(
      this.#cluster.list("nodeclaims").flatMap((c) => {
        const id = instanceIdOf(c.status?.providerID);
        return id === undefined ? [] : [[id, c] as const];
      }),
    );
    return this.#claims.get(instanceId);
  }

  node(claim: NodeClaim): Node | undefined {
    const named = claim.status?.nodeName;
    if (named) return this.#cluster.get("nodes", { name: named });
    const id = instanceIdOf(claim.status?.providerID);
    if (id === undefined) return undefined;
    this.#nodes ??= new Map(
      this.#cluster.list("nodes").flatMap((n) => {
        const nodeId = instanceIdOf(n.spec?.providerID);
        return nodeId === undefined ? [] : [[nodeId, n] as const];
      }),
    );
    return this.#nodes.get(id);
  }
}
