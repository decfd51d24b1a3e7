// The policy engine's public surface: evaluate, PoolPolicies (load, compile, presets), the ratchet, reports, fixes,
// the rules' docs, and the words that describe budget windows. Only what other parts use is exported here.
export { type CompiledPolicy, compilePolicy } from "./compiled-policy.ts";
export { renderRule } from "./docs.ts";
export { evaluate, evaluateStepwise } from "./engine.ts";
export { type Finding, SEVERITIES, type Severity } from "./finding.ts";
export { applyToYaml, type FixOperation, type YamlEdit } from "./fix/apply-to-yaml.ts";
export { fixableFindings, MIGRATION_RULE, objectKey } from "./fix/fixable.ts";
export { migrationPatch } from "./fix/migration-patch.ts";
export { type LoadedPolicy, loadPolicies } from "./load-policies.ts";
export { type PresetName, PRESETS } from "./policy-document.ts";
export type { PolicyObject } from "./prepare-target.ts";
export { ratchet, ratchetBundle, ratchetBundleStepwise } from "./ratchet.ts";
export { type CheckReport, renderReport, type ReportFormat } from "./report/index.ts";
export { builtinRules } from "./rules/index.ts";
export { examples } from "./rules/instance-types.ts";
export { nodeClassRefOf } from "./rules/references.ts";
export { budgetWindowDescription } from "./schedule-text/budget-window-text.ts";
export { budgetProblemMessage } from "./schedule-text/budget-problem-text.ts";
export { runToEnd, type Stepwise } from "./stepwise.ts";
