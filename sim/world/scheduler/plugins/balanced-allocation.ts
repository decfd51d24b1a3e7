/**
 * NodeResourcesBalancedAllocation (pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go): favours
 * nodes whose cpu and memory would be used in equal fractions, on the actual requests (not the non-zero ones).
 * Best-effort pods are skipped (kubernetes/kubernetes#129138).
 */
import type { ScorePlugin } from "../framework.ts";
import { MAX_NODE_SCORE } from "../framework.ts";
import { scoreRequestsOf, type PodScoreRequests } from "./node-resources-fit.ts";

/** `balancedResourceScorer`: (1 - standard deviation of the used fractions) × 100, each fraction capped at 1. */
export function balancedResourceScore(requested: readonly number[], allocatable: readonly number[]): number {
  const fractions: number[] = [];
  requested.forEach((value, index) => {
    const capacity = allocatable[index] ?? 0;
    if (capacity === 0) return;
    fractions.push(Math.min(value / capacity, 1));
  });
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs(((fractions[0] ?? 0) - (fractions[1] ?? 0)) / 2);
  } else if (fractions.length > 2) {
    const mean = fractions.reduce((sum, f) => sum + f, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((sum, f) => sum + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export const balancedAllocationScore: ScorePlugin<PodScoreRequests> = {
  name: "NodeResourcesBalancedAllocation",
  preScore(pod) {
    const requests = scoreRequestsOf(pod, false);
    if (requests.milliCPU === 0 && requests.memory === 0) return { code: "Skip" as const };
    return { state: requests };
  },
  score(_pod, nodeInfo, pod) {
    const requested = [nodeInfo.requested.milliCPU + pod.milliCPU, nodeInfo.requested.memory + pod.memory];
    const allocatable = [nodeInfo.allocatable.milliCPU, nodeInfo.allocatable.memory];
    return balancedResourceScore(requested, allocatable);
  },
};
