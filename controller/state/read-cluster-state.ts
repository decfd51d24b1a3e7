/**
 * Cluster state from the Cluster port's cache: the thin part that reads Nodes, NodeClaims, pods, DaemonSets and the
 * volume objects (synchronously, as controller-runtime's cache gives them) and hands them to the pure build.
 */
import type { Cluster, Clock, NodeClaim } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import { buildClusterState, type ClusterState } from "./cluster-state.ts";
import type { Nominations } from "./nominations.ts";

export interface ReadClusterStateOptions {
  readonly clock: Clock;
  readonly nominations?: Nominations;
  readonly instanceTypeOf?: (nodeClaim: NodeClaim) => InstanceType | undefined;
  readonly nominationWindowMs?: number;
  /** Read PersistentVolumeClaims, PersistentVolumes and StorageClasses too (provisioning's volume topology). */
  readonly withVolumes?: boolean;
}

export function readClusterState(cluster: Pick<Cluster, "list">, options: ReadClusterStateOptions): ClusterState {
  return buildClusterState({
    nodes: cluster.list("nodes"),
    nodeClaims: cluster.list("nodeclaims"),
    pods: cluster.list("pods"),
    daemonSets: cluster.list("daemonsets"),
    ...(options.withVolumes === true
      ? {
          volumes: {
            persistentVolumeClaims: cluster.list("persistentvolumeclaims"),
            persistentVolumes: cluster.list("persistentvolumes"),
            storageClasses: cluster.list("storageclasses"),
          },
        }
      : {}),
    nominations: options.nominations?.snapshot() ?? new Map(),
    now: options.clock.now(),
    ...(options.instanceTypeOf === undefined ? {} : { instanceTypeOf: options.instanceTypeOf }),
    ...(options.nominationWindowMs === undefined ? {} : { nominationWindowMs: options.nominationWindowMs }),
  });
}
