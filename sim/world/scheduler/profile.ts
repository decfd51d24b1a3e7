/**
 * The default profile (pkg/scheduler/apis/config/v1/default_plugins.go): the plugins in the order the framework
 * runs them, and the score weights. Left out, because the world does not model what they read: NodePorts,
 * VolumeRestrictions, NodeVolumeLimits, VolumeBinding, ImageLocality (no node reports images, so it would score
 * every node 0) and DynamicResources (no claims; only its PostFilter note shows, see preemption.ts).
 */
import type { FilterPlugin, ScorePlugin } from "./framework.ts";
import { balancedAllocationScore } from "./plugins/balanced-allocation.ts";
import { interPodAffinityFilter } from "./plugins/inter-pod-affinity/filtering.ts";
import { interPodAffinityScore } from "./plugins/inter-pod-affinity/scoring.ts";
import { nodeAffinityFilter, nodeAffinityScore } from "./plugins/node-affinity.ts";
import { nodeName } from "./plugins/node-name.ts";
import { nodeResourcesFitFilter, nodeResourcesFitScore } from "./plugins/node-resources-fit.ts";
import { nodeUnschedulable } from "./plugins/node-unschedulable.ts";
import { podTopologySpreadFilter } from "./plugins/pod-topology-spread/filtering.ts";
import { podTopologySpreadScore } from "./plugins/pod-topology-spread/scoring.ts";
import { taintTolerationFilter, taintTolerationScore } from "./plugins/taint-toleration.ts";
import { volumeZone } from "./plugins/volume-zone.ts";

export const FILTER_PLUGINS: readonly FilterPlugin[] = [
  nodeUnschedulable,
  nodeName,
  taintTolerationFilter,
  nodeAffinityFilter,
  nodeResourcesFitFilter,
  volumeZone,
  podTopologySpreadFilter,
  interPodAffinityFilter,
] as readonly FilterPlugin[];

export interface WeightedScorePlugin {
  readonly plugin: ScorePlugin;
  readonly weight: number;
}

export const SCORE_PLUGINS: readonly WeightedScorePlugin[] = [
  { plugin: taintTolerationScore as ScorePlugin, weight: 3 },
  { plugin: nodeAffinityScore as ScorePlugin, weight: 2 },
  { plugin: nodeResourcesFitScore as ScorePlugin, weight: 1 },
  { plugin: podTopologySpreadScore as ScorePlugin, weight: 2 },
  { plugin: interPodAffinityScore as ScorePlugin, weight: 2 },
  { plugin: balancedAllocationScore as ScorePlugin, weight: 1 },
];
