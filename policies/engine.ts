// The policy engine: one pure, synchronous function behind the CLI, the webhook and the Git gate. It never
// throws on bad input: rules read invalid objects defensively or not at all (RuleDefinition.view), and a rule that
// fails anyway — a bug, which the fuzz test looks for — becomes a finding, not a crash. `evaluateStepwise` is the
// same work paused after each object, for a caller that judges a whole repository while it serves (stepwise.ts).
import { isCelError } from "@bufbuild/cel";
import { toCelValue, toJsonPointer } from "../api/index.ts";
import { defaultCatalog, type InstanceTypeCatalog } from "../cloudprovider/index.ts";
import type { CompiledPolicy, ResolvedPolicy } from "./compiled-policy.ts";
import { compareFindings, type Finding, type ObjectRef, type Severity } from "./finding.ts";
import { findingsKey, type FindingsCache } from "./findings-cache.ts";
import { foldInjectedValues } from "./injected-values.ts";
import { memoizedCatalog } from "./memoized-catalog.ts";
import { selects } from "./object-selector.ts";
import { prepareTarget, type PolicyObject } from "./prepare-target.ts";
import { ruleMatches } from "./rule-pattern.ts";
import type { AnyRule, RuleContext, RuleKind, Violation } from "./rule.ts";
import { EXEMPTION_EXPIRED, RULE_ERROR } from "./standing-checks.ts";
import { runToEnd, type Stepwise } from "./stepwise.ts";
import { typedTarget, type PolicyTarget, type PreparedTarget, type Scope } from "./target.ts";

export interface EvaluationContext {
  /** The instance-type catalog (the bundled one by default). */
  catalog?: InstanceTypeCatalog;
  /**
   * Objects that complete the scope without being judged: the cluster's NodePools and EC2NodeClasses in the
   * webhook. When given, references are judged against them as a complete view.
   */
  cluster?: { nodePools: readonly unknown[]; nodeClasses: readonly unknown[] };
  /** The time of the judgement (exemption expiry); passed in so evaluation stays pure. */
  now: Date;
  /**
   * Findings of an earlier evaluation over mostly the same objects (the Git gate's previous commit): an object is
   * judged again only when it, or what its findings depended on, changed (findings-cache.ts).
   */
  cache?: FindingsCache;
}

export function evaluate(
  objects: readonly PolicyObject[],
  policy: CompiledPolicy,
  context: EvaluationContext,
): Finding[] {
  return runToEnd(evaluateStepwise(objects, policy, context));
}

/** Which rules judged one object: enabled for it, of its kind, and given the view they read. */
export interface RulesRun {
  object: ObjectRef;
  /** Rule ids, custom rules as `custom.<id>`. */
  rules: readonly string[];
}

/**
 * `evaluate`, also saying which rules judged each object, so a rule without a finding on an object can be told
 * apart as passed (it ran) or skipped (off for the object, not of its kind, or a typed rule on an invalid object):
 * what `poolkeeper test` compares, as Kyverno's policy reports tell pass from skip.
 */
export function evaluateRulesRun(
  objects: readonly PolicyObject[],
  policy: CompiledPolicy,
  context: EvaluationContext,
): { findings: Finding[]; run: RulesRun[] } {
  const run: RulesRun[] = [];
  const findings = runToEnd(evaluateStepwise(objects, policy, context, run));
  return { findings, run };
}

