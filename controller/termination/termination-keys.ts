// The names termination is keyed on, as Karpenter v1 spells them (core:pkg/apis/v1/labels.go).

/** The finalizer that holds a NodeClaim (and its Node) until its node is drained and its instance gone. */
export const TERMINATION_FINALIZER = "karpenter.sh/termination";

/**
 * When the NodeClaim must be gone whatever blocks it (`NodeClaimTerminationTimestampAnnotationKey`): set at deletion
 * from `terminationGracePeriod`, or to now for a forceful termination. Past it, drain and volume waits are skipped.
 */
export const ANNOTATION_TERMINATION_TIMESTAMP = "karpenter.sh/nodeclaim-termination-timestamp";

/** The priority classes Karpenter drains last (terminator.go `groupPodsByPriority`). */
export const CRITICAL_PRIORITY_CLASSES: readonly string[] = ["system-cluster-critical", "system-node-critical"];
