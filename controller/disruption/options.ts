/**
 * The knobs of a disruption pass, with Karpenter's defaults: any saving is enough (margin 0), spot-to-spot
 * consolidation off (the `SpotToSpotConsolidation` feature gate), Balanced's k = 2, 15 s before a command acts
 * (`commandValidationDelay`), 20 s of nomination (`max(2 × BATCH_MAX_DURATION, 10 s)`), 100 multi-node candidates,
 * and the consolidation methods' time limits (multinodeconsolidation.go `MultiNodeConsolidationTimeoutDuration`,
 * singlenodeconsolidation.go `SingleNodeConsolidationTimeoutDuration`).
 */
export interface DisruptionOptions {
  /** Report what would be done without doing it (`--dry-run`; a pool can ask with `poolkeeper.dev/disruption`). */
  readonly dryRun?: boolean;
  /** A replacement must save at least this percentage of what the candidates cost (0: any saving). */
  readonly marginPercent?: number;
  /** Let a spot node be replaced by a cheaper spot node. */
  readonly spotToSpot?: boolean;
}

export const ANNOTATION_DISRUPTION_MODE = "poolkeeper.dev/disruption";
export const BALANCED_K = 2;
export const COMMAND_VALIDATION_DELAY_MS = 15_000;
export const NOMINATION_WINDOW_MS = 20_000;
export const MAX_MULTI_NODE_CANDIDATES = 100;
export const MIN_SPOT_TO_SPOT_TYPES = 15;
export const MULTI_NODE_CONSOLIDATION_TIMEOUT_MS = 60_000;
export const SINGLE_NODE_CONSOLIDATION_TIMEOUT_MS = 3 * 60_000;
