// Policies resolved for evaluation: per object, which built-in rules run at which severity with which
// parameters, which custom CEL rules run, and which exemptions apply. The base is a preset (baseline by
// default); each policy whose `match` selects the object then refines it, in file order.
import { compileCel, type CelProgram, type FieldPath } from "../api/index.ts";
import { pathFromPointer } from "../api/index.ts";
import type { Enforcement, Severity } from "./finding.ts";
import type { LoadedPolicy } from "./load-policies.ts";
import { selects, type SelectableObject } from "./object-selector.ts";
import type { Exemption, PresetName } from "./policy-document.ts";
import type { AnyRule, RuleKind } from "./rule.ts";

export interface ResolvedRule {
  rule: AnyRule;
  severity: Severity;
  params: unknown;
}

export interface CompiledCustomRule {
  id: string;
  kinds?: readonly RuleKind[];
  expression: string;
  program: CelProgram;
  message: string;
  hint?: string;
  severity: Severity;
  path: FieldPath;
  params: Record<string, unknown>;
}

export interface ResolvedPolicy {
  rules: readonly ResolvedRule[];
  custom: readonly CompiledCustomRule[];
  exemptions: readonly (Exemption & { policy: string })[];
}

export interface CompiledPolicy {
  preset: PresetName;
  /** Every built-in rule the policy knows (for reports and docs). */
  catalogue: readonly AnyRule[];
  resolve(object: SelectableObject): ResolvedPolicy;
}

export interface CompileOptions {
  rules: readonly AnyRule[];
  /** The base preset when no policy sets one (the CLI's --preset). */
  preset?: PresetName;
}

/** Compiles validated policies (see loadPolicies); with none, the preset alone. */
export function compilePolicy(policies: readonly LoadedPolicy[], options: CompileOptions): CompiledPolicy {
  const base = options.preset ?? "baseline";
  const customByPolicy = policies.map((loaded) =>
    (loaded.policy.spec.customRules ?? [])
      .filter((custom) => custom.enforcement !== "off")
      .map((custom): CompiledCustomRule => ({
        id: `custom.${custom.id}`,
        kinds: custom.kinds,
        expression: custom.expression,
        program: compileCel(custom.expression),
        message: custom.message,
        hint: custom.hint,
        severity: (custom.enforcement ?? "deny") as Severity,
        path: custom.path ? pathFromPointer(custom.path, undefined).map(String) : [],
        params: loaded.policy.spec.params ?? {},
      })),
  );
  const cache = new Map<string, ResolvedPolicy>();
  return {
    preset: base,
    catalogue: options.rules,
    resolve(object) {
      const matching = policies.flatMap((loaded, i) => (selects(loaded.policy.spec.match, object) ? [i] : []));
      const key = matching.join(",");
      let resolved = cache.get(key);
      if (!resolved) {
        resolved = resolveFor(matching, policies, customByPolicy, options.rules, base);
        cache.set(key, resolved);
      }
      return resolved;
    },
  };
}

function resolveFor(
  matching: readonly number[],
  policies: readonly LoadedPolicy[],
  customByPolicy: readonly CompiledCustomRule[][],
  rules: readonly AnyRule[],
  base: PresetName,
): ResolvedPolicy {
  let preset = base;
  for (const i of matching) preset = policies[i]?.policy.spec.preset ?? preset;
  const settings = new Map<string, { enforcement: Enforcement; params: Record<string, unknown> }>();
  for (const rule of rules) {
    settings.set(rule.id, { enforcement: rule.enforcement[preset], params: { ...(rule.params?.defaults ?? {}) } });
  }
  const custom: CompiledCustomRule[] = [];
  const exemptions: (Exemption & { policy: string })[] = [];
  for (const i of matching) {
    const policy = policies[i]?.policy;
    if (!policy) continue;
    for (const [id, setting] of Object.entries(policy.spec.rules ?? {})) {
      const current = settings.get(id);
      if (!current) continue;
      if (setting.enforcement) current.enforcement = setting.enforcement;
      if (setting.params) current.params = { ...current.params, ...setting.params };
    }
    custom.push(...(customByPolicy[i] ?? []));
    exemptions.push(...(policy.spec.exemptions ?? []).map((e) => ({ ...e, policy: policy.metadata.name })));
  }
  const resolvedRules: ResolvedRule[] = [];
  for (const rule of rules) {
    const setting = settings.get(rule.id);
    const severity = setting && severityOf(setting.enforcement);
    if (setting && severity) resolvedRules.push({ rule, severity, params: setting.params });
  }
  return { rules: resolvedRules, custom, exemptions };
}

function severityOf(enforcement: Enforcement): Severity | undefined {
  return enforcement === "off" ? undefined : enforcement;
}
