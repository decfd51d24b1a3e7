// docs/policies.md, rendered from the rules' own metadata so the documentation cannot drift from the code.
import type { AnyRule } from "./rule.ts";
import { standingChecks, type StandingCheck } from "./standing-checks.ts";

export function renderPolicyDocs(rules: readonly AnyRule[]): string {
  const families = [...new Set(rules.map((r) => r.family))];
  const lines = [
    "# Policy rules",
    "",
    "<!-- Generated from the rules' metadata by `npm run generate`; a test fails when this file is stale. -->",
    "",
    "Every built-in rule, by family, with its enforcement in the two shipped presets and its parameters.",
    "`baseline` (the default) denies only what is certainly broken or dangerous; `strict` turns hardening",
    "advice into denials. A `PoolPolicy` can change any rule's enforcement (`deny`, `warn`, `audit`, `off`) and",
    "parameters, and exempt objects with a reason and an expiry date (see `docs/policy-language.md`).",
    "`poolkeeper explain RULE` prints one rule's entry.",
    "",
    "| rule | baseline | strict | checks |",
    "| --- | --- | --- | --- |",
    ...rules.map(
      (r) => `| [\`${r.id}\`](#${anchor(r.id)}) | ${r.enforcement.baseline} | ${r.enforcement.strict} | ${r.title} |`,
    ),
    "",
  ];
  for (const family of families) {
    lines.push(`## ${family}`, "");
    for (const rule of rules.filter((r) => r.family === family)) lines.push(renderRule(rule), "");
  }
  lines.push(
    "## Checks that are always enforced",
    "",
    "Findings no policy rule makes: they judge a deletion, an exemption or a rule rather than an object, so a",
    "`PoolPolicy` cannot change them (naming one under `rules` is an error). A `poolkeeper-test.yaml` may expect them.",
    "",
    "| check | enforced | reports |",
    "| --- | --- | --- |",
    ...standingChecks.map((c) => `| [\`${c.id}\`](#${anchor(c.id)}) | ${c.severity} | ${c.title} |`),
    "",
  );
  for (const check of standingChecks) lines.push(renderStandingCheck(check), "");
  return lines.join("\n");
}

export function renderStandingCheck(check: StandingCheck): string {
  return [
    `### ${check.id}`,
    "",
    `**${check.title}.** Always enforced: \`${check.severity}\`; not a policy rule.`,
    "",
    check.docs.trim(),
  ].join("\n");
}

export function renderRule(rule: AnyRule): string {
  const lines = [
    `### ${rule.id}`,
    "",
    `**${rule.title}.** Applies to ${rule.kinds.join(" and ")}. Baseline: \`${rule.enforcement.baseline}\`; strict: \`${rule.enforcement.strict}\`.`,
    "",
    rule.docs.trim(),
  ];
  if (rule.params) {
    lines.push(
      "",
      "Parameters (defaults):",
      "",
      "```yaml",
      ...paramsYaml(rule.params.defaults as Record<string, unknown>),
      "```",
    );
  }
  return lines.join("\n");
}

function paramsYaml(defaults: Record<string, unknown>): string[] {
  return Object.entries(defaults).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
}

function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]/g, "");
}
