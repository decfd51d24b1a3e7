// Where disruption reports go in the Git status report: gitops's StatusPublisher satisfies this (its `record`
// takes any status event kind), so the controller needs no more of gitops than the shape.

/**
 * One line of the status report: an action by its reason (`consolidated` for Empty and Underutilized, `drifted`,
 * `expired`), a node considered and not acted on (`disruption-blocked`, with why), or a pool's rollout progress.
 */
export interface DisruptionStatusEvent {
  kind: "consolidated" | "drifted" | "expired" | "disruption-blocked" | "rollout";
  pool?: string;
  node?: string;
  /** One sentence, no secrets (it is copied into commit trailers). */
  reason: string;
  /** The Git commit the desired state was read at, when known. */
  sourceSha?: string;
}

export interface DisruptionStatusSink {
  record(event: DisruptionStatusEvent): void;
}
