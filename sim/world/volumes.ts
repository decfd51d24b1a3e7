// Zonal volumes as a cluster with the EBS CSI driver has them: the PV controller's binding with a dynamic
// provisioner (pkg/controller/volume/persistentvolume: a claim of an `Immediate` class is provisioned at once, one
// of a `WaitForFirstConsumer` class once a pod using it is bound to a node, in that node's zone — what the
// scheduler's VolumeBinding and the external-provisioner do together), and the attach/detach controller
// (pkg/controller/volume/attachdetach): a VolumeAttachment for every (volume, node) a running pod needs, attached
// after `attachDelayMs`, removed `detachDelayMs` after the last pod using it there has gone — so a drained node
// keeps its attachments a while, and whatever waits for them (Karpenter's termination) waits.
import { createHash } from "node:crypto";
import type { Timer, TimerClock } from "../../api/index.ts";
import type { ObjectStore } from "../kube/store/object-store.ts";
import type { KubeObject, ResourceKind } from "../kube/store/resource-kind.ts";
import { CoalescedPasses } from "./coalesced-passes.ts";

export interface VolumeOptions {
  /** From a VolumeAttachment's creation to `status.attached`; 0 by default. */
  attachDelayMs?: number;
  /** From the last pod leaving a node to its VolumeAttachment's removal; 10 s by default. */
  detachDelayMs?: number;
}

export const ZONE_LABEL = "topology.kubernetes.io/zone";
const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node";
const DEFAULT_ATTACHER = "ebs.csi.aws.com";

interface Meta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

type Obj = KubeObject & { metadata: Meta; spec?: Record<string, unknown>; status?: Record<string, unknown> };

export class Volumes {
  readonly #store: ObjectStore;
  readonly #clock: TimerClock;
  readonly #attachDelayMs: number;
  readonly #detachDelayMs: number;
  readonly #kinds: Record<"pods" | "nodes" | "pvcs" | "pvs" | "classes" | "attachments", ResourceKind>;
  readonly #passes: CoalescedPasses;
  /** Attachments due to attach or detach, by name. */
  readonly #timers = new Map<string, Timer>();