/** `evaluate`, pausing after each object is prepared and after each is judged. */
export function* evaluateStepwise(
  objects: readonly PolicyObject[],
  policy: CompiledPolicy,
  context: EvaluationContext,
  run?: RulesRun[],
): Stepwise<Finding[]> {
  const targets: PreparedTarget[] = [];
  for (const object of objects) {
    const target = prepareTarget(object);
    if (target !== undefined) targets.push(target);
    yield;
  }
  const scope = buildScope(targets, context.cluster);
  const catalog = memoizedCatalog(context.catalog ?? defaultCatalog());
  const findings: Finding[] = [];
  // The rules of each resolved policy for each kind, with their contexts: built once per evaluation rather than
  // filtered and allocated again for every rule of every object.
  const plans = new Map<
    ResolvedPolicy,
    Map<string, { rule: AnyRule; severity: Severity; context: RuleContext<unknown> }[]>
  >();
  const rulesFor = (resolved: ResolvedPolicy, kind: string) => {
    let byKind = plans.get(resolved);
    if (!byKind) {
      byKind = new Map();
      plans.set(resolved, byKind);
    }
    let plan = byKind.get(kind);
    if (!plan) {
      plan = resolved.rules
        .filter(({ rule }) => rule.kinds.includes(kind as RuleKind))
        .map(({ rule, severity, params }) => ({
          rule,
          severity,
          context: { params, catalog, scope, now: context.now },
        }));
      byKind.set(kind, plan);
    }
    return plan;
  };
  for (const target of targets) {
    const resolved = policy.resolve(target);
    const key = context.cache && findingsKey(target, resolved, scope, catalog, context.now);
    const known = key === undefined ? undefined : context.cache?.get(target, key);
    if (known) {
      run?.push({ object: target.ref, rules: known.ran });
      findings.push(...known.findings);
      yield;
      continue;
    }
    const raw: Finding[] = [];
    // Which rules ran is kept only for a caller that asks or a cache that stores it: a list per object otherwise.
    const ran: string[] | undefined = run !== undefined || key !== undefined ? [] : undefined;
    for (const { rule, severity, context: ruleContext } of rulesFor(resolved, target.kind)) {
      // No typed view: the object failed validation, which the schema rules report.
      const judged = rule.view === "typed" ? typedTarget(target) : target;
      if (judged === undefined) continue;
      ran?.push(rule.id);
      let violations: Violation[];
      try {
        violations = checkRule(rule, judged, ruleContext);
      } catch (error) {
        raw.push(ruleFailure(target, rule.id, error));
        continue;
      }
      for (const v of violations) raw.push(toFinding(target, rule.id, severity, v));
    }
    if (resolved.custom.length > 0) {
      raw.push(...customFindings(target, resolved));
      for (const custom of resolved.custom) {
        if (!custom.kinds || custom.kinds.includes(target.kind as RuleKind)) ran?.push(custom.id);
      }
    }
    if (ran !== undefined) run?.push({ object: target.ref, rules: ran });
    const folded = foldInjectedValues(raw, target);
    const judged = resolved.exemptions.length === 0 ? folded : applyExemptions(folded, target, resolved, context.now);
    if (key !== undefined && ran !== undefined) context.cache?.set(target, key, judged, ran);
    findings.push(...judged);
    yield;
  }
  return findings.sort(compareFindings);
}

// Answers of checks that read only the object, their params and the catalog (see RuleDefinition.reads), per
// prepared target: a target is immutable, and re-judging an unchanged object asks the same questions again. A rule
// that declares its fields keeps its answers by their values itself (memoized-rule.ts), across targets.
const answers = new WeakMap<PolicyTarget, Map<string, { params: string; catalog: object; violations: Violation[] }>>();
const paramKeys = new WeakMap<object, string>();

// `target` is the view the rule reads: the caller chose it by `rule.view`.
function checkRule(rule: AnyRule, target: PolicyTarget, context: RuleContext<unknown>): Violation[] {
  if ((rule.reads !== undefined && rule.reads.length > 0) || rule.fields !== undefined) {
    return rule.check(target as never, context as never);
  }
  const params = paramsKey(context.params);
  let byRule = answers.get(target);
  const hit = byRule?.get(rule.id);
  if (hit && hit.params === params && hit.catalog === context.catalog) return hit.violations;
  const violations = rule.check(target as never, context as never);
  if (!byRule) {
    byRule = new Map();
    answers.set(target, byRule);
  }
  byRule.set(rule.id, { params, catalog: context.catalog, violations });
  return violations;
}

function paramsKey(params: unknown): string {
  if (typeof params !== "object" || params === null) return JSON.stringify(params) ?? "";
  let key = paramKeys.get(params);
  if (key === undefined) {
    key = JSON.stringify(params);
    paramKeys.set(params, key);
  }
  return key;
}

