// pods/eviction (policy/v1 Eviction), as kubernetes pkg/registry/core/pod/storage/eviction.go's EvictionREST.Create
// decides:
// - a pod that is Pending, Succeeded or Failed, or already being deleted, is deleted without looking at budgets
//   (canIgnorePDB);
// - otherwise the PodDisruptionBudgets of its namespace whose selector matches its labels (an empty selector
//   matches nothing): more than one is a 500 ("This pod has more than one PodDisruptionBudget, which the eviction
//   subresource does not support."); none, and the pod is deleted;
// - with one: a not-Ready pod is deleted without spending the budget when the budget is already met
//   (currentHealthy ≥ desiredHealthy > 0); otherwise checkAndDecrement: a budget whose status has not observed
//   its generation is a 429 "still being processed" (retry after 10 s), a negative disruptionsAllowed is 403,
//   zero is the 429 "Cannot evict pod as it would violate the pod's disruption budget." with the budget's
//   numbers as the cause; else disruptionsAllowed is decremented and the pod recorded in disruptedPods (so the
//   disruption controller does not count it healthy until it is gone), and the pod is deleted.
// The pod is deleted at once: the simulated store has no graceful deletion (no kubelet to wait for), so a
// drain's wait for the pod to disappear ends as soon as the eviction succeeds.
import { timestamp, type ObjectStore } from "../store/object-store.ts";
import type { KubeObject, ResourceKind, SubresourceAction } from "../store/resource-kind.ts";
import { fromLabelSelectorObject, matchesLabels } from "../store/label-selector.ts";
import { ApiError, badRequest } from "../store/status.ts";
import { isPodReady } from "./pod-ready.ts";

const DISRUPTION_BUDGET_CAUSE = "DisruptionBudget";
const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";
/** MaxDisruptedPodSize: evictions approved but not yet noticed by the disruption controller. */
const MAX_DISRUPTED_POD_SIZE = 2000;

function tooManyRequests(retryAfterSeconds: number, cause: string): ApiError {
  const details = {
    causes: [{ reason: DISRUPTION_BUDGET_CAUSE, message: cause }],
    ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
  };
  return new ApiError(429, "TooManyRequests", EVICTION_REFUSED, details);
}

function forbidden(name: string, why: string): ApiError {
  return new ApiError(403, "Forbidden", `poddisruptionbudgets.policy "${name}" is forbidden: ${why}`, {
    name,
    group: "policy",
    kind: "poddisruptionbudgets",
  });
}

function matchingBudgets(store: ObjectStore, pdbKind: ResourceKind, pod: KubeObject): KubeObject[] {
  const namespace = String(pod.metadata?.namespace);
  const labels = (pod.metadata?.labels as Record<string, string> | undefined) ?? {};
  return store.list(pdbKind, { namespace }).items.filter((pdb) => {
    let selector;
    try {
      selector = fromLabelSelectorObject((pdb.spec as { selector?: unknown } | undefined)?.selector);
    } catch {
      return false; // an invalid selector matches no pod
    }
    return selector !== undefined && selector.length > 0 && matchesLabels(selector, labels);
  });
}

function deleteOptionsOf(body: KubeObject): { resourceVersion?: string; uid?: string } {
  const pre = (body.deleteOptions as { preconditions?: { resourceVersion?: string; uid?: string } } | undefined)
    ?.preconditions;
  const out: { resourceVersion?: string; uid?: string } = {};
  if (typeof pre?.resourceVersion === "string") out.resourceVersion = pre.resourceVersion;
  if (typeof pre?.uid === "string") out.uid = pre.uid;
  return out;
}

export const evict: SubresourceAction = (store, kind, target, body) => {
  const evictionName = (body.metadata as { name?: unknown } | undefined)?.name;
  if (evictionName !== target.name) throw badRequest("name in URL does not match name in Eviction object");
  const pod = store.get(kind, target.namespace, target.name);
  const meta = pod.metadata as Record<string, unknown>;
  const phase = String((pod.status as { phase?: string } | undefined)?.phase ?? "");
  const deleting = meta.deletionTimestamp !== undefined;
  const requested = deleteOptionsOf(body);
  const remove = (enforceVersion: boolean): KubeObject => {
    const preconditions = { ...requested };
    if (enforceVersion && preconditions.resourceVersion === undefined)
      preconditions.resourceVersion = String(meta.resourceVersion);
    store.delete(kind, target.namespace, target.name, { preconditions });
    return pod;
  };
  // canIgnorePDB; shouldEnforceResourceVersion for the pending pod that may become ready meanwhile.
  if (phase === "Succeeded" || phase === "Failed" || deleting) return remove(false);
  if (phase === "Pending") return remove(true);
  const pdbKind = store.registry.get("policy", "v1", "poddisruptionbudgets");
  const budgets = matchingBudgets(store, pdbKind, pod);
  if (budgets.length > 1) {
    const error = new ApiError(
      500,
      "",
      "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
    );
    delete error.status.reason;
    throw error;
  }
  const pdb = budgets[0];
  if (!pdb) return remove(false);
  const pdbName = String(pdb.metadata?.name);
  const status = (pdb.status ?? {}) as Record<string, unknown>;
  const currentHealthy = Number(status.currentHealthy ?? 0);
  const desiredHealthy = Number(status.desiredHealthy ?? 0);
  if (!isPodReady(pod) && currentHealthy >= desiredHealthy && desiredHealthy > 0) {
    try {
      return remove(true);
    } catch (error) {
      if (error instanceof ApiError && error.code === 409 && requested.resourceVersion === undefined)
        throw tooManyRequests(10, `The disruption budget ${pdbName} is still being processed by the server.`);
      throw error;
    }
  }
  // checkAndDecrement.
  if (Number(status.observedGeneration ?? 0) < Number(pdb.metadata?.generation ?? 0))
    throw tooManyRequests(10, `The disruption budget ${pdbName} is still being processed by the server.`);
  const allowed = Number(status.disruptionsAllowed ?? 0);
  if (allowed < 0) throw forbidden(pdbName, "pdb disruptions allowed is negative");
  const disrupted = { ...((status.disruptedPods as Record<string, string> | undefined) ?? {}) };
  if (Object.keys(disrupted).length > MAX_DISRUPTED_POD_SIZE)
    throw forbidden(pdbName, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
  if (allowed === 0)
    throw tooManyRequests(
      0,
      `The disruption budget ${pdbName} needs ${desiredHealthy} healthy pods and has ${currentHealthy} currently`,
    );
  disrupted[target.name] = timestamp(store.now());
  const next: Record<string, unknown> = { ...status, disruptionsAllowed: allowed - 1, disruptedPods: disrupted };
  if (allowed - 1 === 0) {
    // pdbhelper.UpdateDisruptionAllowedCondition.
    const conditions = ((status.conditions as Record<string, unknown>[] | undefined) ?? []).filter(
      (c) => c.type !== "DisruptionAllowed",
    );
    const old = ((status.conditions as Record<string, unknown>[] | undefined) ?? []).find(
      (c) => c.type === "DisruptionAllowed",
    );
    conditions.push({
      type: "DisruptionAllowed",
      status: "False",
      reason: "InsufficientPods",
      message: "",
      observedGeneration: status.observedGeneration,
      lastTransitionTime: old?.status === "False" ? old.lastTransitionTime : timestamp(store.now()),
    });
    next.conditions = conditions;
  }
  store.update(pdbKind, target.namespace, pdbName, { ...pdb, status: next }, { subresource: "status" });
  return remove(false);
};
