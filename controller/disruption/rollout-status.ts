/**
 * Rollout progress on the NodePool's status, where Argo CD and `kubectl get nodepool -o yaml` read health: a
 * `RolledOut` condition, True when every node runs the current template, False with "n of m nodes …" while drifted
 * nodes remain (the signal kubernetes-sigs/karpenter#1785 asks for; Karpenter has no such condition). Written only
 * when it changes, through the status subresource, retried on conflict.
 */
import { type Cluster, cloneJson, type Condition, isConflict, isNotFound } from "../../api/index.ts";
import type { RolloutProgress } from "./rollout.ts";

export const CONDITION_ROLLED_OUT = "RolledOut";
const ATTEMPTS = 5;

export function rolloutCondition(progress: RolloutProgress, now: Date): Condition {
  return {
    type: CONDITION_ROLLED_OUT,
    status: progress.done ? "True" : "False",
    reason: progress.done ? "TemplateCurrent" : "NodesDrifted",
    message: progress.message,
    lastTransitionTime: now.toISOString(),
  };
}

/** Sets the pool's `RolledOut` condition; false when it already said the same (or the pool is gone). */
export async function writeRolloutStatus(cluster: Cluster, progress: RolloutProgress, now: Date): Promise<boolean> {
  const wanted = rolloutCondition(progress, now);
  for (let attempt = 1; ; attempt++) {
    let pool;
    try {
      pool = cloneJson(await cluster.read("nodepools", { name: progress.nodePool }));
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
    const conditions = (pool.status?.conditions ?? []) as Condition[];
    const current = conditions.find((c) => c.type === CONDITION_ROLLED_OUT);
    if (current?.status === wanted.status && current.message === wanted.message) return false;
    const kept = current?.status === wanted.status ? current.lastTransitionTime : wanted.lastTransitionTime;
    const next = [
      ...conditions.filter((c) => c.type !== CONDITION_ROLLED_OUT),
      { ...wanted, lastTransitionTime: kept },
    ];
    pool.status = { ...pool.status, conditions: next as never };
    try {
      await cluster.update("nodepools", pool, { subresource: "status" });
      return true;
    } catch (error) {
      if (!isConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}
