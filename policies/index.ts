// The policy engine's public surface: evaluate, PoolPolicies (load, compile, presets), the ratchet, reports, fixes,
// the rules' docs, and the words that describe budget windows. Only what other parts use is exported here.
export { type CompiledPolicy, compilePolicy } from "./compiled-policy.ts";
export { renderRule, renderStandingCheck } from "./docs.ts";
export { evaluate, evaluateRulesRun, evaluateStepwise, type RulesRun } from "./engine.ts";
export { type Finding, SEVERITIES, type Severity } from "./finding.ts";
export { FindingsCache } from "./findings-cache.ts";
export { applyToYaml, type FixOperation, type YamlEdit } from "./fix/apply-to-yaml.ts";
export { fixableFindings, MIGRATION_RULE, objectKey } from "./fix/fixable.ts";
export { migrationPatch } from "./fix/migration-patch.ts";
export { type LoadedPolicy, loadPolicies } from "./load-policies.ts";
export { isPlainJson } from "./memoized-rule.ts";
export { type PresetName, PRESETS } from "./policy-document.ts";
export type { PolicyObject } from "./prepare-target.ts";
export { ratchet, ratchetBundle, ratchetBundleStepwise } from "./ratchet.ts";
export {
  type CheckReport,
  escapeControlCharacters,
  jsonText,
  renderReport,
  type ReportFormat,
} from "./report/index.ts";
export { builtinRules } from "./rules/index.ts";
export { examples } from "./rules/instance-types.ts";
export { nodeClassRefOf } from "./rules/references.ts";
export { budgetWindowDescription } from "./schedule-text/budget-window-text.ts";
export {
  NODE_CLASS_IN_USE,
  NODEPOOL_DELETED,
  standingCheck,
  standingChecks,
  type StandingCheck,
} from "./standing-checks.ts";
export { budgetProblemMessage } from "./schedule-text/budget-problem-text.ts";
export { runToEnd, type Stepwise } from "./stepwise.ts";
export {
  type LoadedPolicyTest,
  loadPolicyTests,
  POLICY_TEST_FILE_NAMES,
  type RuleResult,
} from "./policy-test/policy-test-document.ts";
export { checkExpectations, type ResultCheck } from "./policy-test/rule-results.ts";
export {
  type PolicyTestOutcome,
  renderPolicyTestJunit,
  renderPolicyTestText,
  testStatus,
} from "./policy-test/test-report.ts";
