/**
 * Emptiness (Karpenter's disruption/emptiness.go), the first method: every empty node of a pool whose
 * consolidateAfter has passed, within its `Empty` budget, in one command, acting after a 15 s re-validation.
 * Nodes set aside are recorded: consolidation disabled, still within consolidateAfter, blocked by a pod, budget.
 */
import { podKey } from "../provisioning/pod-constraints.ts";
import type { Candidate } from "./candidates.ts";
import type { DisruptionCommand } from "./command.ts";
import { commandId } from "./command-id.ts";
import { podBlockerText } from "./explanations.ts";
import { COMMAND_VALIDATION_DELAY_MS } from "./options.ts";
import { commandCandidate, type Pass } from "./pass.ts";
import { isReschedulable } from "./pods.ts";
import { usd } from "./simulate.ts";
import { consolidationGate } from "./consolidation-gate.ts";

export function emptiness(
  pass: Pass,
  candidates: readonly Candidate[],
  dryRun: (pool: string) => boolean,
): DisruptionCommand | undefined {
  const chosen = candidates.filter((c) => {
    if (!c.empty || !consolidationGate(pass, c, "Empty")) return false;
    if (c.blocker !== undefined) {
      pass.block(
        c.facts,
        c.blocker.kind === "do-not-disrupt" ? "do-not-disrupt" : "pdb",
        podBlockerText(c.blocker, pass.now),
      );
      return false;
    }
    return pass.take(c.facts, "Empty");
  });
  if (chosen.length === 0) return undefined;
  const cands = chosen.map((c) => commandCandidate(c.facts));
  const savings = chosen.reduce((sum, c) => sum + (c.facts.price ?? 0), 0);
  const pods = chosen.flatMap((c) => c.facts.source.pods.filter(isReschedulable).map(podKey));
  return {
    id: commandId("Empty", cands),
    method: "emptiness",
    reason: "Empty",
    candidates: cands,
    replacements: [],
    pods,
    savingsPerHour: savings,
    forceful: false,
    validateAt: new Date(pass.now.getTime() + COMMAND_VALIDATION_DELAY_MS),
    dryRun: cands.some((c) => dryRun(c.nodePool)),
    message: `delete ${cands.length} empty node${cands.length === 1 ? "" : "s"} (${cands.map((c) => c.node).join(", ")}): saves ${usd(savings)}`,
  };
}