  constructor(store: ObjectStore, options: VolumeOptions & { clock: TimerClock }) {
    this.#store = store;
    this.#clock = options.clock;
    this.#attachDelayMs = options.attachDelayMs ?? 0;
    this.#detachDelayMs = options.detachDelayMs ?? 10_000;
    const get = (g: string, v: string, p: string) => store.registry.get(g, v, p);
    this.#kinds = {
      pods: get("", "v1", "pods"),
      nodes: get("", "v1", "nodes"),
      pvcs: get("", "v1", "persistentvolumeclaims"),
      pvs: get("", "v1", "persistentvolumes"),
      classes: get("storage.k8s.io", "v1", "storageclasses"),
      attachments: get("storage.k8s.io", "v1", "volumeattachments"),
    };
    this.#passes = new CoalescedPasses(store, "volume controllers", () => this.#pass());
  }

  start(): this {
    this.#passes.watch(Object.values(this.#kinds));
    return this;
  }

  stop(): void {
    this.#passes.stop();
    for (const timer of this.#timers.values()) timer.stop();
    this.#timers.clear();
  }

  /**
   * Whether the kubelet may start the pod: every claim it mounts is bound and attached to its node (the kubelet's
   * volume manager WaitForAttachAndMount).
   */
  ready(pod: KubeObject): boolean {
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!nodeName) return false;
    for (const claim of claimsOf(pod)) {
      const pvc = this.#store.find(this.#kinds.pvcs, namespaceOf(pod), claim) as Obj | undefined;
      const volumeName = pvc?.spec?.volumeName;
      if (typeof volumeName !== "string" || pvc?.status?.phase !== "Bound") return false;
      const pv = this.#store.find(this.#kinds.pvs, undefined, volumeName) as Obj | undefined;
      if (!pv) return false;
      const attachment = this.#store.find(this.#kinds.attachments, undefined, attachmentName(pv, nodeName)) as
        Obj | undefined;
      if (attachment?.status?.attached !== true) return false;
    }
    return true;
  }

  #pass(): void {
    const list = (kind: ResourceKind) => this.#store.list(kind, { readOnly: true }).items as Obj[];
    const pods = list(this.#kinds.pods);
    const nodes = new Map(list(this.#kinds.nodes).map((n) => [n.metadata.name, n]));
    const classes = list(this.#kinds.classes);
    // Claims to provision: Immediate ones now, WaitForFirstConsumer ones once a pod using them is bound.
    const consumerNode = new Map<string, string>();
    for (const pod of pods) {
      const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
      if (!nodeName || isTerminal(pod)) continue;
      for (const claim of claimsOf(pod)) consumerNode.set(`${namespaceOf(pod)}/${claim}`, nodeName);
    }
    for (const pvc of list(this.#kinds.pvcs)) {
      if (pvc.spec?.volumeName || pvc.metadata.deletionTimestamp) continue;
      const storageClass = classFor(pvc, classes);
      if (!storageClass) continue;
      const waitForConsumer = storageClass.volumeBindingMode === "WaitForFirstConsumer";
      const nodeName = consumerNode.get(`${namespaceOf(pvc)}/${pvc.metadata.name}`);
      if (waitForConsumer && !nodeName) continue;
      const zone = nodeName ? nodes.get(nodeName)?.metadata.labels?.[ZONE_LABEL] : allowedZone(storageClass);
      this.#provision(pvc, storageClass, zone, nodeName);
    }
    this.#attachments(pods);
  }

  #provision(pvc: Obj, storageClass: Obj, zone: string | undefined, nodeName: string | undefined): void {
    const ns = namespaceOf(pvc);
    const name = `pvc-${pvc.metadata.uid ?? pvc.metadata.name}`;
    const requested =
      (pvc.spec?.resources as { requests?: { storage?: string } } | undefined)?.requests?.storage ?? "1Gi";
    const accessModes = (pvc.spec?.accessModes as string[] | undefined) ?? ["ReadWriteOnce"];
    const provisioner = String(storageClass.provisioner ?? DEFAULT_ATTACHER);
    if (!this.#store.find(this.#kinds.pvs, undefined, name)) {
      const volumeHandle = `vol-${createHash("sha256").update(name).digest("hex").slice(0, 17)}`;
      this.#store.create(this.#kinds.pvs, undefined, {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: {
          name,
          labels: zone ? { [ZONE_LABEL]: zone } : {},
          annotations: { "pv.kubernetes.io/provisioned-by": provisioner },
        },
        spec: {
          capacity: { storage: requested },
          accessModes,
          persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? "Delete",
          storageClassName: storageClass.metadata.name,
          volumeMode: pvc.spec?.volumeMode ?? "Filesystem",
          claimRef: {
            kind: "PersistentVolumeClaim",
            apiVersion: "v1",
            namespace: ns,
            name: pvc.metadata.name,
            uid: pvc.metadata.uid,
          },
          csi: { driver: provisioner, volumeHandle, fsType: "ext4" },
          ...(zone
            ? {
                nodeAffinity: {
                  required: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_LABEL, operator: "In", values: [zone] }] }],
                  },
                },
              }
            : {}),
        },
      });
      const pv = this.#store.get(this.#kinds.pvs, undefined, name);
      this.#store.update(
        this.#kinds.pvs,
        undefined,
        name,
        { ...pv, status: { phase: "Bound" } },
        { subresource: "status" },
      );
    }
    const annotations: Record<string, string> = {
      ...pvc.metadata.annotations,
      "pv.kubernetes.io/bind-completed": "yes",
    };
    if (nodeName) annotations[SELECTED_NODE_ANNOTATION] = nodeName;
    const bound = this.#store.update(this.#kinds.pvcs, ns, pvc.metadata.name, {
      ...pvc,
      metadata: { ...pvc.metadata, annotations },
      spec: { ...pvc.spec, volumeName: name, storageClassName: storageClass.metadata.name },
    });
    this.#store.update(
      this.#kinds.pvcs,
      ns,
      pvc.metadata.name,
      { ...bound, status: { phase: "Bound", accessModes, capacity: { storage: requested } } },
      { subresource: "status" },
    );
  }

  #attachments(pods: Obj[]): void {
    const desired = new Map<string, { pv: Obj; nodeName: string }>();
    for (const pod of pods) {
      const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
      if (!nodeName || isTerminal(pod)) continue;
      for (const claim of claimsOf(pod)) {
        const pvc = this.#store.find(this.#kinds.pvcs, namespaceOf(pod), claim) as Obj | undefined;
        const volumeName = pvc?.spec?.volumeName;
        if (typeof volumeName !== "string") continue;
        const pv = this.#store.find(this.#kinds.pvs, undefined, volumeName) as Obj | undefined;
        if (pv) desired.set(attachmentName(pv, nodeName), { pv, nodeName });
      }
    }
    const existing = new Map(
      (this.#store.list(this.#kinds.attachments, { readOnly: true }).items as Obj[]).map((a) => [a.metadata.name, a]),
    );
    for (const [name, { pv, nodeName }] of desired) {
      const attachment = existing.get(name);
      if (!attachment) {
        this.#timers.get(name)?.stop();
        this.#timers.delete(name);
        this.#store.create(this.#kinds.attachments, undefined, {
          apiVersion: "storage.k8s.io/v1",
          kind: "VolumeAttachment",
          metadata: { name },
          spec: {
            attacher: attacherOf(pv),
            nodeName,
            source: { persistentVolumeName: pv.metadata.name },
          },
        });
        if (this.#attachDelayMs > 0) this.#later(name, this.#attachDelayMs, () => this.#markAttached(name));
        else this.#markAttached(name);
      } else if (this.#timers.has(name) && attachment.status?.attached === true) {
        // Wanted again before its detach came due: keep it.
        this.#timers.get(name)?.stop();
        this.#timers.delete(name);
      }
    }
    for (const [name, attachment] of existing) {
      if (desired.has(name) || this.#timers.has(name) || attachment.metadata.deletionTimestamp) continue;
      const detach = () => {
        if (this.#store.find(this.#kinds.attachments, undefined, name))
          this.#store.delete(this.#kinds.attachments, undefined, name);
      };
      if (this.#detachDelayMs > 0) this.#later(name, this.#detachDelayMs, detach);
      else detach();
    }
  }

  #markAttached(name: string): void {
    const attachment = this.#store.find(this.#kinds.attachments, undefined, name);
    if (!attachment) return;
    this.#store.update(
      this.#kinds.attachments,
      undefined,
      name,
      { ...attachment, status: { attached: true } },
      { subresource: "status" },
    );
  }

  #later(name: string, delayMs: number, f: () => void): void {
    const fire = () => {
      this.#timers.delete(name);
      f();
    };
    this.#timers.set(name, this.#clock.afterFunc(delayMs, fire).unref());
  }
}

