/**
 * NodeResourcesFit (pkg/scheduler/framework/plugins/noderesources/fit.go).
 *
 * Filter (`fitsRequest`): one more pod must fit the node's pod count, and every resource the pod requests (cpu,
 * memory, ephemeral-storage, extended and hugepages, with overhead and sidecars counted) must fit what the node's
 * pods leave of its allocatable. A request larger than the whole node is UnschedulableAndUnresolvable: preemption
 * could not help.
 *
 * Score: the default strategy, LeastAllocated over cpu and memory with weight 1 each, on the non-zero requests.
 */
import type { FilterPlugin, ScorePlugin, Status } from "../framework.ts";
import { MAX_NODE_SCORE } from "../framework.ts";
import { readingObject } from "../input-error.ts";
import {
  DEFAULT_MEMORY_REQUEST,
  DEFAULT_MILLI_CPU_REQUEST,
  milliValue,
  podRequests,
  requestResource,
  unitValue,
  type Resource,
} from "../resources.ts";
import type { NodeInfo } from "../snapshot.ts";
import { podKey } from "../snapshot.ts";

interface Insufficient {
  reason: string;
  unresolvable: boolean;
}

/** `fitsRequest`: the resources that do not fit, in the order upstream reports them. */
export function insufficientResources(request: Resource, nodeInfo: NodeInfo): Insufficient[] {
  const found: Insufficient[] = [];
  const { allocatable, requested } = nodeInfo;
  if (nodeInfo.pods.length + 1 > allocatable.allowedPodNumber)
    found.push({ reason: "Too many pods", unresolvable: false });
  if (request.milliCPU === 0 && request.memory === 0 && request.ephemeralStorage === 0 && request.scalar.size === 0) {
    return found;
  }
  const check = (name: string, want: number, have: number, used: number) => {
    if (want > 0 && want > have - used) found.push({ reason: `Insufficient ${name}`, unresolvable: want > have });
  };
  check("cpu", request.milliCPU, allocatable.milliCPU, requested.milliCPU);
  check("memory", request.memory, allocatable.memory, requested.memory);
  check("ephemeral-storage", request.ephemeralStorage, allocatable.ephemeralStorage, requested.ephemeralStorage);
  for (const [name, want] of request.scalar) {
    check(name, want, allocatable.scalar.get(name) ?? 0, requested.scalar.get(name) ?? 0);
  }
  return found;
}

export const nodeResourcesFitFilter: FilterPlugin<Resource> = {
  name: "NodeResourcesFit",
  preFilter(pod) {
    return { state: readingObject(`Pod ${podKey(pod)}`, () => requestResource(podRequests(pod))) };
  },
  filter(_pod, nodeInfo, request): Status | undefined {
    const found = insufficientResources(request, nodeInfo);
    if (found.length === 0) return undefined;
    const code = found.some((entry) => entry.unresolvable) ? "UnschedulableAndUnresolvable" : "Unschedulable";
    return { code, reasons: found.map((entry) => entry.reason) };
  },
};

/** The default scoring resources (config.NodeResourcesFitArgs): cpu and memory, weight 1. */
export const SCORING_RESOURCES = ["cpu", "memory"] as const;

export interface PodScoreRequests {
  readonly milliCPU: number;
  readonly memory: number;
}

/** `calculatePodResourceRequest`, with `nonZero` the 100m / 200Mi default for containers that ask for nothing. */
export function scoreRequestsOf(pod: Parameters<typeof podRequests>[0], nonZero: boolean): PodScoreRequests {
  const defaults = nonZero
    ? new Map([
        ["cpu", BigInt(DEFAULT_MILLI_CPU_REQUEST) * 1_000_000n],
        ["memory", BigInt(DEFAULT_MEMORY_REQUEST) * 1_000_000_000n],
      ])
    : undefined;
  const requests = readingObject(`Pod ${podKey(pod)}`, () => podRequests(pod, { defaults }));
  return { milliCPU: milliValue(requests.get("cpu") ?? 0n), memory: unitValue(requests.get("memory") ?? 0n) };
}

/** `leastRequestedScore`. */
function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** `leastResourceScorer` with both weights 1: the integer mean of the resources the node has. */
export function leastAllocatedScore(requested: readonly number[], allocatable: readonly number[]): number {
  let nodeScore = 0;
  let weightSum = 0;
  requested.forEach((value, index) => {
    const capacity = allocatable[index] ?? 0;
    if (capacity === 0) return;
    nodeScore += leastRequestedScore(value, capacity);
    weightSum += 1;
  });
  return weightSum === 0 ? 0 : Math.trunc(nodeScore / weightSum);
}

export const nodeResourcesFitScore: ScorePlugin<PodScoreRequests> = {
  name: "NodeResourcesFit",
  preScore(pod) {
    return { state: scoreRequestsOf(pod, true) };
  },
  score(_pod, nodeInfo, pod) {
    const requested = [
      nodeInfo.nonZeroRequested.milliCPU + pod.milliCPU,
      nodeInfo.nonZeroRequested.memory + pod.memory,
    ];
    const allocatable = [nodeInfo.allocatable.milliCPU, nodeInfo.allocatable.memory];
    return leastAllocatedScore(requested, allocatable);
  },
};
