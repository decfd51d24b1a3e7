/**
 * A plan as Events on the objects it is about, so `kubectl describe` answers "why was this node removed — or why
 * not?": each command on its NodePool and each candidate Node (Karpenter's `DisruptionLaunching`,
 * `DisruptionWaitingReadiness`, `DisruptionTerminating`; ours for dry-run), each node set aside on the Node with
 * `DisruptionBlocked` (`Unconsolidatable` when its pool has consolidation off), and each budget that blocks a
 * pool, on the NodePool. The Cluster port de-duplicates repeats as client-go's recorder does.
 */
import { type Cluster, ClusterError, type EventRecord } from "../../api/index.ts";
import type { DisruptionCommand } from "./command.ts";
import type { DisruptionPlan } from "./plan.ts";

export const nodeRef = (name: string) => ({ apiVersion: "v1", kind: "Node", name });
export const nodePoolRef = (name: string) => ({ apiVersion: "karpenter.sh/v1", kind: "NodePool", name });

/** The Events about one command at one step, on its NodePools and candidate Nodes. */
export function commandEvents(command: DisruptionCommand, reason: string, message: string): EventRecord[] {
  const pools = [...new Set(command.candidates.map((c) => c.nodePool))];
  return [
    ...pools.map((p): EventRecord => ({ involved: nodePoolRef(p), type: "Normal", reason, message })),
    ...command.candidates.map((c): EventRecord => ({ involved: nodeRef(c.node), type: "Normal", reason, message })),
  ];
}

export function planEvents(plan: DisruptionPlan): EventRecord[] {
  const events: EventRecord[] = [];
  for (const command of plan.commands) {
    if (command.dryRun) events.push(...commandEvents(command, "DisruptionDryRun", `would ${command.message}`));
  }
  for (const b of plan.blocked) {
    events.push({
      involved: nodeRef(b.node),
      type: "Normal",
      reason: b.kind === "consolidation-disabled" ? "Unconsolidatable" : "DisruptionBlocked",
      message: b.message,
    });
  }
  for (const problem of plan.problems) {
    const pool = /^NodePool (\S+)/.exec(problem)?.[1];
    if (pool !== undefined)
      events.push({ involved: nodePoolRef(pool), type: "Warning", reason: "DisruptionBlocked", message: problem });
  }
  return events;
}

/** Events are best effort, as client-go's recorder makes them: one that cannot be written never stops a command. */
export async function recordAll(cluster: Cluster, events: readonly EventRecord[]): Promise<void> {
  for (const event of events) {
    try {
      await cluster.recordEvent(event);
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
    }
  }
}
