// core/v1 pods: the defaults the scheme and admission give a new pod (pkg/apis/core/v1/defaults.go, the
// DefaultTolerationSeconds plugin), status.phase Pending and the QoS class on create, the printer's columns, the
// pod field selectors (spec.nodeName, status.phase, …), the binding subresource the scheduler posts and the
// eviction subresource kubectl drain posts (pod-eviction.ts).
import { field, ageColumn, column } from "./printing.ts";
import { builtIn } from "./built-in.ts";
import { evict } from "./pod-eviction.ts";
import { podSpec, podStatus } from "./pod-spec.ts";
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import { ApiError, badRequest } from "../store/status.ts";
import { timestamp } from "../store/object-store.ts";

interface Container {
  name?: string;
  image?: string;
  imagePullPolicy?: string;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

function defaultContainer(c: Container): void {
  const image = c.image ?? "";
  const tagged = /:[^/]+$/.test(image.split("@")[0] ?? "") || image.includes("@");
  c.imagePullPolicy ??= !tagged || image.split("@")[0]?.endsWith(":latest") ? "Always" : "IfNotPresent";
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  // Limits without requests: the requests default to the limits.
  if (c.resources.limits) c.resources.requests = { ...c.resources.limits, ...c.resources.requests };
}

/** The pod's QoS class (pkg/apis/core/helper/qos.GetPodQOS), from the containers' requests and limits. */
export function qosClass(spec: Record<string, unknown>): string {
  const containers = [
    ...((spec.containers as Container[] | undefined) ?? []),
    ...((spec.initContainers as Container[] | undefined) ?? []),
  ];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const resource of ["cpu", "memory"]) {
      if (limits[resource] === undefined || String(requests[resource] ?? limits[resource]) !== String(limits[resource]))
        guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

function defaultPod(pod: KubeObject, old: KubeObject | undefined): void {
  const spec = (pod.spec ??= {}) as Record<string, unknown>;
  for (const c of [
    ...((spec.containers as Container[] | undefined) ?? []),
    ...((spec.initContainers as Container[] | undefined) ?? []),
  ]) {
    defaultContainer(c);
  }
  if (old) return;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.securityContext ??= {};
  spec.schedulerName ??= "default-scheduler";
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= "PreemptLowerPriority";
  spec.priority ??= 0;
  spec.serviceAccountName ??= "default";
  spec.serviceAccount ??= spec.serviceAccountName;
  // The DefaultTolerationSeconds admission plugin.
  const tolerations = ((spec.tolerations as Record<string, unknown>[] | undefined) ?? []).slice();
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    if (!tolerations.some((t) => t.key === key && (t.effect === "NoExecute" || t.effect === undefined))) {
      tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
    }
  }
  spec.tolerations = tolerations;
  const status = (pod.status ??= {}) as Record<string, unknown>;
  status.phase ??= "Pending";
  status.qosClass ??= qosClass(spec);
}

function validatePod(pod: KubeObject): { field: string; type: string; body: string }[] {
  const spec = pod.spec as Record<string, unknown> | undefined;
  const containers = spec?.containers as Container[] | undefined;
  if (!containers || containers.length === 0)
    return [{ field: "spec.containers", type: "FieldValueRequired", body: "Required value" }];
  const causes: { field: string; type: string; body: string }[] = [];
  containers.forEach((c, i) => {
    if (!c.name)
      causes.push({ field: `spec.containers[${i}].name`, type: "FieldValueRequired", body: "Required value" });
    if (!c.image)
      causes.push({ field: `spec.containers[${i}].image`, type: "FieldValueRequired", body: "Required value" });
  });
  return causes;
}

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
}

// printPod's Status cell, in its order of precedence.
function podStatusCell(pod: KubeObject): string {
  const status = (pod.status ?? {}) as Record<string, unknown>;
  let reason = String(status.reason ?? status.phase ?? "");
  if (((field(pod, "spec.schedulingGates") as unknown[] | undefined) ?? []).length > 0 && reason === "Pending")
    reason = "SchedulingGated";
  for (const cs of (status.containerStatuses as ContainerStatus[] | undefined) ?? []) {
    const r = cs.state?.waiting?.reason ?? cs.state?.terminated?.reason;
    if (r) reason = r;
  }
  if (field(pod, "metadata.deletionTimestamp") !== undefined && status.reason !== "NodeLost") reason = "Terminating";
  return reason;
}

