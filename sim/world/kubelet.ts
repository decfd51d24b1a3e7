// The kubelets of every node, as far as the control plane sees them: a pod bound to an existing node starts
// (Running, its containers and the Ready condition True) `podStartDelayMs` after its volumes are attached; a Job's
// pod exits 0 `jobPodRunMs` after it started (Succeeded); a pod being deleted is stopped and removed (the
// kubelet's final delete after its containers exit); a node without a Ready condition posts Ready after
// `nodeReadyDelayMs`. Nothing runs: only the statuses a kubelet would post, on the world's clock.
import { createHash } from "node:crypto";
import type { Timer, TimerClock } from "../../api/index.ts";
import { timestamp, type ObjectStore } from "../kube/store/object-store.ts";
import type { KubeObject, ResourceKind } from "../kube/store/resource-kind.ts";
import { CoalescedPasses } from "./coalesced-passes.ts";
import type { EventRecorder } from "./events.ts";

export interface KubeletOptions {
  /** From binding (and volumes attached) to Running and Ready; 2 s by default. */
  podStartDelayMs?: number;
  /** How long a Job's pod runs before it succeeds; 30 s by default. */
  jobPodRunMs?: number;
  /** From a pod's deletion to its containers stopped and the pod removed; 1 s by default. */
  podStopDelayMs?: number;
  /** From a node's creation without a Ready condition to Ready; 0 by default. */
  nodeReadyDelayMs?: number;
}

interface PodMeta {
  name: string;
  namespace: string;
  uid: string;
  deletionTimestamp?: string;
  ownerReferences?: { kind?: string; controller?: boolean }[];
}

interface PodLike {
  metadata: PodMeta;
  spec: { nodeName?: string; containers?: { name: string; image?: string }[]; initContainers?: unknown[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

export class Kubelets {
  readonly #store: ObjectStore;
  readonly #clock: TimerClock;
  readonly #events: EventRecorder;
  readonly #options: Required<KubeletOptions>;
  readonly #volumesReady: (pod: KubeObject) => boolean;
  readonly #pods: ResourceKind;
  readonly #nodes: ResourceKind;
  readonly #passes: CoalescedPasses;
  /** What is under way per pod uid (or node name): starting, running a Job, stopping, posting Ready. */
  readonly #timers = new Map<string, Timer>();
  /** Pods already stopped (their final delete made), by uid: a finalizer may keep them a while. */
  readonly #stopped = new Set<string>();

  constructor(
    store: ObjectStore,
    options: KubeletOptions & {
      clock: TimerClock;
      events: EventRecorder;
      /** Whether a pod's volumes are attached (Volumes.ready). */
      volumesReady: (pod: KubeObject) => boolean;
    },
  ) {
    this.#store = store;
    this.#clock = options.clock;
    this.#events = options.events;
    this.#volumesReady = options.volumesReady;
    this.#options = {
      podStartDelayMs: options.podStartDelayMs ?? 2_000,
      jobPodRunMs: options.jobPodRunMs ?? 30_000,
      podStopDelayMs: options.podStopDelayMs ?? 1_000,
      nodeReadyDelayMs: options.nodeReadyDelayMs ?? 0,
    };
    this.#pods = store.registry.get("", "v1", "pods");
    this.#nodes = store.registry.get("", "v1", "nodes");
    this.#passes = new CoalescedPasses(store, "kubelets", () => this.#pass());
  }

  start(): this {
    // VolumeAttachments too: a pod waits for its volumes.
    const attachments = this.#store.registry.get("storage.k8s.io", "v1", "volumeattachments");
    this.#passes.watch([this.#pods, this.#nodes, attachments]);
    return this;
  }

  stop(): void {
    this.#passes.stop();
    for (const timer of this.#timers.values()) timer.stop();
    this.#timers.clear();
    this.#stopped.clear();
  }

  #pass(): void {
    const nodes = this.#store.list(this.#nodes, { readOnly: true }).items;
    const nodeNames = new Set(nodes.map((n) => String(n.metadata?.name)));
    for (const node of nodes) this.#postNodeReady(node);
    const pods = this.#store.list(this.#pods, { readOnly: true }).items;
    const present = new Set(pods.map((p) => String(p.metadata?.uid)));
    for (const uid of this.#stopped) if (!present.has(uid)) this.#stopped.delete(uid);
    for (const object of pods) {
      const pod = object as unknown as PodLike;
      const { nodeName } = pod.spec;
      if (!nodeName || !nodeNames.has(nodeName)) continue;
      const phase = pod.status?.phase ?? "Pending";
      const uid = pod.metadata.uid;
      if (pod.metadata.deletionTimestamp) {
        if (this.#stopped.has(uid)) continue;
        this.#after(`${uid}/stop`, this.#options.podStopDelayMs, () => this.#stopPod(pod));
        continue;
      }
      if (phase === "Pending" && this.#volumesReady(object))
        this.#after(`${uid}/start`, this.#options.podStartDelayMs, () => this.#startPod(pod));
      if (phase === "Running" && isJobPod(pod))
        this.#after(`${uid}/run`, this.#options.jobPodRunMs, () => this.#finishPod(pod));
    }
  }

  /** Runs `f` once, `delayMs` from now, unless already under way for `key`. */
  #after(key: string, delayMs: number, f: () => void): void {
    if (this.#timers.has(key)) return;
    const timer = this.#clock
      .afterFunc(delayMs, () => {
        this.#timers.delete(key);
        f();
      })
      .unref();
    this.#timers.set(key, timer);
  }

  #fresh(pod: PodLike): PodLike | undefined {
    const fresh = this.#store.find(this.#pods, pod.metadata.namespace, pod.metadata.name) as PodLike | undefined;
    return fresh && fresh.metadata.uid === pod.metadata.uid ? fresh : undefined;
  }

  #writeStatus(pod: PodLike, status: Record<string, unknown>): void {
    this.#store.update(
      this.#pods,
      pod.metadata.namespace,
      pod.metadata.name,
      { ...(pod as unknown as KubeObject), status: { ...pod.status, ...status } },
      { subresource: "status" },
    );
  }

  #startPod(stale: PodLike): void {
    const pod = this.#fresh(stale);
    if (!pod || pod.metadata.deletionTimestamp || (pod.status?.phase ?? "Pending") !== "Pending") return;
    const now = timestamp(this.#clock.now());
    const condition = (type: string) => ({ type, status: "True", lastProbeTime: null, lastTransitionTime: now });
    this.#writeStatus(pod, {
      phase: "Running",
      startTime: now,
      hostIP: hostIpOf(pod.spec.nodeName ?? ""),
      podIP: podIpOf(pod.metadata.uid),
      conditions: [
        condition("PodReadyToStartContainers"),
        condition("Initialized"),
        condition("Ready"),
        condition("ContainersReady"),
        ...(pod.status?.conditions ?? []).filter((c) => c.type === "PodScheduled"),
      ],
      containerStatuses: (pod.spec.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image ?? "",
        imageID: "",
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    });
    this.#events.record(pod as unknown as KubeObject, "Normal", "Started", "Started container(s)");
  }

  #finishPod(stale: PodLike): void {
    const pod = this.#fresh(stale);
    if (!pod || pod.metadata.deletionTimestamp || pod.status?.phase !== "Running") return;
    this.#terminate(pod, "Succeeded", 0, "Completed");
  }

