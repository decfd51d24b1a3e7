/**
 * The framework's PreScore / Score / NormalizeScore runs (framework.go `RunScorePlugins`): a plugin whose PreScore
 * skipped does not score; the others score every feasible node, normalize, and are multiplied by their weight.
 */
import type { Pod } from "../objects.ts";
import type { NodeScore } from "./framework.ts";
import { MAX_NODE_SCORE } from "./framework.ts";
import type { WeightedScorePlugin } from "./profile.ts";
import type { NodeInfo, Snapshot } from "./snapshot.ts";

export interface NodePluginScores {
  readonly name: string;
  /** Weighted, normalized score per plugin that ran. */
  readonly scores: Readonly<Record<string, number>>;
  readonly total: number;
}

export function runScores(
  pod: Pod,
  feasible: readonly NodeInfo[],
  snapshot: Snapshot,
  plugins: readonly WeightedScorePlugin[],
): NodePluginScores[] {
  const perNode = feasible.map(() => ({}) as Record<string, number>);
  for (const { plugin, weight } of plugins) {
    const outcome = plugin.preScore(pod, feasible, snapshot);
    if (outcome.code === "Skip") continue;
    const scores: NodeScore[] = feasible.map((nodeInfo) => ({
      name: nodeInfo.name,
      score: plugin.score(pod, nodeInfo, outcome.state),
    }));
    plugin.normalize?.(scores, outcome.state);
    scores.forEach((entry, index) => {
      if (entry.score < 0 || entry.score > MAX_NODE_SCORE) {
        throw new Error(
          `${plugin.name} returned score ${entry.score} for node ${entry.name}, outside 0..${MAX_NODE_SCORE}`,
        );
      }
      const target = perNode[index];
      if (target !== undefined) target[plugin.name] = entry.score * weight;
    });
  }
  return feasible.map((nodeInfo, index) => {
    const scores = perNode[index] ?? {};
    return { name: nodeInfo.name, scores, total: Object.values(scores).reduce((sum, value) => sum + value, 0) };
  });
}
