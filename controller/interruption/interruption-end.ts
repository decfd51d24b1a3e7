// How an interruption is closed in the status report once termination has finished its NodeClaim: `drained`, with
// notice-to-drained and the replacement capacity, and `interrupted` first when this process never reported the act
// (a previous one did it and died). The notice comes from the controller's memory or else from the annotation the
// NodeClaim carried to its end (termination's report keeps its annotations), so a drain finished before the
// interruption controller has started after a restart is still reported: `run` passes such a report here directly.
// The status publisher records each node action once, so a report made twice across a restart lands once.
import type { Cluster } from "../../api/index.ts";
import { LABEL_NODE_POOL } from "../provisioning/index.ts";
import type { TerminationReport } from "../termination/index.ts";
import { instanceIdOf } from "./claim-index.ts";
import type { InterruptionMetrics } from "./metrics.ts";
import { noticeIn, type Notice } from "./notice-annotation.ts";
import type { InterruptionStatusSink } from "./status-sink.ts";

export interface InterruptionEndOptions {
  cluster: Cluster;
  status?: InterruptionStatusSink;
  metrics?: InterruptionMetrics;
}

/**
 * Reports the end of the interruption a finished NodeClaim was terminated for. `known` is the notice this process
 * acted on (its `interrupted` event already recorded); without it the NodeClaim's annotation is read, and the
 * NodeClaim is reported `interrupted` as well. A NodeClaim terminated for no notice is not reported.
 */
export function reportInterruptionEnd(
  options: InterruptionEndOptions,
  report: TerminationReport,
  known?: Notice,
): void {
  const notice = known ?? noticeIn(report.annotations);
  if (notice === undefined) return;
  const { status, metrics } = options;
  if (known === undefined) {
    status?.record({
      kind: "interrupted",
      ...(report.pool === undefined ? {} : { pool: report.pool }),
      node: report.node ?? report.nodeClaim,
      reason: `${notice.kind} for instance ${notice.instanceId}: NodeClaim ${report.nodeClaim} tainted and deleted, draining`,
    });
  }
  const drainedAt = report.drainedAt ?? report.terminatedAt;
  const seconds = Math.max(0, (drainedAt - notice.noticeAt) / 1000);
  metrics?.noticeToDrained.observe({ message_type: notice.kind }, seconds);
  const replacements = replacementsOf(options.cluster, report.pool, notice.noticeAt);
  const moved = report.evicted + report.deletedAtDeadline;
  status?.record({
    kind: "drained",
    ...(report.pool === undefined ? {} : { pool: report.pool }),
    node: report.node ?? report.nodeClaim,
    reason:
      `${notice.kind} for instance ${notice.instanceId}: ${moved} pod(s) moved` +
      (report.deletedAtDeadline > 0
        ? ` (${report.deletedAtDeadline} deleted at the deadline, a budget blocking their eviction)`
        : "") +
      `, notice to drained ${Math.round(seconds)} s` +
      (replacements.length > 0 ? `; replacement ${replacements.join(", ")}` : "; no replacement launched"),
  });
}

/** Instances the pool launched since the notice: the replacement capacity provisioning made for the pods. */
function replacementsOf(cluster: Cluster, pool: string | undefined, since: number): string[] {
  if (pool === undefined) return [];
  return cluster
    .list("nodeclaims")
    .filter(
      (c) =>
        c.metadata.labels?.[LABEL_NODE_POOL] === pool &&
        c.metadata.deletionTimestamp === undefined &&
        Date.parse(c.metadata.creationTimestamp ?? "") >= Math.floor(since / 1000) * 1000,
    )
    .flatMap((c) => instanceIdOf(c.status?.providerID) ?? []);
}
