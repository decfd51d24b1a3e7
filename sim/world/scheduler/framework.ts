/**
 * The shape of the scheduling framework (k8s.io/kube-scheduler/framework): statuses, and the PreFilter / Filter /
 * PreScore / Score / NormalizeScore extension points the plugins implement. State a plugin computes in PreFilter or
 * PreScore is handed back to it, as CycleState does.
 */
import type { Pod } from "../objects.ts";
import type { NodeInfo, Snapshot } from "./snapshot.ts";

export type RejectionCode = "Unschedulable" | "UnschedulableAndUnresolvable";
export type Code = "Success" | RejectionCode;

/** A plugin's rejection of a pod; success is `undefined`. Reasons become the FitError histogram. */
export interface Status {
  readonly code: RejectionCode;
  readonly reasons: readonly string[];
  /** The plugin that returned it, set by the framework. */
  readonly plugin?: string;
}

export function unschedulable(...reasons: string[]): Status {
  return { code: "Unschedulable", reasons };
}

export function unresolvable(...reasons: string[]): Status {
  return { code: "UnschedulableAndUnresolvable", reasons };
}

export function codeOf(status: Status | undefined): Code {
  return status === undefined ? "Success" : status.code;
}

/** `Status.Message()`. */
export function messageOf(status: Status): string {
  return status.reasons.join(", ");
}

/** fwk.MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

// A plugin with nothing to do for a pod answers with the framework's Skip status code (framework.NewStatus(
// framework.Skip)): not a skipped test, the plugin sitting out this pod.
export type PreFilterOutcome<S> =
  /** The plugin has nothing to check for this pod; its Filter is not run. */
  | { readonly code: "Skip" }
  | {
      readonly code?: undefined;
      readonly state: S;
      /** PreFilterResult.NodeNames: only these nodes can fit. */
      readonly nodeNames?: ReadonlySet<string>;
      readonly status?: undefined;
    }
  /** A rejection of the pod before any node is looked at (with the state, when the plugin wrote it first). */
  | { readonly code?: undefined; readonly status: Status; readonly state?: S; readonly nodeNames?: undefined };

export interface FilterPlugin<S = unknown> {
  readonly name: string;
  preFilter?(pod: Pod, snapshot: Snapshot): PreFilterOutcome<S>;
  filter(pod: Pod, nodeInfo: NodeInfo, state: S): Status | undefined;
}

export type PreScoreOutcome<S> = { readonly code: "Skip" } | { readonly code?: undefined; readonly state: S };

export interface NodeScore {
  readonly name: string;
  score: number;
}

export interface ScorePlugin<S = unknown> {
  readonly name: string;
  preScore(pod: Pod, feasible: readonly NodeInfo[], snapshot: Snapshot): PreScoreOutcome<S>;
  score(pod: Pod, nodeInfo: NodeInfo, state: S): number;
  /** NormalizeScore: rewrites the scores in place to 0..MAX_NODE_SCORE. */
  normalize?(scores: NodeScore[], state: S): void;
}
