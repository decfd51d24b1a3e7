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
import { isTerminal } from "./pods.ts";

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
  const labels = pod.metadata.labels ?? {};
  const matching = podDisruptionBudgets.filter(
    (pdb) => pdb.metadata.namespace === pod.metadata.namespace && pdbSelects(pdb, labels),
  );
  if (matching.length > 1) {
    return { kind: "pdbs", pod: podKey(pod), pdbs: matching.map((pdb) => pdb.metadata.name ?? "").sort() };
  }
  const [pdb] = matching;
  if (pdb === undefined) return undefined;
  const allowed = pdb.status?.disruptionsAllowed ?? 0;
  if (allowed > 0) return undefined;
  const policy = (pdb.spec as { unhealthyPodEvictionPolicy?: string } | undefined)?.unhealthyPodEvictionPolicy;
  const ready = (pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === "Ready");
  if (policy === "AlwaysAllow" && ready?.status !== "True") return undefined;
  return { kind: "pdb", pod: podKey(pod), pdb: pdb.metadata.name ?? "", disruptionsAllowed: allowed };
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
