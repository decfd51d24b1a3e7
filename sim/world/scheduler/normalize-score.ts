/**
 * helper.DefaultNormalizeScore: scales scores to 0..maxPriority by the largest one (integer arithmetic), reversed
 * when a high raw score is bad. All zero: reversed gives everyone the maximum, otherwise they stay zero.
 */
import type { NodeScore } from "./framework.ts";

export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: NodeScore[]): void {
  const maxCount = scores.reduce((max, entry) => Math.max(max, entry.score), 0);
  if (maxCount === 0) {
    if (reverse) for (const entry of scores) entry.score = maxPriority;
    return;
  }
  for (const entry of scores) {
    const scaled = Math.trunc((maxPriority * entry.score) / maxCount);
    entry.score = reverse ? maxPriority - scaled : scaled;
  }
}
