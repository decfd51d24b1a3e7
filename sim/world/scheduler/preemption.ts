/**
 * What the PostFilter plugins say about a pod that fits nowhere (defaultpreemption and the preemption
 * Evaluator's dry run; dynamicresources' PostFilter).
 *
 * Preemption is worth trying only on nodes that rejected the pod as Unschedulable (not ...AndUnresolvable). On
 * each, the candidate victims are the pods of lower priority: with none, "No preemption victims found for
 * incoming pod"; otherwise the pod must pass every filter once they are all gone, or the filter's reasons stand.
 * If some node would take the pod, the real scheduler evicts victims there and nominates the node; the stand-in
 * reports those nodes as candidates and leaves eviction (and choosing among them) to its caller.
 *
 * DynamicResources runs first (it is GA and enabled since v1.34) and, for a pod without resource claims, adds
 * "no new claims to deallocate", which the framework joins to the preemption message with ", ".
 */
import type { Pod } from "../objects.ts";
import { fitErrorMessage } from "./fit-error.ts";
import type { FilterPlugin, Status } from "./framework.ts";
import { unresolvable } from "./framework.ts";
import { runFilters, runPreFilter } from "./run-filters.ts";
import type { NodeInfo, Snapshot } from "./snapshot.ts";

export const NO_NEW_CLAIMS_TO_DEALLOCATE = "no new claims to deallocate";
export const PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";
export const NO_PREEMPTION_VICTIMS = "No preemption victims found for incoming pod";

export function podPriority(pod: Pod): number {
  return pod.spec.priority ?? 0;
}

export interface PostFilterOutcome {
  /** The PostFilter message for the FitError, or "" when preemption found a node. */
  readonly message: string;
  /** Nodes where evicting lower-priority pods would let the pod fit. */
  readonly candidates: readonly string[];
}

function victimsOn(nodeInfo: NodeInfo, pod: Pod): Pod[] {
  return nodeInfo.pods.map((info) => info.pod).filter((existing) => podPriority(existing) < podPriority(pod));
}

/** SelectVictimsOnNode, up to the question "would removing every lower-priority pod be enough?". */
function dryRun(
  pod: Pod,
  snapshot: Snapshot,
  nodeInfo: NodeInfo,
  plugins: readonly FilterPlugin[],
): Status | undefined {
  const victims = new Set(victimsOn(nodeInfo, pod));
  if (victims.size === 0) return unresolvable(NO_PREEMPTION_VICTIMS);
  const reduced = snapshot.withoutPods(nodeInfo.name, victims);
  const preFilter = runPreFilter(pod, reduced, plugins);
  if (preFilter.status !== undefined) return preFilter.status;
  const reducedNode = reduced.get(nodeInfo.name);
  if (reducedNode === undefined) return unresolvable(PREEMPTION_NOT_HELPFUL);
  return runFilters(pod, reducedNode, preFilter, plugins);
}

export function postFilter(
  pod: Pod,
  snapshot: Snapshot,
  nodeStatuses: ReadonlyMap<string, Status>,
  absentStatus: Status | undefined,
  plugins: readonly FilterPlugin[],
): PostFilterOutcome {
  const reasons = [NO_NEW_CLAIMS_TO_DEALLOCATE];
  if (pod.spec.preemptionPolicy === "Never") {
    return {
      message: [...reasons, "preemption: not eligible due to preemptionPolicy=Never."].join(", "),
      candidates: [],
    };
  }
  const potential = snapshot.nodeInfos.filter(
    (nodeInfo) => (nodeStatuses.get(nodeInfo.name) ?? absentStatus)?.code === "Unschedulable",
  );
  const dryRunStatuses = new Map<string, Status>();
  const candidates: string[] = [];
  for (const nodeInfo of potential) {
    const status = dryRun(pod, snapshot, nodeInfo, plugins);
    if (status === undefined) candidates.push(nodeInfo.name);
    else dryRunStatuses.set(nodeInfo.name, status);
  }
  if (candidates.length > 0) return { message: "", candidates };
  const numAllNodes = snapshot.nodeInfos.length;
  const preemption = fitErrorMessage(numAllNodes, {
    nodeStatuses: dryRunStatuses,
    absentStatus: unresolvable(PREEMPTION_NOT_HELPFUL),
  });
  return { message: [...reasons, `preemption: ${preemption}`].join(", "), candidates: [] };
}
