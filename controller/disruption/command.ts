/**
 * What a disruption pass decides: commands (Karpenter's disruption/types.go `Command`: candidates, replacements,
 * a reason) with the pods they move and what they save, and for every node considered and not acted on, why not.
 */
import type { NewNodeClaim } from "../provisioning/index.ts";
import type { BudgetReason } from "./budgets.ts";

export type DisruptionMethod =
  "expiration" | "emptiness" | "drift" | "multi-node-consolidation" | "single-node-consolidation";

/** The NodeClaim's `DisruptionReason`: a budget reason, or Expired for the forceful path outside budgets. */
export type CommandReason = BudgetReason | "Expired";

export interface CommandCandidate {
  readonly node: string;
  readonly nodeClaim: string;
  readonly nodePool: string;
  readonly instanceType: string | undefined;
  readonly capacityType: string | undefined;
  readonly price: number | undefined;
}

export interface DisruptionCommand {
  /** Stable for the same candidates and reason, so an executor can tell a command it already runs. */
  readonly id: string;
  readonly method: DisruptionMethod;
  readonly reason: CommandReason;
  readonly candidates: readonly CommandCandidate[];
  /** NodeClaims to launch and see initialized before the candidates go; empty for a delete. */
  readonly replacements: readonly NewNodeClaim[];
  /** `namespace/name` of each pod that moves. */
  readonly pods: readonly string[];
  /** USD per hour: the candidates' prices less the replacements'. Negative when drift replaces with pricier. */
  readonly savingsPerHour: number;
  /** Expiration: outside budgets, no re-validation, no replacement launched first. */
  readonly forceful: boolean;
  /** Graceful commands act only after re-validation at this time (decision + 15 s). */
  readonly validateAt: Date | undefined;
  /** Reported, not executed (`--dry-run`, or a pool annotated `poolkeeper.dev/disruption: dry-run`). */
  readonly dryRun: boolean;
  /** One sentence: what, why, pods moved, savings. */
  readonly message: string;
}

/** A node considered this pass and not acted on. */
export interface Blocked {
  readonly node: string;
  readonly nodeClaim: string;
  readonly nodePool: string | undefined;
  readonly kind: BlockedKind;
  readonly message: string;
}

export type BlockedKind =
  | "not-candidate"
  | "in-progress"
  | "nominated"
  | "do-not-disrupt"
  | "pdb"
  | "budget"
  | "consolidate-after"
  | "consolidation-disabled"
  | "policy"
  | "no-cheaper"
  | "balanced"
  | "unschedulable"
  | "not-evaluated"
  | "invalid";
