// The kinds the simulated cluster serves and the objects a new cluster starts with.
import { KindRegistry } from "../store/kind-registry.ts";
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import {
  clusterRoleBindings,
  clusterRoles,
  customResourceDefinitions,
  mutatingWebhookConfigurations,
  roleBindings,
  roles,
  validatingWebhookConfigurations,
} from "./access-kinds.ts";
import { leases, podDisruptionBudgets, priorityClasses, storageClasses, volumeAttachments } from "./cluster-kinds.ts";
import {
  configMaps,
  endpoints,
  events,
  namespaces,
  persistentVolumeClaims,
  persistentVolumes,
  secrets,
  serviceAccounts,
  services,
} from "./core-kinds.ts";
import { endpointSlices } from "./discovery-kinds.ts";
import { karpenterCrdObjects, karpenterKinds } from "./karpenter-kinds.ts";
import { nodes } from "./nodes.ts";
import { pods } from "./pods.ts";
import { daemonSets, deployments, jobs, replicaSets } from "./workload-kinds.ts";

export function servedKinds(): ResourceKind[] {
  return [
    namespaces,
    pods,
    nodes,
    events,
    services,
    endpoints,
    serviceAccounts,
    secrets,
    configMaps,
    persistentVolumeClaims,
    persistentVolumes,
    deployments,
    replicaSets,
    daemonSets,
    jobs,
    podDisruptionBudgets,
    leases,
    endpointSlices,
    priorityClasses,
    storageClasses,
    volumeAttachments,
    roles,
    clusterRoles,
    roleBindings,
    clusterRoleBindings,
    customResourceDefinitions,
    validatingWebhookConfigurations,
    mutatingWebhookConfigurations,
    ...karpenterKinds(),
  ];
}

export function servedKindRegistry(): KindRegistry {
  return new KindRegistry(servedKinds());
}

/** What a new cluster holds: the system namespaces, the built-in priority classes, the Karpenter CRDs. */
export function initialObjects(): { resource: [string, string, string]; object: KubeObject }[] {
  const ns = (name: string) => ({
    resource: ["", "v1", "namespaces"] as [string, string, string],
    object: { metadata: { name } },
  });
  const priority = (name: string, value: number, description: string) => ({
    resource: ["scheduling.k8s.io", "v1", "priorityclasses"] as [string, string, string],
    object: { metadata: { name }, value, description },
  });
  return [
    ns("default"),
    ns("kube-system"),
    ns("kube-public"),
    ns("kube-node-lease"),
    priority(
      "system-cluster-critical",
      2000000000,
      "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    ),
    priority(
      "system-node-critical",
      2000001000,
      "Used for system critical pods that must not be moved from their current node.",
    ),
    ...karpenterCrdObjects().map((object) => ({
      resource: ["apiextensions.k8s.io", "v1", "customresourcedefinitions"] as [string, string, string],
      object,
    })),
  ];
}