function toFinding(target: PolicyTarget, rule: string, severity: Severity, v: Violation): Finding {
  const source = target.position(v.path);
  return {
    rule,
    severity,
    object: target.ref,
    pointer: toJsonPointer(v.path),
    ...(source ? { source } : {}),
    message: v.message,
    ...(v.hint ? { hint: v.hint } : {}),
    ...(v.patch && v.patch.length > 0 ? { patch: v.patch } : {}),
  };
}

function ruleFailure(target: PolicyTarget, rule: string, error: unknown): Finding {
  const reason = error instanceof Error ? error.message : String(error);
  return toFinding(target, RULE_ERROR, "warn", {
    path: [],
    message: `rule ${rule} could not judge this object (${reason}): a bug in poolkeeper, not in the object; its other findings stand`,
  });
}

function customFindings(target: PolicyTarget, resolved: ResolvedPolicy): Finding[] {
  const out: Finding[] = [];
  for (const custom of resolved.custom) {
    if (custom.kinds && !custom.kinds.includes(target.kind as RuleKind)) continue;
    const result = custom.program({
      object: toCelValue(target.object),
      oldObject: target.previous === undefined ? null : toCelValue(target.previous),
      params: toCelValue(custom.params),
    });
    if (result === true) continue;
    if (isCelError(result) || typeof result !== "boolean") {
      const why = isCelError(result) ? result.message : `it returned ${String(result)}, not a boolean`;
      out.push(
        toFinding(target, custom.id, "warn", {
          path: custom.path,
          message: `custom rule could not be evaluated: ${why}`,
        }),
      );
      continue;
    }
    out.push(
      toFinding(target, custom.id, custom.severity, { path: custom.path, message: custom.message, hint: custom.hint }),
    );
  }
  return out;
}

// An exemption in force turns its findings into audit records; an expired one stops applying and says so.
function applyExemptions(findings: Finding[], target: PolicyTarget, resolved: ResolvedPolicy, now: Date): Finding[] {
  const out: Finding[] = [];
  const expiredReported = new Set<number>();
  for (const finding of findings) {
    let exempted = false;
    resolved.exemptions.forEach((exemption, index) => {
      if (exempted || !ruleMatches(exemption.rule, finding.rule) || !selects(exemption.objects, target)) return;
      const expiry = exemption.expires ? Date.parse(`${exemption.expires}T23:59:59.999Z`) : Infinity;
      if (now.getTime() <= expiry) {
        exempted = true;
        out.push({ ...finding, severity: "audit", exemptedBy: `${exemption.policy}: ${exemption.reason}` });
      } else if (!expiredReported.has(index)) {
        expiredReported.add(index);
        out.push(
          toFinding(target, EXEMPTION_EXPIRED, "warn", {
            path: [],
            message: `the exemption from ${exemption.rule} in policy ${exemption.policy} ("${exemption.reason}") expired on ${exemption.expires}; its findings apply again`,
            hint: "fix the findings, or renew the exemption with a new expiry date if the reason still holds",
          }),
        );
      }
    });
    if (!exempted) out.push(finding);
  }
  return out;
}

function buildScope(targets: readonly PreparedTarget[], cluster: EvaluationContext["cluster"]): Scope {
  const extra = cluster
    ? [...cluster.nodePools, ...cluster.nodeClasses]
        .map((object) => prepareTarget({ object }))
        .filter((t): t is PreparedTarget => t !== undefined)
    : [];
  // The judged objects win over the cluster's copies of the same objects.
  const judged = new Set(targets.map((t) => `${t.kind}/${t.name}`));
  const all = [...targets, ...extra.filter((t) => !judged.has(`${t.kind}/${t.name}`))];
  const nodePools = all.filter((t) => t.kind === "NodePool");
  const nodeClasses = all.filter((t) => t.kind === "EC2NodeClass");
  const kinds = new Set(all.map((t) => t.kind));
  return {
    nodePools,
    nodeClasses,
    covers: (kind) => cluster !== undefined || kinds.has(kind),
  };
}
