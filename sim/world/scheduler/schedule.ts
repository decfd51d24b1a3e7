/**
 * One scheduling cycle for one pod (pkg/scheduler/schedule_one.go `schedulePod`, `findNodesThatFitPod`,
 * `prioritizeNodes`, `selectHost`, and the failure handling of `schedulingCycle`), as a pure function of the pod
 * and the cluster's objects.
 *
 * Differences from kube-scheduler, all deliberate: the nodes are filtered one after another instead of 16 at a
 * time (so when the search stops early, at `numFeasibleNodesToFind`, the set found is the first ones in order,
 * not whichever goroutines finished first); ties between top-scored nodes are broken by a seeded draw instead of
 * math/rand (select-host.ts); nominated pods and the scheduling queue are the caller's business; preemption is
 * reported (candidates), not carried out.
 */
import type { Pod, PodCondition } from "../objects.ts";
import { fitErrorMessage } from "./fit-error.ts";
import type { FilterPlugin, Status } from "./framework.ts";
import { unresolvable } from "./framework.ts";
import { numFeasibleNodesToFind } from "./node-tree.ts";
import { postFilter } from "./preemption.ts";
import { FILTER_PLUGINS, SCORE_PLUGINS } from "./profile.ts";
import { runFilters, runPreFilter } from "./run-filters.ts";
import { runScores, type NodePluginScores } from "./run-scores.ts";
import { selectHost } from "./select-host.ts";
import { podKey, Snapshot, type ClusterObjects, type NodeInfo } from "./snapshot.ts";

export interface ScheduleOptions {
  /** Seeds the choice among equally scored nodes; the same seed, pod and cluster give the same node. */
  readonly seed?: number;
  /** Where the previous cycle's search stopped (the scheduler's `nextStartNodeIndex`); 0 by default. */
  readonly nextStartNodeIndex?: number;
  /** KubeSchedulerConfiguration percentageOfNodesToScore; 0 (the default) is adaptive. */
  readonly percentageOfNodesToScore?: number;
}

export interface Scheduled {
  readonly scheduled: true;
  readonly nodeName: string;
  /** Nodes filtered (feasible or not), and how many of them were feasible. */
  readonly evaluatedNodes: number;
  readonly feasibleNodes: number;
  /** Per feasible node, when more than one was feasible. */
  readonly scores: readonly NodePluginScores[];
  /** Carry into the next cycle's options. */
  readonly nextStartNodeIndex: number;
}

export interface Unschedulable {
  readonly scheduled: false;
  /** The FitError message kube-scheduler writes into the PodScheduled condition and the FailedScheduling event. */
  readonly message: string;
  /** PodScheduled=False, reason Unschedulable (lastTransitionTime is the caller's clock). */
  readonly condition: PodCondition;
  /** Why each node rejected the pod (nodes left out by a PreFilter result are absent). */
  readonly nodeStatuses: ReadonlyMap<string, Status>;
  /** Nodes where preempting lower-priority pods would make room (the real scheduler would nominate one). */
  readonly preemptionCandidates: readonly string[];
  readonly nextStartNodeIndex: number;
}

export type ScheduleResult = Scheduled | Unschedulable;

/** ErrNoNodesAvailable. */
export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";

function unschedulableResult(
  message: string,
  nodeStatuses: ReadonlyMap<string, Status>,
  preemptionCandidates: readonly string[],
  nextStartNodeIndex: number,
): Unschedulable {
  return {
    scheduled: false,
    message,
    condition: { type: "PodScheduled", status: "False", reason: "Unschedulable", message },
    nodeStatuses,
    preemptionCandidates,
    nextStartNodeIndex,
  };
}

export function schedule(pod: Pod, cluster: ClusterObjects | Snapshot, options: ScheduleOptions = {}): ScheduleResult {
  const snapshot = cluster instanceof Snapshot ? cluster : new Snapshot(cluster);
  const plugins: readonly FilterPlugin[] = FILTER_PLUGINS;
  const allNodes = snapshot.nodeInfos;
  const start = options.nextStartNodeIndex ?? 0;
  if (allNodes.length === 0) return unschedulableResult(NO_NODES_AVAILABLE, new Map(), [], start);

  const fail = (
    nodeStatuses: ReadonlyMap<string, Status>,
    absentStatus: Status | undefined,
    preFilterMessage?: string,
  ) => {
    const outcome = postFilter(pod, snapshot, nodeStatuses, absentStatus, plugins);
    const message = fitErrorMessage(allNodes.length, {
      nodeStatuses,
      absentStatus,
      preFilterMessage,
      postFilterMessage: outcome.message,
    });
    return unschedulableResult(message, nodeStatuses, outcome.candidates, start);
  };

  const preFilter = runPreFilter(pod, snapshot, plugins);
  if (preFilter.status !== undefined) {
    return fail(new Map(), preFilter.status, preFilter.status.reasons.join(", "));
  }

  let nodes: readonly NodeInfo[] = allNodes;
  let absentStatus: Status | undefined;
  if (preFilter.nodeNames !== undefined) {
    const names = preFilter.nodeNames;
    nodes = allNodes.filter((nodeInfo) => names.has(nodeInfo.name));
    absentStatus = unresolvable(`node(s) didn't satisfy plugin(s) [${preFilter.narrowedBy.join(" ")}]`);
  }

  // findNodesThatPassFilters: walk from nextStartNodeIndex and stop once enough feasible nodes are found.
  const wanted = numFeasibleNodesToFind(nodes.length, options.percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  const nodeStatuses = new Map<string, Status>();
  for (let i = 0; i < nodes.length && feasible.length < wanted; i++) {
    const nodeInfo = nodes[(start + i) % nodes.length];
    if (nodeInfo === undefined) continue;
    const status = runFilters(pod, nodeInfo, preFilter, plugins);
    if (status === undefined) feasible.push(nodeInfo);
    else nodeStatuses.set(nodeInfo.name, status);
  }
  const processed = feasible.length + nodeStatuses.size;
  const nextStartNodeIndex = (start + processed) % allNodes.length;

  if (feasible.length === 0) return { ...fail(nodeStatuses, absentStatus), nextStartNodeIndex };
  const [only] = feasible;
  if (feasible.length === 1 && only !== undefined) {
    return {
      scheduled: true,
      nodeName: only.name,
      evaluatedNodes: processed,
      feasibleNodes: 1,
      scores: [],
      nextStartNodeIndex,
    };
  }
  const scores = runScores(pod, feasible, snapshot, SCORE_PLUGINS);
  const nodeName = selectHost(scores, options.seed ?? 0, podKey(pod));
  return {
    scheduled: true,
    nodeName,
    evaluatedNodes: processed,
    feasibleNodes: feasible.length,
    scores,
    nextStartNodeIndex,
  };
}
