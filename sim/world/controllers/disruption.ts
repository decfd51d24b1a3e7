// The disruption controller (pkg/controller/disruption, trySync): every PodDisruptionBudget's status from the
// pods its selector picks in its namespace.
// - expectedPods (getExpectedPodCount): with an integer minAvailable, the number of those pods; otherwise the
//   sum of the scales of their controllers (a ReplicaSet owned by a Deployment counts the Deployment's
//   replicas, each controller once); pods without a controller are left out; a controller without a scale
//   (a DaemonSet, a Job) fails the sync.
// - desiredHealthy: minAvailable as given, or as a percentage of expectedPods rounded up; or expectedPods minus
//   maxUnavailable (a percentage rounded up too: intstr.GetScaledValueFromIntOrPercent(…, true)), at least 0.
// - currentHealthy (countHealthyPods): Ready pods, leaving out those being deleted and those in disruptedPods
//   (evicted within the last DeletionTimeout, 2 minutes); disruptionsAllowed = currentHealthy − desiredHealthy,
//   0 when negative or when expectedPods is 0.
// A sync that fails (failSafe) sets disruptionsAllowed to 0 and the DisruptionAllowed condition False/SyncFailed
// without moving observedGeneration on, so evictions get "still being processed".
import type { OwnerReference } from "../../../api/index.ts";
import type { KubeObject } from "../../kube/store/resource-kind.ts";
import { timestamp } from "../../kube/store/object-store.ts";
import { fromLabelSelectorObject, matchesLabels } from "../../kube/store/label-selector.ts";
import { namespaceOf, nameOf, writeStatus, type ControllerContext } from "./controller-context.ts";
import { controllerOf } from "./owner-references.ts";
import { isPodReady } from "../../kube/kinds/pod-ready.ts";

export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/**
 * How many pods a pod's controller wants (the finders getPodReplicaSet, getPodDeployment, getScaleController):
 * a number, an error when the controller has no scale, undefined when it is not found.
 */
export type ScaleOf = (ref: OwnerReference, namespace: string) => number | Error | undefined;

export interface DisruptionResult {
  status: Record<string, unknown>;
  /** The earliest time an entry of disruptedPods expires: recompute then. */
  recheckAt?: Date;
}

/** intstr.GetScaledValueFromIntOrPercent with roundUp. */
export function scaledValue(value: unknown, total: number, field: string): number | Error {
  if (typeof value === "number") return value;
  const match = /^(\d+)%$/.exec(String(value));
  if (!match) return new Error(`invalid value for ${field}: invalid type: string is not a percentage`);
  return Math.ceil((Number(match[1]) * total) / 100);
}

/** The pods a PDB's selector picks (getPodsForPdb): a missing selector picks none, an empty one every pod. */
export function podsForPdb(pdb: KubeObject, pods: KubeObject[]): KubeObject[] {
  const selector = fromLabelSelectorObject((pdb.spec as { selector?: unknown } | undefined)?.selector);
  if (selector === undefined) return [];
  return pods.filter(
    (p) => namespaceOf(p) === namespaceOf(pdb) && matchesLabels(selector, p.metadata?.labels as Record<string, string>),
  );
}

function expectedScale(pdb: KubeObject, pods: KubeObject[], scaleOf: ScaleOf): number | Error {
  const seen = new Map<string, number>();
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) continue; // an unmanaged pod: upstream warns and leaves it out
    if (seen.has(ref.uid)) continue;
    const scale = scaleOf(ref, namespaceOf(pdb));
    if (scale === undefined) return new Error(`found no controllers for pod ${JSON.stringify(nameOf(pod))}`);
    if (scale instanceof Error) return scale;
    seen.set(ref.uid, scale);
  }
  return [...seen.values()].reduce((a, b) => a + b, 0);
}

function setCondition(conditions: Condition[], next: Omit<Condition, "lastTransitionTime">, now: string): Condition[] {
  const old = conditions.find((c) => c.type === next.type);
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : now;
  return [...conditions.filter((c) => c.type !== next.type), { ...next, lastTransitionTime }];
}

