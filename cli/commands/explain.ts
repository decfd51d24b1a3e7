// `poolkeeper explain [RULE]`: a rule's documentation, or the list of rules.
import { closestName } from "../../api/index.ts";
import {
  escapeControlCharacters as shown,
  renderRule,
  renderStandingCheck,
  standingCheck,
  standingChecks,
} from "../../policies/index.ts";
import { builtinRules } from "../../policies/index.ts";
import type { Output } from "../output.ts";

export function runExplain(ruleId: string | undefined, out: Output): number {
  if (ruleId === undefined) {
    const width = Math.max(...builtinRules.map((r) => r.id.length), ...standingChecks.map((c) => c.id.length));
    for (const r of builtinRules)
      out.stdout(`${r.id.padEnd(width)}  ${r.enforcement.baseline.padEnd(5)}  ${r.title}\n`);
    // The checks no policy tunes, after the rules, marked as such.
    for (const c of standingChecks) out.stdout(`${c.id.padEnd(width)}  ${c.severity.padEnd(5)}  ${c.title} (always)\n`);
    return 0;
  }
  const check = standingCheck(ruleId);
  if (check) {
    out.stdout(renderStandingCheck(check) + "\n");
    return 0;
  }
  const rule = builtinRules.find((r) => r.id === ruleId);
  if (!rule) {
    const suggestion = closestName(ruleId, [...builtinRules.map((r) => r.id), ...standingChecks.map((c) => c.id)]);
    out.stderr(
      `poolkeeper explain: no rule "${shown(ruleId)}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; run \`poolkeeper explain\` for the list\n`,
    );
    return 2;
  }
  out.stdout(renderRule(rule) + "\n");
  return 0;
}
