/**
 * The forceful path (Karpenter's core:pkg/controllers/nodeclaim/expiration/controller.go): a NodeClaim whose
 * `expireAfter` has passed since it was created is deleted, outside budgets and without a replacement launched
 * first; its drain honours PDBs and do-not-disrupt until `terminationGracePeriod` ends the wait. An expireAfter
 * that cannot be read is reported, naming the NodeClaim and the field, and the node left alone.
 */
import { parseKarpenterDuration, ValueError } from "../../api/index.ts";
import type { DisruptionCommand } from "./command.ts";
import { commandId } from "./command-id.ts";
import type { NodeFacts } from "./node-facts.ts";
import { commandCandidate, type Pass } from "./pass.ts";
import { isReschedulable } from "./pods.ts";
import { podKey } from "../provisioning/pod-constraints.ts";

export function expirations(pass: Pass, dryRun: (pool: string) => boolean): DisruptionCommand[] {
  const commands: DisruptionCommand[] = [];
  for (const facts of pass.facts) {
    if (facts.deleting || facts.disruptionReason !== undefined) continue;
    const expiresAt = expiry(pass, facts);
    if (expiresAt === undefined || expiresAt > pass.now.getTime()) continue;
    const pods = facts.source.pods.filter(isReschedulable).map(podKey);
    const candidate = commandCandidate(facts);
    commands.push({
      id: commandId("Expired", [candidate]),
      method: "expiration",
      reason: "Expired",
      candidates: [candidate],
      replacements: [],
      pods,
      savingsPerHour: facts.price ?? 0,
      forceful: true,
      validateAt: undefined,
      dryRun: dryRun(candidate.nodePool),
      message: `expire ${facts.name}: expireAfter ${expireAfterOf(pass, facts) ?? ""} passed at ${new Date(expiresAt).toISOString()}; ${pods.length} pods move`,
    });
  }
  return commands;
}

function expireAfterOf(pass: Pass, facts: NodeFacts): string | undefined {
  const pool = facts.nodePool === undefined ? undefined : pass.pools.get(facts.nodePool);
  return facts.source.nodeClaim.spec.expireAfter ?? pool?.spec.template.spec.expireAfter;
}

function expiry(pass: Pass, facts: NodeFacts): number | undefined {
  const text = expireAfterOf(pass, facts);
  if (text === undefined) return undefined;
  try {
    const after = parseKarpenterDuration(text, { allowNever: true, field: "expireAfter" });
    return after.never ? undefined : facts.createdAtMs + after.ms;
  } catch (error) {
    if (!(error instanceof ValueError)) throw error;
    pass.block(facts, "invalid", `NodeClaim ${facts.nodeClaim} spec.expireAfter: ${error.message}`);
    return undefined;
  }
}
