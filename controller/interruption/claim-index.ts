// Instance id → NodeClaim → Node, as Karpenter's interruption controller finds them (field indexes on
// `status.instanceID` and the Node's provider id): built once from the cluster's cache, then kept by its change
// notifications one object at a time, so a burst of messages — each of which changes a NodeClaim and a Node —
// costs a map lookup per message, not a rebuild.
import type { Cluster, ClusterChange, Node, NodeClaim } from "../../api/index.ts";

/** `aws:///us-west-2a/i-0123456789abcdef0` → `i-0123456789abcdef0` (undefined for any other form). */
export function instanceIdOf(providerID: string | undefined): string | undefined {
  const last = providerID?.startsWith("aws://") ? providerID.split("/").at(-1) : undefined;
  return last !== undefined && /^i-[0-9a-f]+$/.test(last) ? last : undefined;
}

type WithProviderID = { metadata: { name?: string } };

/** One index by instance id, kept from a resource's changes. */
class ByInstance<T extends WithProviderID> {
  readonly #byId = new Map<string, T>();
  readonly #providerID: (object: T) => string | undefined;

  constructor(objects: readonly T[], providerID: (object: T) => string | undefined) {
    this.#providerID = providerID;
    for (const object of objects) this.#set(object);
  }

  get(instanceId: string): T | undefined {
    return this.#byId.get(instanceId);
  }

  change(change: ClusterChange<T>): void {
    if (change.type !== "added") this.#delete(change.type === "updated" ? change.previous : change.object);
    if (change.type !== "deleted") this.#set(change.object);
  }

  #set(object: T): void {
    const id = instanceIdOf(this.#providerID(object));
    if (id !== undefined) this.#byId.set(id, object);
  }

  #delete(object: T): void {
    const id = instanceIdOf(this.#providerID(object));
    if (id !== undefined && this.#byId.get(id)?.metadata.name === object.metadata.name) this.#byId.delete(id);
  }
}

export class ClaimIndex {
  readonly #cluster: Cluster;
  #claims: ByInstance<NodeClaim> | undefined;
  #nodes: ByInstance<Node> | undefined;
  readonly #unsubscribe: (() => void)[];

  constructor(cluster: Cluster) {
    this.#cluster = cluster;
    this.#unsubscribe = [
      cluster.onChange("nodeclaims", (change) => this.#claims?.change(change)),
      cluster.onChange("nodes", (change) => this.#nodes?.change(change)),
    ];
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
  }

  nodeClaim(instanceId: string): NodeClaim | undefined {
    this.#claims ??= new ByInstance(this.#cluster.list("nodeclaims"), (c) => c.status?.providerID);
    return this.#claims.get(instanceId);
  }

  node(claim: NodeClaim): Node | undefined {
    const named = claim.status?.nodeName;
    if (named) return this.#cluster.get("nodes", { name: named });
    const id = instanceIdOf(claim.status?.providerID);
    if (id === undefined) return undefined;
    this.#nodes ??= new ByInstance(this.#cluster.list("nodes"), (n) => n.spec?.providerID);
    return this.#nodes.get(id);
  }
}
