// Disruption snapshots for tests: nodes of catalog instance types, with their Node, NodeClaim and bound pods, the
// existing capacity provisioning's scheduler sees, PDBs; and NodePools. Prices are the catalog's on-demand column
// (data/SOURCE.md), spot prices are set by each test.
import type { NodeClaim, NodePool, Pod, PodDisruptionBudget } from "../../api/index.ts";
import { catalogInstanceTypes } from "../../cloudprovider/catalog-instance-types.ts";
import { defaultCatalog, InstanceType, type DriftReason } from "../../cloudprovider/index.ts";
import { newOffering } from "../../cloudprovider/offering.ts";
import { fixedClock } from "../../api/ports.ts";
import type { DisruptionCommand, DisruptionNode, DisruptionSnapshot } from "../../controller/disruption/index.ts";
import { type ExistingCapacity, nodePoolTemplate, podRequests, schedule } from "../../controller/provisioning/index.ts";
import { addResources } from "../../scheduling/index.ts";

export const ZONE = "us-east-1a";
export const catalogTypes = catalogInstanceTypes(defaultCatalog(), { zones: [ZONE], region: "us-east-1" });

/** Catalog types by name, with a spot offering at `spot[name]` USD/h where given. */
export function instanceTypes(names: readonly string[], spot: Record<string, number> = {}): InstanceType[] {
  return names.map((name) => {
    const it = catalogTypes.find((t) => t.name === name);
    if (it === undefined) throw new Error(`no catalog type ${name}`);
    const price = spot[name];
    if (price === undefined) return it;
    const offering = newOffering({ zone: ZONE, capacityType: "spot", price, available: true });
    return new InstanceType({ ...it, offerings: [...it.offerings.items, offering] });
  });
}

export function nodePool(
  name: string,
  disruption: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): NodePool {
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name, ...(extra["annotations"] ? { annotations: extra["annotations"] } : {}) },
    spec: {
      disruption: { consolidateAfter: "0s", ...disruption },
      template: {
        ...(extra["labels"] ? { metadata: { labels: extra["labels"] } } : {}),
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
          requirements: (extra["requirements"] as never) ?? [
            { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
          ],
          ...(extra["expireAfter"] ? { expireAfter: extra["expireAfter"] } : {}),
        },
      },
    },
  } as NodePool;
}

let serial = 0;
export interface PodOptions {
  cpu?: string;
  memory?: string;
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startTime?: string;
  daemonSet?: boolean;
  ready?: boolean;
}

export function pod(options: PodOptions = {}): Pod {
  serial += 1;
  return {
    metadata: {
      name: options.name ?? `p${serial}`,
      namespace: options.namespace ?? "default",
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ...(options.daemonSet
        ? { ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "ds", uid: "u" }] }
        : {}),
    },
    spec: {
      containers: [
        { name: "c", resources: { requests: { cpu: options.cpu ?? "100m", memory: options.memory ?? "128Mi" } } },
      ],
    },
    status: {
      phase: "Running",
      startTime: options.startTime ?? "2026-01-01T00:00:00Z",
      conditions: [{ type: "Ready", status: options.ready === false ? "False" : "True" }],
    },
  };
}

export interface NodeOptions {
  pool?: string;
  type: string;
  capacityType?: "on-demand" | "spot";
  pods?: Pod[];
  createdAt?: string;
  initializedAt?: string | null;
  lastPodEventTime?: string;
  nodeAnnotations?: Record<string, string>;
  claimAnnotations?: Record<string, string>;
  claimSpec?: Record<string, unknown>;
  nominatedAt?: string;
  cloudDrift?: DriftReason;
  disruptionReason?: string;
  labels?: Record<string, string>;
}

export class SnapshotBuilder {
  readonly nodes: DisruptionNode[] = [];
  readonly existing: ExistingCapacity[] = [];
  readonly pdbs: PodDisruptionBudget[] = [];
  readonly #types: readonly InstanceType[];

  constructor(types: readonly InstanceType[]) {
    this.#types = types;
  }

