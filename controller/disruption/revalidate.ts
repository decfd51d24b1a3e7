/**
 * A graceful command is checked again before it acts, 15 s after it was decided (Karpenter's disruption/validation.go
 * `IsValid` after `commandValidationDelay`): each candidate must still be one, with the same pods (pod churn — a pod
 * bound or gone — invalidates it), no new blocker, room in its budget, and the same decision for its reason: still
 * empty, still drifted, or the same consolidation (delete stays delete, replace still one cheaper node).
 */
import type { Clock } from "../../api/index.ts";
import type { InstanceType } from "../../cloudprovider/index.ts";
import { podKey } from "../provisioning/pod-constraints.ts";
import { candidates } from "./candidates.ts";
import type { DisruptionCommand } from "./command.ts";
import { consolidate } from "./consolidation.ts";
import type { DesiredState } from "./desired-state.ts";
import { driftReason } from "./drift.ts";
import { podBlockerText } from "./explanations.ts";
import type { DisruptionOptions } from "./options.ts";
import { startPass } from "./pass.ts";
import { isReschedulable } from "./pods.ts";
import type { DisruptionSnapshot } from "./snapshot.ts";

export type Validation =
  { readonly valid: true; readonly command: DisruptionCommand } | { readonly valid: false; readonly why: string };

export function revalidate(
  command: DisruptionCommand,
  snapshot: DisruptionSnapshot,
  desired: DesiredState,
  instanceTypes: ReadonlyMap<string, readonly InstanceType[]>,
  clock: Clock,
  options: DisruptionOptions = {},
): Validation {
  if (command.forceful) return { valid: true, command };
  const { pass, dryRun } = startPass(snapshot, desired, instanceTypes, clock, options);
  const byNode = new Map(candidates(pass, new Set()).map((c) => [c.facts.name, c]));
  const blockedWhy = (node: string) => pass.blocked().find((b) => b.node === node)?.message ?? "it is gone";
  const chosen = [];
  for (const { node } of command.candidates) {
    const c = byNode.get(node);
    if (c === undefined) return { valid: false, why: `${node} is no longer a candidate: ${blockedWhy(node)}` };
    chosen.push(c);
  }
  const now = chosen.flatMap((c) => c.facts.source.pods.filter(isReschedulable).map(podKey)).sort();
  if (JSON.stringify(now) !== JSON.stringify([...command.pods].sort())) {
    return { valid: false, why: "the candidates' pods changed since the decision (pod churn)" };
  }
  for (const c of chosen) {
    const tgp = c.facts.source.nodeClaim.spec.terminationGracePeriod;
    if (c.blocker !== undefined && !(command.reason === "Drifted" && tgp !== undefined)) {
      return { valid: false, why: `${c.facts.name}: ${podBlockerText(c.blocker, pass.now)}` };
    }
    if (command.reason !== "Expired" && !pass.take(c.facts, command.reason)) {
      return { valid: false, why: `${c.facts.name}: ${blockedWhy(c.facts.name)}` };
    }
  }
  switch (command.reason) {
    case "Empty": {
      const busy = chosen.find((c) => !c.empty || c.consolidatable.state !== "yes");
      return busy === undefined
        ? { valid: true, command }
        : { valid: false, why: `${busy.facts.name} is no longer empty and quiet` };
    }
    case "Drifted": {
      const current = chosen.find((c) => driftReason(c.facts, c.pool) === undefined);
      return current === undefined
        ? { valid: true, command }
        : { valid: false, why: `${current.facts.name} is no longer drifted` };
    }
    default: {
      const attempt = consolidate(pass, chosen, command.method, dryRun);
      if (!("command" in attempt)) return { valid: false, why: attempt.why };
      if (attempt.command.replacements.length !== command.replacements.length) {
        return { valid: false, why: "the consolidation decision changed since it was made" };
      }
      return { valid: true, command: attempt.command };
    }
  }
}
