// Where interruption reports go in the Git status report: gitops's StatusPublisher satisfies this (its `record`
// takes any status event kind), so the controller needs no more of gitops than the shape.

/** One line of the status report: `interrupted` when a notice is acted on (or held), `drained` when done. */
export interface InterruptionStatusEvent {
  kind: "interrupted" | "drained";
  pool?: string;
  node?: string;
  /** One sentence, no secrets (it is copied into commit trailers). */
  reason: string;
}

export interface InterruptionStatusSink {
  record(event: InterruptionStatusEvent): void;
}