function namespaceOf(object: KubeObject): string {
  return String(object.metadata?.namespace ?? "default");
}

function isTerminal(pod: Obj): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

function claimsOf(pod: KubeObject): string[] {
  const volumes = (pod.spec as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } | undefined)?.volumes;
  return (volumes ?? []).flatMap((v) =>
    v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : [],
  );
}

/** The claim's class, or the default class when it names none (the DefaultStorageClass admission plugin). */
function classFor(pvc: Obj, classes: Obj[]): Obj | undefined {
  const named = pvc.spec?.storageClassName;
  if (typeof named === "string") return named === "" ? undefined : classes.find((c) => c.metadata.name === named);
  return classes.find((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
}

function allowedZone(storageClass: Obj): string | undefined {
  const topologies = storageClass.allowedTopologies as
    { matchLabelExpressions?: { key: string; values: string[] }[] }[] | undefined;
  return topologies?.[0]?.matchLabelExpressions?.find((e) => e.key === ZONE_LABEL)?.values[0];
}

function attacherOf(pv: Obj): string {
  return String((pv.spec?.csi as { driver?: string } | undefined)?.driver ?? DEFAULT_ATTACHER);
}

/** The attach/detach controller's name for a CSI attachment: `csi-` and sha256(volumeHandle + attacher + node). */
function attachmentName(pv: Obj, nodeName: string): string {
  const handle = String((pv.spec?.csi as { volumeHandle?: string } | undefined)?.volumeHandle ?? pv.metadata.name);
  return `csi-${createHash("sha256")
    .update(`${handle}${attacherOf(pv)}${nodeName}`)
    .digest("hex")}`;
}
