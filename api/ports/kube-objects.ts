// The core Kubernetes kinds the controller reads, as minimal typed shapes over the JSON the API server returns:
// only the fields provisioning, disruption and interruption look at are named; the rest of each object is kept
// as it came (the index signatures), so a write sends back what it read. Karpenter's own kinds are the generated
// types (api/generated/types.ts).
import type { ObjectMeta } from "../object-meta.ts";

export type { ObjectMeta };

/** What every object the port carries has: metadata, and whatever else its kind holds. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface Taint {
  key: string;
  value?: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  timeAdded?: string;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  [field: string]: unknown;
}

/** core/v1 Pod. */
export interface Pod extends KubeObject {
  spec?: { nodeName?: string; priority?: number; [field: string]: unknown };
  status?: { phase?: string; nominatedNodeName?: string; conditions?: Condition[]; [field: string]: unknown };
}

/** core/v1 Node. */
export interface Node extends KubeObject {
  spec?: { providerID?: string; unschedulable?: boolean; taints?: Taint[]; [field: string]: unknown };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: Condition[];
    [field: string]: unknown;
  };
}

/** policy/v1 PodDisruptionBudget. */
export interface PodDisruptionBudget extends KubeObject {
  spec?: { minAvailable?: number | string; maxUnavailable?: number | string; selector?: unknown };
  status?: { disruptionsAllowed?: number; currentHealthy?: number; desiredHealthy?: number; [field: string]: unknown };
}

/** apps/v1 DaemonSet. */
export interface DaemonSet extends KubeObject {
  spec?: { template?: { metadata?: ObjectMeta; spec?: Record<string, unknown> }; [field: string]: unknown };
}

/** core/v1 PersistentVolumeClaim. */
export interface PersistentVolumeClaim extends KubeObject {
  spec?: { volumeName?: string; storageClassName?: string; [field: string]: unknown };
}

/** core/v1 PersistentVolume: its node affinity says where a pod using it can run (an EBS volume: one zone). */
export interface PersistentVolume extends KubeObject {
  spec?: {
    nodeAffinity?: { required?: { nodeSelectorTerms?: { matchExpressions?: unknown[] }[] } };
    local?: unknown;
    hostPath?: unknown;
    [field: string]: unknown;
  };
}

/** storage.k8s.io/v1 StorageClass: where the volumes of its unbound claims may be provisioned. */
export interface StorageClass extends KubeObject {
  provisioner?: string;
  volumeBindingMode?: string;
  allowedTopologies?: { matchLabelExpressions?: { key?: string; values?: string[] }[] }[];
}

/** storage.k8s.io/v1 VolumeAttachment. */
export interface VolumeAttachment extends KubeObject {
  spec?: { attacher?: string; nodeName?: string; source?: { persistentVolumeName?: string } };
}

/** The object an Event is about (core/v1 ObjectReference). */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** core/v1 Event, as client-go's EventRecorder writes it. */
export interface Event extends KubeObject {
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  type?: "Normal" | "Warning";
  source?: { component?: string; host?: string };
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  reportingComponent?: string;
  reportingInstance?: string;
}

/** coordination.k8s.io/v1 Lease, the lock of leader election. */
export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}