export function disruptionStatus(
  pdb: KubeObject,
  namespacePods: KubeObject[],
  scaleOf: ScaleOf,
  now: Date,
): DisruptionResult {
  const spec = (pdb.spec ?? {}) as Record<string, unknown>;
  const old = (pdb.status ?? {}) as Record<string, unknown>;
  const conditions = (old.conditions as Condition[] | undefined) ?? [];
  const at = timestamp(now);
  const pods = podsForPdb(pdb, namespacePods);
  let expected: number | Error = 0;
  let desired: number | Error = 0;
  if (spec.maxUnavailable !== undefined) {
    expected = expectedScale(pdb, pods, scaleOf);
    if (!(expected instanceof Error)) {
      const maxUnavailable = scaledValue(spec.maxUnavailable, expected, "maxUnavailable");
      desired = maxUnavailable instanceof Error ? maxUnavailable : Math.max(0, expected - maxUnavailable);
    }
  } else if (spec.minAvailable !== undefined) {
    if (typeof spec.minAvailable === "number") {
      desired = spec.minAvailable;
      expected = pods.length;
    } else {
      expected = expectedScale(pdb, pods, scaleOf);
      if (!(expected instanceof Error)) desired = scaledValue(spec.minAvailable, expected, "minAvailable");
    }
  }
  const failure = expected instanceof Error ? expected : desired instanceof Error ? desired : undefined;
  if (failure) {
    return {
      status: {
        ...old,
        disruptionsAllowed: 0,
        conditions: setCondition(
          conditions,
          {
            type: "DisruptionAllowed",
            status: "False",
            reason: "SyncFailed",
            message: failure.message,
            ...(old.observedGeneration !== undefined ? { observedGeneration: old.observedGeneration as number } : {}),
          },
          at,
        ),
      },
    };
  }
  // buildDisruptedPodMap: entries for pods still present, not yet being deleted, and not expired.
  const disrupted: Record<string, string> = {};
  let recheckAt: Date | undefined;
  const recorded = (old.disruptedPods as Record<string, string> | undefined) ?? {};
  for (const pod of pods) {
    const when = recorded[nameOf(pod)];
    if (when === undefined || pod.metadata?.deletionTimestamp !== undefined) continue;
    const expires = Date.parse(when) + DELETION_TIMEOUT_MS;
    if (expires < now.getTime()) continue;
    disrupted[nameOf(pod)] = when;
    if (recheckAt === undefined || expires < recheckAt.getTime()) recheckAt = new Date(expires);
  }
  const currentHealthy = pods.filter(
    (p) =>
      p.metadata?.deletionTimestamp === undefined &&
      !(
        disrupted[nameOf(p)] !== undefined &&
        Date.parse(disrupted[nameOf(p)] as string) + DELETION_TIMEOUT_MS > now.getTime()
      ) &&
      isPodReady(p),
  ).length;
  const desiredHealthy = desired as number;
  const expectedPods = expected as number;
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedPods <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const observedGeneration = pdb.metadata?.generation as number;
  const status: Record<string, unknown> = {
    ...old,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    disruptionsAllowed,
    observedGeneration,
    conditions: setCondition(
      conditions,
      disruptionsAllowed > 0
        ? { type: "DisruptionAllowed", status: "True", reason: "SufficientPods", message: "", observedGeneration }
        : { type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "", observedGeneration },
      at,
    ),
  };
  if (Object.keys(disrupted).length > 0) status.disruptedPods = disrupted;
  else delete status.disruptedPods;
  return recheckAt ? { status, recheckAt } : { status };
}

/** The expected scale of a pod's controller as the disruption controller's finders read it. */
export function scaleFinder(ctx: ControllerContext): ScaleOf {
  return (ref, namespace) => {
    if (ref.kind === "ReplicaSet" && ref.apiVersion === "apps/v1") {
      const rs = ctx.store.find(ctx.kinds.replicaSets, namespace, ref.name);
      if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
      const owner = controllerOf(rs);
      if (owner?.kind === "Deployment" && owner.apiVersion === "apps/v1") {
        const deployment = ctx.store.find(ctx.kinds.deployments, namespace, owner.name);
        if (deployment && deployment.metadata?.uid === owner.uid)
          return Number((deployment.spec as { replicas?: number } | undefined)?.replicas ?? 1);
      }
      return Number((rs.spec as { replicas?: number } | undefined)?.replicas ?? 1);
    }
    if (ref.kind === "Deployment" && ref.apiVersion === "apps/v1") {
      const deployment = ctx.store.find(ctx.kinds.deployments, namespace, ref.name);
      if (deployment && deployment.metadata?.uid === ref.uid)
        return Number((deployment.spec as { replicas?: number } | undefined)?.replicas ?? 1);
      return undefined;
    }
    const resource =
      { DaemonSet: "daemonsets.apps", Job: "jobs.batch", Pod: "pods" }[ref.kind] ?? ref.kind.toLowerCase();
    return new Error(`${resource} does not implement the scale subresource`);
  };
}

export function reconcileDisruptionBudget(ctx: ControllerContext, pdb: KubeObject): void {
  if (pdb.metadata?.deletionTimestamp !== undefined) return;
  const result = disruptionStatus(pdb, ctx.podsIn(namespaceOf(pdb)), scaleFinder(ctx), ctx.now());
  writeStatus(ctx, ctx.kinds.podDisruptionBudgets, pdb, result.status);
  if (result.recheckAt) ctx.requeueAt(result.recheckAt);
}
