/**
 * Consolidation (Karpenter's disruption/consolidation.go, multinodeconsolidation.go, singlenodeconsolidation.go),
 * the last two methods, reason `Underutilized`. Candidates: pools whose policy is not WhenEmpty, consolidateAfter
 * passed, not empty, no pod blocker, a known price, within the pool's budget; ordered by price over disruption cost,
 * highest first. Multi-node: a binary search for the longest prefix (up to 100, at least two nodes) that can be
 * deleted or replaced by one cheaper node (all of them tried first). Single-node: each candidate in turn, pools interleaved, the first that
 * can. Balanced pools also need the move's score (balanced.ts). Every candidate tried and refused gets its reason.
 * Both pause after each simulation (pass-steps.ts) and keep Karpenter's time limits on the pass's clock: multi-node
 * returns the best command found within 1 min, single-node gives up after 3 min with none; the pass records why.
 */
import { describeDuration } from "../../api/index.ts";
import { balancedScore } from "./balanced.ts";
import type { Candidate } from "./candidates.ts";
import type { DisruptionCommand, DisruptionMethod } from "./command.ts";
import { commandId } from "./command-id.ts";
import { consolidationGate } from "./consolidation-gate.ts";
import { podBlockerText } from "./explanations.ts";
import {
  BALANCED_K,
  COMMAND_VALIDATION_DELAY_MS,
  MAX_MULTI_NODE_CANDIDATES,
  MULTI_NODE_CONSOLIDATION_TIMEOUT_MS,
  SINGLE_NODE_CONSOLIDATION_TIMEOUT_MS,
} from "./options.ts";
import { commandCandidate, type Pass } from "./pass.ts";
import type { Steps } from "./pass-steps.ts";
import { simulate, usd } from "./simulate.ts";

export type Attempt = { readonly command: DisruptionCommand } | { readonly why: string; readonly balanced?: true };

/** The candidates consolidation may consider, in its order, each within its pool's budget. */
export function consolidationCandidates(pass: Pass, candidates: readonly Candidate[]): Candidate[] {
  const eligible = candidates.filter((c) => {
    if (c.empty) return false;
    if (c.pool.spec.disruption?.consolidationPolicy === "WhenEmpty") {
      pass.block(c.facts, "policy", `NodePool ${c.facts.nodePool ?? ""} consolidates only empty nodes (WhenEmpty)`);
      return false;
    }
    if (!consolidationGate(pass, c, "Underutilized")) return false;
    if (c.blocker !== undefined) {
      pass.block(
        c.facts,
        c.blocker.kind === "do-not-disrupt" ? "do-not-disrupt" : "pdb",
        podBlockerText(c.blocker, pass.now),
      );
      return false;
    }
    if (c.facts.price === undefined || c.facts.zone === undefined || c.facts.capacityType === undefined) {
      pass.block(c.facts, "not-candidate", "its instance type, zone or capacity type (and so its price) is unknown");
      return false;
    }
    return true;
  });
  const order = (c: Candidate) => (c.facts.price ?? 0) / (1 + c.disruptionCost);
  eligible.sort((a, b) => order(b) - order(a) || (a.facts.name < b.facts.name ? -1 : 1));
  return eligible.filter((c) => pass.take(c.facts, "Underutilized"));
}

export function* multiNodeConsolidation(
  pass: Pass,
  candidates: readonly Candidate[],
  dryRun: (pool: string) => boolean,
): Steps<DisruptionCommand | undefined> {
  const list = candidates.slice(0, MAX_MULTI_NODE_CANDIDATES);
  if (list.length < 2) return undefined;
  const deadline = pass.sim.clock.now().getTime() + MULTI_NODE_CONSOLIDATION_TIMEOUT_MS;
  // All of them first: when every candidate can go at once (an idle cluster), one simulation instead of seven.
  const all = consolidate(pass, list, "multi-node-consolidation", dryRun);
  if ("command" in all) return all.command;
  yield;
  let lo = 2;
  let hi = list.length - 1;
  let best: DisruptionCommand | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    // multinodeconsolidation.go `firstNConsolidationOption`: out of time, the last command that held is the answer.
    if (pass.sim.clock.now().getTime() > deadline) {
      pass.timedOut(
        "multi-node-consolidation",
        `multi-node consolidation stopped after ${describeDuration(MULTI_NODE_CONSOLIDATION_TIMEOUT_MS)}: ${
          best === undefined
            ? `no command found, the last batch tried had ${mid} nodes`
            : `returning the last command that held (${best.candidates.length} nodes)`
        }`,
      );
      return best;
    }
    const attempt = consolidate(pass, list.slice(0, mid), "multi-node-consolidation", dryRun);
    if ("command" in attempt) {
      best = attempt.command;
      lo = mid + 1;
    } else hi = mid - 1;
    yield;
  }
  return best;
}