const bind = (
  store: Parameters<NonNullable<ResourceKind["actions"]>[string]>[0],
  kind: ResourceKind,
  target: { namespace: string | undefined; name: string },
  body: KubeObject,
): KubeObject => {
  const nodeName = (body.target as { name?: unknown } | undefined)?.name;
  if (typeof nodeName !== "string" || nodeName === "") throw badRequest("Binding target.name is required");
  const pod = store.get(kind, target.namespace, target.name);
  const spec = pod.spec as Record<string, unknown>;
  if (spec.nodeName) {
    throw new ApiError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on pods/binding "${target.name}": pod ${target.name} is already assigned to node "${String(spec.nodeName)}"`,
      {
        name: target.name,
        kind: "pods/binding",
      },
    );
  }
  spec.nodeName = nodeName;
  const status = (pod.status ??= {}) as Record<string, unknown>;
  const conditions = ((status.conditions as Record<string, unknown>[] | undefined) ?? []).filter(
    (c) => c.type !== "PodScheduled",
  );
  conditions.push({
    type: "PodScheduled",
    status: "True",
    lastProbeTime: null,
    lastTransitionTime: timestamp(store.now()),
  });
  status.conditions = conditions;
  return store.update(kind, target.namespace, target.name, pod, { allFields: true });
};

export const pods: ResourceKind = builtIn({
  group: "",
  version: "v1",
  kind: "Pod",
  plural: "pods",
  namespaced: true,
  shortNames: ["po"],
  categories: ["all"],
  subresources: ["status", "binding", "eviction"],
  fields: { spec: podSpec, status: podStatus },
  printerColumns: [
    column(
      "Ready",
      (p) => {
        const total = ((field(p, "spec.containers") as unknown[] | undefined) ?? []).length;
        const ready = ((field(p, "status.containerStatuses") as ContainerStatus[] | undefined) ?? []).filter(
          (c) => c.ready,
        ).length;
        return `${ready}/${total}`;
      },
      { description: "The aggregate readiness state of this pod for accepting traffic." },
    ),
    column("Status", podStatusCell, { description: "The aggregate status of the containers in this pod." }),
    column(
      "Restarts",
      (p) =>
        String(
          ((field(p, "status.containerStatuses") as ContainerStatus[] | undefined) ?? []).reduce(
            (n, c) => n + (c.restartCount ?? 0),
            0,
          ),
        ),
      {
        description:
          "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
      },
    ),
    ageColumn,
    column("IP", (p) => (field(p, "status.podIP") as string | undefined) || "<none>", {
      priority: 1,
      description: "IP address assigned to the pod",
    }),
    column("Node", (p) => (field(p, "spec.nodeName") as string | undefined) || "<none>", {
      priority: 1,
      description: "Name of the node assigned to the pod",
    }),
    column("Nominated Node", (p) => (field(p, "status.nominatedNodeName") as string | undefined) || "<none>", {
      priority: 1,
      description: "Name of the node nominated to run the pod",
    }),
    column(
      "Readiness Gates",
      (p) => {
        const gates = (field(p, "spec.readinessGates") as unknown[] | undefined) ?? [];
        if (gates.length === 0) return "<none>";
        const conditions = (field(p, "status.conditions") as { type?: string; status?: string }[] | undefined) ?? [];
        const passing = gates.filter((g) =>
          conditions.some((c) => c.type === (g as { conditionType?: string }).conditionType && c.status === "True"),
        );
        return `${passing.length}/${gates.length}`;
      },
      { priority: 1, description: "Readiness gates of the pod" },
    ),
  ],
  selectableFields: (p) => ({
    "spec.nodeName": String(field(p, "spec.nodeName") ?? ""),
    "spec.restartPolicy": String(field(p, "spec.restartPolicy") ?? ""),
    "spec.schedulerName": String(field(p, "spec.schedulerName") ?? ""),
    "spec.serviceAccountName": String(field(p, "spec.serviceAccountName") ?? ""),
    "spec.hostNetwork": String(field(p, "spec.hostNetwork") ?? "false"),
    "status.phase": String(field(p, "status.phase") ?? ""),
    "status.podIP": String(field(p, "status.podIP") ?? ""),
    "status.nominatedNodeName": String(field(p, "status.nominatedNodeName") ?? ""),
  }),
  defaults: defaultPod,
  gracePeriod: podGracePeriod,
  validate: validatePod,
  actions: { binding: bind, eviction: evict },
});

// podStrategy.CheckGracefulDelete (pkg/registry/core/pod/strategy.go): the period asked for, else the pod's
// terminationGracePeriodSeconds; a pod that never reached a node, or has finished, goes at once. A negative
// period is taken as 1 s, as the API server does.
function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const phase = field(pod, "status.phase");
  if (typeof spec.nodeName !== "string" || spec.nodeName === "") return 0;
  if (phase === "Succeeded" || phase === "Failed") return 0;
  const period =
    requested ?? (typeof spec.terminationGracePeriodSeconds === "number" ? spec.terminationGracePeriodSeconds : 0);
  return period < 0 ? 1 : period;
}
