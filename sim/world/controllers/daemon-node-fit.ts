// Whether a DaemonSet's pod belongs on a node (pkg/controller/daemon NodeShouldRunDaemonPod and its predicates):
// spec.nodeName if set, the nodeSelector, the required node affinity (nodeSelectorTerms ORed, their
// matchExpressions on labels and matchFields on metadata.name ANDed) and the node's NoSchedule and NoExecute
// taints tolerated. A pod already running stays while only NoSchedule taints are untolerated.
import type { KubeObject } from "../../kube/store/resource-kind.ts";

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** The tolerations the DaemonSet controller adds to its pods (util.AddOrUpdateDaemonPodTolerations). */
export const DAEMON_POD_TOLERATIONS: readonly Toleration[] = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
];

/** v1helper.ToleratesTaint (Toleration.ToleratesTaint). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === "Exists") return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      if (value === undefined || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0] ?? "")) return false;
      const [have, want] = [Number(value), Number(values[0])];
      return r.operator === "Gt" ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** nodeaffinity: a term matches when it has requirements and all of them match; an empty term matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const labels = (node.metadata?.labels as Record<string, string> | undefined) ?? {};
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  return (
    expressions.every((r) => requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) &&
    fields.every((r) => r.key === "metadata.name" && requirementMatches(r, String(node.metadata?.name)))
  );
}

function nodeTaints(node: KubeObject): Taint[] {
  return ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []).filter((t) => t.effect !== "PreferNoSchedule");
}

export interface DaemonNodeFit {
  /** A pod should be created here. */
  shouldRun: boolean;
  /** A pod already here may stay. */
  shouldContinueRunning: boolean;
}

export function daemonNodeFit(podSpec: Record<string, unknown>, node: KubeObject): DaemonNodeFit {
  const nodeName = podSpec.nodeName as string | undefined;
  if (nodeName && nodeName !== node.metadata?.name) return { shouldRun: false, shouldContinueRunning: false };
  const labels = (node.metadata?.labels as Record<string, string> | undefined) ?? {};
  const selector = (podSpec.nodeSelector as Record<string, string> | undefined) ?? {};
  const terms = (
    podSpec.affinity as
      | {
          nodeAffinity?: {
            requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
          };
        }
      | undefined
  )?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const fitsAffinity =
    Object.entries(selector).every(([k, v]) => labels[k] === v) &&
    (terms === undefined || terms.some((t) => termMatches(t, node)));
  if (!fitsAffinity) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = [...((podSpec.tolerations as Toleration[] | undefined) ?? []), ...DAEMON_POD_TOLERATIONS];
  const untolerated = nodeTaints(node).filter((taint) => !tolerations.some((t) => toleratesTaint(t, taint)));
  return {
    shouldRun: untolerated.length === 0,
    shouldContinueRunning: untolerated.every((t) => t.effect !== "NoExecute"),
  };
}
