/**
 * A command's id: its reason and candidates' NodeClaims, so the same decision taken again (after a restart, or at
 * re-validation) has the same id, and the annotation on candidates and replacements ties them together.
 */
import { stableHash } from "../../cloudprovider/index.ts";
import type { CommandCandidate, CommandReason } from "./command.ts";

export function commandId(reason: CommandReason, candidates: readonly CommandCandidate[]): string {
  const claims = candidates.map((c) => c.nodeClaim).sort();
  return `${reason.toLowerCase()}-${stableHash(claims).slice(0, 10)}`;
}
