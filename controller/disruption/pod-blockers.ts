/**
 * What on a node stops a graceful disruption (Karpenter's core:pkg/controllers/state/statenode.go
 * `ValidatePodsDisruptable` and pdb.go `CanEvictPods`): a running pod annotated `karpenter.sh/do-not-disrupt` —
 * `"true"` for good, or a Go duration counted from the pod's start (an invalid value is ignored, as Karpenter
 * ignores it) — and a pod whose eviction a PodDisruptionBudget would refuse: one matched by more than one PDB (the
 * Eviction API answers 500), or by one that allows no disruption now (unless the pod is unready and the PDB says
 * `unhealthyPodEvictionPolicy: AlwaysAllow`). Terminal pods never block.
 */
import { type Condition, type Pod, type PodDisruptionBudget, parseDuration, ValueError } from "../../api/index.ts";
import { labelSelector } from "../../scheduling/index.ts";
import { podKey } from "../provisioning/pod-constraints.ts";
import { isReschedulable, isTerminal } from "./pods.ts";

export const ANNOTATION_DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt";

export type PodBlocker =
  | { readonly kind: "do-not-disrupt"; readonly pod: string; readonly until: Date | undefined }
  | { readonly kind: "pdb"; readonly pod: string; readonly pdb: string; readonly disruptionsAllowed: number }
  | { readonly kind: "pdbs"; readonly pod: string; readonly pdbs: readonly string[] };

/** A node annotated do-not-disrupt ("true" only, as Karpenter reads the node annotation). */
export function nodeDoNotDisrupt(annotations: Readonly<Record<string, string>> | undefined): boolean {
  return annotations?.[ANNOTATION_DO_NOT_DISRUPT] === "true";
}

/** The first thing among `pods` that blocks a graceful disruption at `now`, or undefined. */
export function podBlocker(
  pods: readonly Pod[],
  podDisruptionBudgets: readonly PodDisruptionBudget[],
  now: Date,
): PodBlocker | undefined {
  for (const pod of pods) {
    if (isTerminal(pod)) continue;
    const blocker = doNotDisrupt(pod, now) ?? pdbBlocker(pod, podDisruptionBudgets);
    if (blocker !== undefined) return blocker;
  }
  return undefined;
}

/**
 * A pod of a node being deleted that a simulation must find room for (pdb.go `IsCurrentlyReschedulable`): one that
 * moves (pods.ts), with no do-not-disrupt in force and no PDB that blocks it for good — more than one PDB, or one
 * of `maxUnavailable: 0` / `"0%"` or `minAvailable: "100%"` (unless the pod is unready and the PDB says
 * `AlwaysAllow`). Karpenter does not make room for a pod it does not know when it can evict.
 */
export function isCurrentlyReschedulable(
  pod: Pod,
  podDisruptionBudgets: readonly PodDisruptionBudget[],
  now: Date,
): boolean {
  if (!isReschedulable(pod) || doNotDisrupt(pod, now) !== undefined) return false;
  const matching = matchingPdbs(pod, podDisruptionBudgets);
  if (matching.length > 1) return false;
  const [pdb] = matching;
  if (pdb === undefined || evictsUnhealthy(pdb, pod)) return true;
  const spec = pdb.spec;
  return !(spec?.maxUnavailable === 0 || spec?.maxUnavailable === "0%" || spec?.minAvailable === "100%");
}

function doNotDisrupt(pod: Pod, now: Date): PodBlocker | undefined {
  const value = pod.metadata.annotations?.[ANNOTATION_DO_NOT_DISRUPT];
  if (value === undefined) return undefined;
  if (value === "true") return { kind: "do-not-disrupt", pod: podKey(pod), until: undefined };
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (error) {
    if (error instanceof ValueError) return undefined;
    throw error;
  }
  const started = Date.parse(String(pod.status?.["startTime"] ?? pod.metadata.creationTimestamp ?? ""));
  if (!Number.isFinite(started)) return undefined;
  const until = new Date(started + ms);
  return until.getTime() > now.getTime() ? { kind: "do-not-disrupt", pod: podKey(pod), until } : undefined;
}

function pdbBlocker(pod: Pod, podDisruptionBudgets: readonly PodDisruptionBudget[]): PodBlocker | undefined {
  const matching = matchingPdbs(pod, podDisruptionBudgets);
  if (matching.length > 1) {
    return { kind: "pdbs", pod: podKey(pod), pdbs: matching.map((pdb) => pdb.metadata.name ?? "").sort() };
  }
  const [pdb] = matching;
  if (pdb === undefined) return undefined;
  const allowed = pdb.status?.disruptionsAllowed ?? 0;
  if (allowed > 0 || evictsUnhealthy(pdb, pod)) return undefined;
  return { kind: "pdb", pod: podKey(pod), pdb: pdb.metadata.name ?? "", disruptionsAllowed: allowed };
}

function matchingPdbs(pod: Pod, podDisruptionBudgets: readonly PodDisruptionBudget[]): PodDisruptionBudget[] {
  const labels = pod.metadata.labels ?? {};
  return podDisruptionBudgets.filter(
    (pdb) => pdb.metadata.namespace === pod.metadata.namespace && pdbSelects(pdb, labels),
  );
}

/** The PDB lets an unready pod go whatever it allows (`unhealthyPodEvictionPolicy: AlwaysAllow`). */
function evictsUnhealthy(pdb: PodDisruptionBudget, pod: Pod): boolean {
  const policy = (pdb.spec as { unhealthyPodEvictionPolicy?: string } | undefined)?.unhealthyPodEvictionPolicy;
  const ready = (pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === "Ready");
  return policy === "AlwaysAllow" && ready?.status !== "True";
}

/** Whether the PDB selects the pod; a selector that cannot be read selects none (policy/v1: absent selects none). */
function pdbSelects(pdb: PodDisruptionBudget, labels: Readonly<Record<string, string>>): boolean {
  const where = `PodDisruptionBudget ${pdb.metadata.namespace ?? ""}/${pdb.metadata.name ?? ""} spec.selector`;
  try {
    return labelSelector(pdb.spec?.selector, where).matches(labels);
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    return false;
  }
}
