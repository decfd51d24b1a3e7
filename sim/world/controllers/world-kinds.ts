// The kinds the world's controllers read and write, looked up once in the store's registry.
import type { KindRegistry } from "../../kube/store/kind-registry.ts";
import type { ResourceKind } from "../../kube/store/resource-kind.ts";

export interface WorldKinds {
  pods: ResourceKind;
  nodes: ResourceKind;
  deployments: ResourceKind;
  replicaSets: ResourceKind;
  daemonSets: ResourceKind;
  jobs: ResourceKind;
  podDisruptionBudgets: ResourceKind;
}

export function worldKinds(registry: KindRegistry): WorldKinds {
  return {
    pods: registry.get("", "v1", "pods"),
    nodes: registry.get("", "v1", "nodes"),
    deployments: registry.get("apps", "v1", "deployments"),
    replicaSets: registry.get("apps", "v1", "replicasets"),
    daemonSets: registry.get("apps", "v1", "daemonsets"),
    jobs: registry.get("batch", "v1", "jobs"),
    podDisruptionBudgets: registry.get("policy", "v1", "poddisruptionbudgets"),
  };
}