  node(name: string, options: NodeOptions): this {
    const it = this.#types.find((t) => t.name === options.type);
    if (it === undefined) throw new Error(`type ${options.type} not offered`);
    const pool = options.pool ?? "default";
    const labels = {
      "karpenter.sh/nodepool": pool,
      "node.kubernetes.io/instance-type": options.type,
      "karpenter.sh/capacity-type": options.capacityType ?? "on-demand",
      "topology.kubernetes.io/zone": ZONE,
      "kubernetes.io/hostname": name,
      ...(options.labels ?? {}),
    };
    const created = options.createdAt ?? "2026-01-01T00:00:00Z";
    const conditions = [];
    if (options.initializedAt !== null) {
      conditions.push({ type: "Initialized", status: "True", lastTransitionTime: options.initializedAt ?? created });
    }
    if (options.disruptionReason !== undefined) {
      conditions.push({
        type: "DisruptionReason",
        status: "True",
        reason: options.disruptionReason,
        lastTransitionTime: created,
      });
    }
    const nodeClaim: NodeClaim = {
      apiVersion: "karpenter.sh/v1",
      kind: "NodeClaim",
      metadata: {
        name: `${name}-claim`,
        labels,
        annotations: options.claimAnnotations ?? {},
        creationTimestamp: created,
      },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" },
        requirements: [],
        ...(options.claimSpec ?? {}),
      },
      status: {
        nodeName: name,
        conditions: conditions as never,
        ...(options.lastPodEventTime ? { lastPodEventTime: options.lastPodEventTime } : {}),
      },
    } as NodeClaim;
    const pods = (options.pods ?? []).map((p) => ({ ...p, spec: { ...p.spec, nodeName: name } }));
    this.nodes.push({
      node: {
        metadata: { name, labels, ...(options.nodeAnnotations ? { annotations: options.nodeAnnotations } : {}) },
        spec: {},
        status: { conditions: [{ type: "Ready", status: "True" }] },
      },
      nodeClaim,
      pods,
      ...(options.nominatedAt ? { nominatedAt: options.nominatedAt } : {}),
      ...(options.cloudDrift ? { cloudDrift: options.cloudDrift } : {}),
    });
    this.existing.push({
      name,
      nodePool: pool,
      labels,
      taints: [],
      capacity: it.capacity,
      allocatable: it.allocatable(),
      requested: addResources(...pods.map(podRequests)),
    });
    return this;
  }

  pdb(
    name: string,
    matchLabels: Record<string, string>,
    disruptionsAllowed: number,
    extra: Record<string, unknown> = {},
  ): this {
    this.pdbs.push({
      metadata: { name, namespace: "default" },
      spec: { selector: { matchLabels }, ...extra },
      status: { disruptionsAllowed },
    });
    return this;
  }

  snapshot(): DisruptionSnapshot {
    return {
      pendingPods: [],
      existing: this.existing,
      daemonSets: [],
      nodes: this.nodes,
      podDisruptionBudgets: this.pdbs,
      deletingNodePods: [],
    };
  }
}

export function typesByPool(pools: readonly NodePool[], types: readonly InstanceType[]): Map<string, InstanceType[]> {
  return new Map(pools.map((p) => [p.metadata?.name ?? "", [...types]]));
}

/**
 * A cluster as node records, which a test rebuilds into snapshots and applies commands to as the executor and
 * the world would: candidates go, each replacement comes up with the pods the command put on it (its first, cheapest
 * instance type), and the other moved pods land where provisioning's scheduler puts them.
 */
export class ClusterModel {
  readonly nodes = new Map<string, NodeOptions>();
  #launched = 0;

  add(name: string, options: NodeOptions): this {
    this.nodes.set(name, options);
    return this;
  }

  builder(types: readonly InstanceType[]): SnapshotBuilder {
    const b = new SnapshotBuilder(types);
    for (const [name, options] of this.nodes) b.node(name, options);
    return b;
  }

  apply(
    command: DisruptionCommand,
    types: readonly InstanceType[],
    pools: readonly NodePool[],
    at: Date,
    claimAnnotations: Record<string, string> = {},
  ): string[] {
    const gone = new Set(command.candidates.map((c) => c.node));
    const moving = [...gone].flatMap((n) => (this.nodes.get(n)?.pods ?? []).filter((p) => !isDaemon(p)));
    const byKey = new Map(moving.map((p) => [`${p.metadata.namespace ?? "default"}/${p.metadata.name ?? ""}`, p]));
    const onReplacements = new Set(command.replacements.flatMap((r) => r.pods));
    const rest = this.builder(types);
    const existing = rest.existing.filter((e) => !gone.has(e.name));
    const placed = schedule(
      { pendingPods: moving.filter((p) => !onReplacements.has(keyOf(p))), existing, daemonSets: [] },
      pools.map(nodePoolTemplate),
      typesByPool(pools, types),
      fixedClock(at),
    );
    for (const n of gone) this.nodes.delete(n);
    for (const placement of placed.placementsOnExisting) {
      const node = this.nodes.get(placement.node);
      const p = byKey.get(placement.pod);
      if (node !== undefined && p !== undefined) node.pods = [...(node.pods ?? []), p];
    }
    const added: string[] = [];
    for (const r of [...command.replacements, ...placed.newNodeClaims]) {
      const name = `r${String(++this.#launched).padStart(4, "0")}`;
      this.nodes.set(name, {
        pool: r.nodePool.name,
        type: r.instanceTypes[0] ?? "",
        capacityType: r.capacityType as "on-demand" | "spot",
        pods: r.pods.flatMap((k) => byKey.get(k) ?? []),
        createdAt: at.toISOString(),
        claimAnnotations,
      });
      added.push(name);
    }
    return added;
  }
}

const isDaemon = (p: Pod) => (p.metadata.ownerReferences ?? []).some((o) => o.kind === "DaemonSet");
const keyOf = (p: Pod) => `${p.metadata.namespace ?? "default"}/${p.metadata.name ?? ""}`;
