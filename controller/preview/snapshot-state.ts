/**
 * A ClusterSnapshot read back into what the controller decides from: the instance types (the catalog's shapes with
 * the snapshot's offerings), cluster state (`buildClusterState`, Karpenter's state.Cluster) and the disruption
 * snapshot of its Karpenter-managed nodes — the same inputs `poolkeeper run` hands its pure decisions.
 */
import { type Clock, ValueError } from "../../api/index.ts";
import {
  catalogInstanceTypes,
  type CatalogInstanceType,
  type InstanceTypeCatalog,
  InstanceType,
  LABEL_INSTANCE_TYPE,
  newOffering,
} from "../../cloudprovider/index.ts";
import { deletingNodePods, type DisruptionNode, type DisruptionSnapshot } from "../disruption/index.ts";
import { buildClusterState, type ClusterState } from "../state/index.ts";
import type { ClusterSnapshotDocument } from "./cluster-snapshot.ts";

export interface LoadedSnapshot {
  readonly document: ClusterSnapshotDocument;
  /** The snapshot's time: budgets' windows and ages are judged at it, so a plan reads the same tomorrow. */
  readonly clock: Clock;
  readonly instanceTypes: readonly InstanceType[];
  readonly state: ClusterState;
  /** The Karpenter-managed nodes (a Node with its NodeClaim), keyed in `existing` by the Node's name. */
  readonly disruption: DisruptionSnapshot;
}

/** Throws a ValueError naming the file and the offering whose instance type the catalog does not know. */
export function loadSnapshot(
  document: ClusterSnapshotDocument,
  catalog: InstanceTypeCatalog,
  file: string,
): LoadedSnapshot {
  const at = new Date(document.metadata.takenAt);
  const clock: Clock = { now: () => new Date(at.getTime()) };
  const instanceTypes = snapshotInstanceTypes(document, catalog, file);
  const byName = new Map(instanceTypes.map((it) => [it.name, it]));
  const state = buildClusterState({
    nodes: document.nodes,
    nodeClaims: document.nodeClaims,
    pods: document.pods,
    daemonSets: document.daemonSets,
    nominations: new Map(),
    instanceTypeOf: (claim) => byName.get(claim.metadata.labels?.[LABEL_INSTANCE_TYPE] ?? ""),
    now: at,
  });
  return { document, clock, instanceTypes, state, disruption: disruptionSnapshot(state, document) };
}

function snapshotInstanceTypes(
  document: ClusterSnapshotDocument,
  catalog: InstanceTypeCatalog,
  file: string,
): InstanceType[] {
  const known = new Map(catalog.types.map((t) => [t.name, t]));
  const shapesToBuild: CatalogInstanceType[] = [];
  const offered = new Map<string, ClusterSnapshotDocument["offerings"][number][]>();
  document.offerings.forEach((o, i) => {
    if (!known.has(o.instanceType)) {
      throw new ValueError(
        `${file}: offerings[${i}].instanceType: ${JSON.stringify(o.instanceType)} is not in the instance-type catalog`,
        o.instanceType,
      );
    }
    const list = offered.get(o.instanceType);
    if (list === undefined) {
      offered.set(o.instanceType, [o]);
      shapesToBuild.push(known.get(o.instanceType) as CatalogInstanceType);
    } else list.push(o);
  });
  const zones = [...new Set(document.offerings.map((o) => o.zone))].sort();
  const shapes = catalogInstanceTypes(shapesToBuild, {
    zones,
    ...(document.metadata.region === undefined ? {} : { region: document.metadata.region }),
  });
  return shapes.map(
    (it) =>
      new InstanceType({
        ...it,
        offerings: (offered.get(it.name) ?? []).map((o) =>
          newOffering({ zone: o.zone, capacityType: o.capacityType, price: o.price, available: o.available }),
        ),
      }),
  );
}

// Disruption's view (controller/disruption/snapshot.ts): each node that has both its Node and its NodeClaim, with the
// pods bound to it; `existing` renamed from the NodeClaim's name (cluster state's key) to the Node's.
function disruptionSnapshot(state: ClusterState, document: ClusterSnapshotDocument): DisruptionSnapshot {
  const renamed = new Map<string, string>();
  const nodes: DisruptionNode[] = [];
  for (const n of state.nodes) {
    if (n.node === undefined || n.nodeClaim === undefined) continue;
    const name = n.node.metadata.name ?? n.key;
    renamed.set(n.key, name);
    nodes.push({ node: n.node, nodeClaim: n.nodeClaim, pods: n.pods });
  }
  const existing = state.snapshot.existing.map((e) => ({ ...e, name: renamed.get(e.name) ?? e.name }));
  const boundPods = state.nodes.flatMap((n) => n.pods.map((pod) => ({ pod, node: renamed.get(n.key) ?? n.key })));
  return {
    ...state.snapshot,
    existing,
    boundPods,
    nodes,
    podDisruptionBudgets: document.podDisruptionBudgets,
    deletingNodePods: deletingNodePods(state),
  };
}
