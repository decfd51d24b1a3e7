// Runs one plugin the way kube-scheduler's plugin tests do: build a snapshot of nodes and existing pods, run
// PreFilter (or PreScore) for the pod, then Filter (or Score and NormalizeScore) on each node.
import type { Node, Pod } from "../../../../sim/world/objects.ts";
import type { Code, FilterPlugin, NodeScore, ScorePlugin, Status } from "../../../../sim/world/scheduler/framework.ts";
import { Snapshot, type ClusterObjects } from "../../../../sim/world/scheduler/snapshot.ts";

export interface Cluster {
  readonly nodes: readonly Node[];
  readonly pods?: readonly Pod[];
  readonly more?: Omit<ClusterObjects, "nodes" | "pods">;
}

function snapshotOf(cluster: Cluster): Snapshot {
  return new Snapshot({ ...cluster.more, nodes: cluster.nodes, pods: cluster.pods ?? [] });
}

export interface PluginStatus {
  readonly code: Code;
  readonly reasons: readonly string[];
}

const success: PluginStatus = { code: "Success", reasons: [] };

function plain(status: Status | undefined): PluginStatus {
  return status === undefined ? success : { code: status.code, reasons: [...status.reasons] };
}

/** PreFilter's own rejection, or undefined when it let the pod through (Skip included). */
export function preFilterStatus(plugin: FilterPlugin, pod: Pod, cluster: Cluster): PluginStatus | undefined {
  const outcome = plugin.preFilter?.(pod, snapshotOf(cluster));
  if (outcome === undefined || outcome.code === "Skip" || outcome.status === undefined) return undefined;
  return plain(outcome.status);
}

/** The Filter status per node, after a PreFilter that must not reject; a skipped plugin passes every node. */
export function filterStatuses(plugin: FilterPlugin, pod: Pod, cluster: Cluster): Record<string, PluginStatus> {
  const snapshot = snapshotOf(cluster);
  const outcome = plugin.preFilter?.(pod, snapshot) ?? { state: undefined };
  if (outcome.code !== "Skip" && outcome.status !== undefined) {
    throw new Error(`PreFilter rejected the pod: ${outcome.status.reasons.join(", ")}`);
  }
  const result: Record<string, PluginStatus> = {};
  for (const nodeInfo of snapshot.nodeInfos) {
    result[nodeInfo.name] = outcome.code === "Skip" ? success : plain(plugin.filter(pod, nodeInfo, outcome.state));
  }
  return result;
}

export function filterCodes(plugin: FilterPlugin, pod: Pod, cluster: Cluster): Record<string, Code> {
  return Object.fromEntries(Object.entries(filterStatuses(plugin, pod, cluster)).map(([name, s]) => [name, s.code]));
}

/**
 * Scores per node (in the order of `feasible`, all nodes by default) after PreScore, Score and NormalizeScore,
 * unweighted, as the plugin tests compare them. A skipped PreScore gives undefined.
 */
export function pluginScores(
  plugin: ScorePlugin,
  pod: Pod,
  cluster: Cluster,
  feasible?: readonly string[],
): NodeScore[] | undefined {
  const snapshot = snapshotOf(cluster);
  const names = feasible ?? snapshot.nodeInfos.map((info) => info.name);
  const nodeInfos = names.map((name) => {
    const info = snapshot.get(name);
    if (info === undefined) throw new Error(`no node ${name}`);
    return info;
  });
  const outcome = plugin.preScore(pod, nodeInfos, snapshot);
  if (outcome.code === "Skip") return undefined;
  const scores = nodeInfos.map((info) => ({ name: info.name, score: plugin.score(pod, info, outcome.state) }));
  plugin.normalize?.(scores, outcome.state);
  return scores;
}