  #stopPod(stale: PodLike): void {
    const pod = this.#fresh(stale);
    if (!pod) return;
    this.#stopped.add(pod.metadata.uid);
    const phase = pod.status?.phase;
    // Containers stopped by the deletion exit 137 (SIGKILL after the grace period, as runc reports it).
    if (phase !== "Succeeded" && phase !== "Failed") this.#terminate(pod, "Failed", 137, "Error");
    const fresh = this.#fresh(pod);
    if (fresh) this.#store.delete(this.#pods, fresh.metadata.namespace, fresh.metadata.name);
  }

  #terminate(pod: PodLike, phase: "Succeeded" | "Failed", exitCode: number, reason: string): void {
    const now = timestamp(this.#clock.now());
    const notReady = (type: string) => ({
      type,
      status: "False",
      reason: "PodCompleted",
      lastProbeTime: null,
      lastTransitionTime: now,
    });
    this.#writeStatus(pod, {
      phase,
      conditions: [
        ...(pod.status?.conditions ?? []).filter((c) => c.type !== "Ready" && c.type !== "ContainersReady"),
        notReady("Ready"),
        notReady("ContainersReady"),
      ],
      containerStatuses: (pod.spec.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image ?? "",
        imageID: "",
        ready: false,
        started: false,
        restartCount: 0,
        state: { terminated: { exitCode, reason, finishedAt: now } },
      })),
    });
  }

  #postNodeReady(node: KubeObject): void {
    const conditions = (node.status as { conditions?: { type?: string }[] } | undefined)?.conditions ?? [];
    if (conditions.some((c) => c.type === "Ready")) return;
    const name = String(node.metadata?.name);
    this.#after(`node/${name}/ready`, this.#options.nodeReadyDelayMs, () => {
      const fresh = this.#store.find(this.#nodes, undefined, name);
      if (!fresh) return;
      const status = (fresh.status ?? {}) as { conditions?: { type?: string }[] };
      if ((status.conditions ?? []).some((c) => c.type === "Ready")) return;
      const now = timestamp(this.#clock.now());
      const condition = (type: string, value: string, reason: string, message: string) => ({
        type,
        status: value,
        reason,
        message,
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      });
      this.#store.update(
        this.#nodes,
        undefined,
        name,
        {
          ...fresh,
          status: {
            ...status,
            conditions: [
              condition(
                "MemoryPressure",
                "False",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
              ),
              condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
              condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
              condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
          },
        },
        { subresource: "status" },
      );
    });
  }
}

function isJobPod(pod: PodLike): boolean {
  return (pod.metadata.ownerReferences ?? []).some((o) => o.kind === "Job" && o.controller === true);
}

/** A stable private address per node name, in 10.0.0.0/16 (the world has no network: these are labels). */
function hostIpOf(nodeName: string): string {
  const h = digest32(nodeName);
  return `10.0.${(h >>> 8) & 0xff}.${(h & 0xfe) + 1}`;
}

function podIpOf(uid: string): string {
  const h = digest32(uid);
  return `10.244.${(h >>> 8) & 0xff}.${(h & 0xfe) + 1}`;
}

function digest32(text: string): number {
  return createHash("sha256").update(text).digest().readUInt32BE(0);
}
