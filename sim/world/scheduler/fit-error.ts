/**
 * The words of an unschedulable pod: pkg/scheduler/framework/types.go `FitError.Error()`.
 *
 *   "0/<all nodes> nodes are available: <PreFilter message>. <PostFilter message>"                (PreFilter rejected)
 *   "0/<all nodes> nodes are available: <count> <reason>, ... (sorted). <PostFilter message>"   (every node rejected)
 *
 * Nodes without a status of their own (left out by a PreFilter result) count under the absent-nodes status.
 * Sorting is Go's sort.Strings over "<count> <reason>", so by bytes: "10 x" sorts before "2 y".
 */
import type { Status } from "./framework.ts";

export interface Diagnosis {
  /** Explicit statuses, by node name. */
  readonly nodeStatuses: ReadonlyMap<string, Status>;
  /** The status of nodes not in `nodeStatuses`. */
  readonly absentStatus?: Status;
  readonly preFilterMessage?: string;
  readonly postFilterMessage?: string;
}

/** Go's sort.Strings: byte order (the strings are ASCII, so UTF-16 code-unit order is the same). */
function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function fitErrorMessage(numAllNodes: number, diagnosis: Diagnosis): string {
  let message = `0/${numAllNodes} nodes are available:`;
  if (diagnosis.preFilterMessage) {
    message += ` ${diagnosis.preFilterMessage}.`;
  } else {
    const reasons = new Map<string, number>();
    for (const status of diagnosis.nodeStatuses.values()) {
      for (const reason of status.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    const absent = numAllNodes - diagnosis.nodeStatuses.size;
    if (absent > 0) {
      for (const reason of diagnosis.absentStatus?.reasons ?? [])
        reasons.set(reason, (reasons.get(reason) ?? 0) + absent);
    }
    const histogram = [...reasons].map(([reason, count]) => `${count} ${reason}`).sort(byBytes);
    if (histogram.length > 0) message += ` ${histogram.join(", ")}.`;
  }
  if (diagnosis.postFilterMessage) message += ` ${diagnosis.postFilterMessage}`;
  return message;
}
