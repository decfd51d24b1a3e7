/**
 * Drift (Karpenter's disruption/drift.go), the second method: drifted nodes, empty ones first then oldest first,
 * one per command within the pool's `Drifted` budget; the pods' replacements (any number, any price: drift is about
 * what the node runs, not what it costs) launch and initialize before the node goes. Pod blockers hold a drifted
 * node unless its NodeClaim has a terminationGracePeriod, which then bounds the drain (Karpenter's eventual class).
 */
import type { Candidate } from "./candidates.ts";
import type { DisruptionCommand } from "./command.ts";
import { commandId } from "./command-id.ts";
import { driftReason } from "./drift.ts";
import { podBlockerText } from "./explanations.ts";
import { COMMAND_VALIDATION_DELAY_MS } from "./options.ts";
import { commandCandidate, type Pass } from "./pass.ts";
import { podKey } from "../provisioning/pod-constraints.ts";
import type { Steps } from "./pass-steps.ts";
import { candidatePods, placePods, strandedPods, usd } from "./simulate.ts";

/** Pauses after each drifted node's simulation (pass-steps.ts). */
export function* drift(
  pass: Pass,
  candidates: readonly Candidate[],
  dryRun: (pool: string) => boolean,
): Steps<DisruptionCommand | undefined> {
  const drifted = candidates
    .map((c) => ({ c, reason: driftReason(c.facts, c.pool) }))
    .filter((d): d is { c: Candidate; reason: string } => d.reason !== undefined)
    .sort((a, b) => Number(b.c.empty) - Number(a.c.empty) || a.c.facts.createdAtMs - b.c.facts.createdAtMs);
  for (const { c, reason } of drifted) {
    const tgp = c.facts.source.nodeClaim.spec.terminationGracePeriod;
    if (c.blocker !== undefined && tgp === undefined) {
      const kind = c.blocker.kind === "do-not-disrupt" ? "do-not-disrupt" : "pdb";
      pass.block(c.facts, kind, `drifted (${reason}), but ${podBlockerText(c.blocker, pass.now)}`);
      continue;
    }
    if (!pass.take(c.facts, "Drifted")) continue;
    // With the pending pods and the deleting nodes' pods, as Karpenter's drift simulates; every NodeClaim the run
    // opens is a replacement (drift.go `replacementsFromNodeClaims(results.NewNodeClaims...)`).
    const result = placePods([c.facts], pass.sim);
    const [stuck] = strandedPods(result, pass.sim);
    yield;
    if (stuck !== undefined) {
      pass.giveBack(c.facts, "Drifted");
      pass.block(c.facts, "unschedulable", `drifted (${reason}), but pod ${stuck} would fit on no replacement`);
      continue;
    }
    const candidate = commandCandidate(c.facts);
    const cost = result.newNodeClaims.reduce((sum, claim) => sum + claim.price, 0);
    const pods = candidatePods([c.facts]).map(podKey);
    const launches = result.newNodeClaims.map((n) => `${n.instanceTypes[0] ?? "?"} ${n.capacityType}`);
    return {
      id: commandId("Drifted", [candidate]),
      method: "drift",
      reason: "Drifted",
      candidates: [candidate],
      replacements: result.newNodeClaims,
      pods,
      savingsPerHour: (c.facts.price ?? 0) - cost,
      forceful: false,
      validateAt: new Date(pass.now.getTime() + COMMAND_VALIDATION_DELAY_MS),
      dryRun: dryRun(candidate.nodePool),
      message: `replace drifted ${c.facts.name} (${reason})${
        launches.length === 0 ? " by deleting it" : ` with ${launches.join(", ")}`
      }: moves ${pods.length} pods, ${usd(Math.abs((c.facts.price ?? 0) - cost))} ${
        (c.facts.price ?? 0) >= cost ? "saved" : "more"
      }`,
    };
  }
  return undefined;
}
