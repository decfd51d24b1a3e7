/**
 * A ClusterSnapshot from the objects a cluster holds: each object cut down to what Karpenter's scheduling and
 * disruption read (core:pkg/utils/pod/scheduling.go, pkg/scheduling, the disruption candidates' filters), so a
 * snapshot can be attached to a pull request. Never kept: containers' env, command, image and mounts, volumes but
 * the PersistentVolumeClaims they name, annotations other than Karpenter's and poolkeeper's, managedFields.
 */
import type {
  ClusterObject as KubeObject,
  DaemonSet,
  Node,
  NodeClaim,
  Pod,
  PodDisruptionBudget,
} from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import {
  type ClusterSnapshotDocument,
  SNAPSHOT_API_VERSION,
  SNAPSHOT_KIND,
  type SnapshotOffering,
} from "./cluster-snapshot.ts";

export interface SnapshotObjects {
  readonly nodes: readonly Node[];
  readonly pods: readonly Pod[];
  readonly nodeClaims: readonly NodeClaim[];
  readonly podDisruptionBudgets: readonly PodDisruptionBudget[];
  readonly daemonSets: readonly DaemonSet[];
  /** The instance types the provider offers, with their offerings. */
  readonly instanceTypes: readonly InstanceType[];
  readonly takenAt: Date;
  readonly cluster?: string | undefined;
  readonly region?: string | undefined;
}

// The annotations Karpenter reads: do-not-disrupt on pods and nodes, the hashes on NodeClaims (and poolkeeper's own);
// a mirror pod's marker and a pod's deletion cost, which decide whether and at what cost disruption moves it
// (core:pkg/utils/pod `IsMirrorPod`, pkg/utils/disruption `EvictionCost`).
const KEPT_ANNOTATION_PREFIXES = ["karpenter.sh/", "karpenter.k8s.aws/", "poolkeeper.dev/"];
const KEPT_ANNOTATIONS = new Set(["kubernetes.io/config.mirror", "controller.kubernetes.io/pod-deletion-cost"]);

export function exportClusterSnapshot(objects: SnapshotObjects): ClusterSnapshotDocument {
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: SNAPSHOT_KIND,
    metadata: {
      takenAt: objects.takenAt.toISOString(),
      ...(objects.cluster === undefined ? {} : { cluster: objects.cluster }),
      ...(objects.region === undefined ? {} : { region: objects.region }),
    },
    nodes: sorted(objects.nodes).map(exportNode),
    pods: sorted(objects.pods).map(exportPod),
    nodeClaims: sorted(objects.nodeClaims).map(exportNodeClaim),
    podDisruptionBudgets: sorted(objects.podDisruptionBudgets).map((pdb) => ({
      metadata: exportMetadata(pdb, false),
      ...(pdb.spec === undefined ? {} : { spec: pdb.spec }),
      ...(pdb.status === undefined ? {} : { status: pdb.status }),
    })),
    daemonSets: sorted(objects.daemonSets).map(exportDaemonSet),
    offerings: offeringsOf(objects.instanceTypes),
  };
}

/** Every on-demand and spot offering of the types, in the types' order (reservations are the account's own). */
export function offeringsOf(types: readonly InstanceType[]): SnapshotOffering[] {
  return types.flatMap((it) =>
    it.offerings.items.flatMap((o) =>
      o.capacityType === "reserved"
        ? []
        : [
            {
              instanceType: it.name,
              zone: o.zone,
              capacityType: o.capacityType,
              price: o.price,
              available: o.available,
            },
          ],
    ),
  );
}