export function* singleNodeConsolidation(
  pass: Pass,
  candidates: readonly Candidate[],
  dryRun: (pool: string) => boolean,
): Steps<DisruptionCommand | undefined> {
  const deadline = pass.sim.clock.now().getTime() + SINGLE_NODE_CONSOLIDATION_TIMEOUT_MS;
  let found: DisruptionCommand | undefined;
  let stopped: string | undefined;
  let evaluated = 0;
  for (const c of interleavedByPool(candidates)) {
    if (found !== undefined) {
      pass.block(c.facts, "not-evaluated", `not evaluated: one command per pass, and ${found.message}`);
      continue;
    }
    // singlenodeconsolidation.go `ComputeCommands`: out of time, no command this pass; the rest wait for the next.
    if (stopped === undefined && pass.sim.clock.now().getTime() > deadline) {
      stopped = `single-node consolidation stopped after ${describeDuration(SINGLE_NODE_CONSOLIDATION_TIMEOUT_MS)}, having evaluated ${evaluated} of ${candidates.length} candidates`;
      pass.timedOut("single-node-consolidation", stopped);
    }
    if (stopped !== undefined) {
      pass.block(c.facts, "not-evaluated", `not evaluated: ${stopped}`);
      continue;
    }
    const attempt = consolidate(pass, [c], "single-node-consolidation", dryRun);
    evaluated += 1;
    if ("command" in attempt) found = attempt.command;
    else pass.block(c.facts, attempt.balanced ? "balanced" : "no-cheaper", attempt.why);
    yield;
  }
  return found;
}

/** One consolidation decision for these candidates, or why there is none. */
export function consolidate(
  pass: Pass,
  candidates: readonly Candidate[],
  method: DisruptionMethod,
  dryRun: (pool: string) => boolean,
): Attempt {
  const facts = candidates.map((c) => c.facts);
  const sim = simulate(facts, pass.sim, candidates.length > 1);
  if (sim.kind === "none") return { why: `cannot consolidate: ${sim.why}` };
  const balancedPools = new Set(
    candidates.filter((c) => c.pool.spec.disruption?.consolidationPolicy === "Balanced").map((c) => c.facts.nodePool),
  );
  if (balancedPools.size > 0) {
    const poolNodes = pass.facts.filter((n) => balancedPools.has(n.nodePool) && !n.deleting);
    const score = balancedScore(facts, poolNodes, sim.savings);
    if (!score.approved) {
      const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
      return {
        balanced: true,
        why: `Balanced policy rejects the move: score ${score.score.toFixed(2)} below 1/${BALANCED_K} (saves ${pct(score.savingsShare)} of the pool's cost for ${pct(score.disruptionShare)} of its disruption cost)`,
      };
    }
  }
  const cands = facts.map(commandCandidate);
  const what = cands.map((c) => `${c.node} (${c.instanceType ?? "?"} ${c.capacityType ?? "?"}, ${usd(c.price ?? 0)})`);
  const action =
    sim.kind === "delete"
      ? `delete ${what.join(", ")}`
      : `replace ${what.join(", ")} with one ${sim.replacement.instanceTypes[0] ?? "?"} ${sim.replacement.capacityType} (${usd(sim.replacement.price)})`;
  return {
    command: {
      id: commandId("Underutilized", cands),
      method,
      reason: "Underutilized",
      candidates: cands,
      replacements: sim.kind === "replace" ? [sim.replacement] : [],
      pods: sim.pods,
      savingsPerHour: sim.savings,
      forceful: false,
      validateAt: new Date(pass.now.getTime() + COMMAND_VALIDATION_DELAY_MS),
      dryRun: cands.some((c) => dryRun(c.nodePool)),
      message: `${action}: moves ${sim.pods.length} pods, saves ${usd(sim.savings)}`,
    },
  };
}

// Karpenter's single-node consolidation takes candidates round-robin across NodePools so that one large pool does
// not starve the others of its time budget.
function interleavedByPool(candidates: readonly Candidate[]): Candidate[] {
  const byPool = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const pool = c.facts.nodePool ?? "";
    byPool.set(pool, [...(byPool.get(pool) ?? []), c]);
  }
  const out: Candidate[] = [];
  const queues = [...byPool.values()];
  for (let i = 0; out.length < candidates.length; i++) {
    for (const queue of queues) {
      const next = queue[i];
      if (next !== undefined) out.push(next);
    }
  }
  return out;
}