function sorted<T extends { metadata: KubeObject["metadata"] }>(objects: readonly T[]): T[] {
  const key = (o: T) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

type Meta = KubeObject["metadata"];

function exportMetadata(object: { metadata: Meta }, annotations: boolean): Meta {
  const m = object.metadata;
  const kept = Object.entries(m.annotations ?? {}).filter(
    ([k]) => KEPT_ANNOTATIONS.has(k) || KEPT_ANNOTATION_PREFIXES.some((p) => k.startsWith(p)),
  );
  return pick({
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    labels: m.labels,
    annotations: annotations && kept.length > 0 ? Object.fromEntries(kept) : undefined,
    ownerReferences: m.ownerReferences?.map((o) =>
      pick({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, uid: o.uid, controller: o.controller }),
    ),
    creationTimestamp: m.creationTimestamp,
    deletionTimestamp: m.deletionTimestamp,
  }) as Meta;
}

function exportNode(node: Node): Node {
  const spec = node.spec ?? {};
  const status = node.status ?? {};
  return {
    metadata: exportMetadata(node, true),
    spec: pick({ providerID: spec.providerID, unschedulable: spec.unschedulable, taints: spec.taints }),
    status: pick({
      capacity: status.capacity,
      allocatable: status.allocatable,
      conditions: (status.conditions as Record<string, unknown>[] | undefined)?.map(condition),
    }),
  } as Node;
}

function exportNodeClaim(claim: NodeClaim): NodeClaim {
  return {
    apiVersion: claim.apiVersion ?? "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: exportMetadata(claim as { metadata: Meta }, true),
    spec: claim.spec,
    ...(claim.status === undefined ? {} : { status: claim.status }),
  } as NodeClaim;
}

function exportPod(pod: Pod): Pod {
  const status = pod.status ?? {};
  return {
    metadata: exportMetadata(pod, true),
    spec: exportPodSpec(pod.spec ?? {}),
    status: pick({
      phase: status.phase,
      nominatedNodeName: status.nominatedNodeName,
      startTime: status["startTime"],
      conditions: status.conditions?.map((c) => condition(c as unknown as Record<string, unknown>)),
    }),
  } as Pod;
}

function exportDaemonSet(ds: DaemonSet): DaemonSet {
  const template = ds.spec?.template;
  return {
    metadata: exportMetadata(ds, false),
    spec: pick({
      selector: ds.spec?.["selector"],
      template:
        template === undefined
          ? undefined
          : pick({
              metadata: template.metadata?.labels === undefined ? undefined : { labels: template.metadata.labels },
              spec: exportPodSpec(template.spec ?? {}),
            }),
    }),
  } as DaemonSet;
}

// What Karpenter's scheduling reads of a pod spec (core:pkg/controllers/provisioning/scheduling, pkg/utils/resources).
const POD_SPEC_FIELDS = [
  "nodeName",
  "nodeSelector",
  "affinity",
  "tolerations",
  "topologySpreadConstraints",
  "priority",
  "priorityClassName",
  "preemptionPolicy",
  "schedulerName",
  "overhead",
  "terminationGracePeriodSeconds",
];

function exportPodSpec(spec: Record<string, unknown>): Record<string, unknown> {
  const kept = Object.fromEntries(POD_SPEC_FIELDS.filter((f) => spec[f] !== undefined).map((f) => [f, spec[f]]));
  const volumes = (spec["volumes"] as Record<string, unknown>[] | undefined)
    ?.filter((v) => v["persistentVolumeClaim"] !== undefined || v["ephemeral"] !== undefined)
    .map((v) =>
      v["persistentVolumeClaim"] !== undefined
        ? {
            name: v["name"],
            persistentVolumeClaim: {
              claimName: (v["persistentVolumeClaim"] as Record<string, unknown>)["claimName"],
            },
          }
        : { name: v["name"], ephemeral: {} },
    );
  return pick({
    ...kept,
    containers: exportContainers(spec["containers"]) ?? [],
    initContainers: exportContainers(spec["initContainers"]),
    volumes: volumes !== undefined && volumes.length > 0 ? volumes : undefined,
  });
}

// Name, requests and limits, the host ports that constrain placement, and an init container's restartPolicy (a
// sidecar's requests add up differently).
function exportContainers(list: unknown): Record<string, unknown>[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return (list as Record<string, unknown>[]).map((c) => {
    const resources = (c["resources"] ?? {}) as Record<string, unknown>;
    const hostPorts = ((c["ports"] ?? []) as Record<string, unknown>[])
      .filter((p) => p["hostPort"] !== undefined)
      .map((p) =>
        pick({
          containerPort: p["containerPort"],
          hostPort: p["hostPort"],
          protocol: p["protocol"],
          hostIP: p["hostIP"],
        }),
      );
    return pick({
      name: c["name"],
      resources: pick({ requests: resources["requests"], limits: resources["limits"] }),
      ports: hostPorts.length > 0 ? hostPorts : undefined,
      restartPolicy: c["restartPolicy"],
    });
  });
}

function condition(c: Record<string, unknown>): Record<string, unknown> {
  return pick({
    type: c["type"],
    status: c["status"],
    reason: c["reason"],
    lastTransitionTime: c["lastTransitionTime"],
  });
}

// The fields that are set: a snapshot carries no `undefined` (JSON would drop it anyway) and no empty objects.
function pick(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).filter(
      ([, v]) =>
        v !== undefined && !(typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0),
    ),
  );
}
