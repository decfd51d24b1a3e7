// What `poolkeeper test` compares: the result of each rule on each object (pass, deny, warn, audit, skip; see
// RuleResult), from the findings and the rules that ran, against what a PoolPolicyTest expects.
import { closestName, type SourcePosition } from "../../api/index.ts";
import type { RulesRun } from "../engine.ts";
import type { Finding, Severity } from "../finding.ts";
import type { PolicyError } from "../load-policies.ts";
import type { LoadedPolicyTest, RuleResult } from "./policy-test-document.ts";

/** One expectation of a test against what happened. */
export interface ResultCheck {
  rule: string;
  kind: string;
  name: string;
  expected: RuleResult;
  actual: RuleResult;
  /** Where the expectation is written (the object's name in `results[i].objects`). */
  source: SourcePosition;
  /** The rule's findings on the object: why the result is what it is. */
  findings: readonly Finding[];
}

const RANK: Readonly<Record<Severity, number>> = { deny: 3, warn: 2, audit: 1 };

/** The result of `rule` on one object: its most severe finding, else pass when it ran, else skip. */
export function ruleResult(rule: string, findings: readonly Finding[], ran: ReadonlySet<string>): RuleResult {
  let worst: Severity | undefined;
  for (const f of findings)
    if (f.rule === rule && (worst === undefined || RANK[f.severity] > RANK[worst])) worst = f.severity;
  return worst ?? (ran.has(rule) ? "pass" : "skip");
}

/**
 * Compares each expectation of a test with the findings and the rules run over its manifests. An expectation
 * that names a rule no policy defines, or an object the manifests do not hold, is an error (with the closest
 * id or name), as is one listed twice: a test that cannot fail is worse than none.
 */
export function checkExpectations(
  loaded: LoadedPolicyTest,
  findings: readonly Finding[],
  run: readonly RulesRun[],
  knownRules: readonly string[],
): { checks: ResultCheck[]; errors: PolicyError[] } {
  const key = (kind: string, name: string) => `${kind}/${name}`;
  const byObject = new Map<string, { findings: Finding[]; ran: Set<string> }>();
  for (const r of run) byObject.set(key(r.object.kind, r.object.name), { findings: [], ran: new Set(r.rules) });
  for (const f of findings) byObject.get(key(f.object.kind, f.object.name))?.findings.push(f);
  const known = new Set(knownRules);
  const checks: ResultCheck[] = [];
  const errors: PolicyError[] = [];
  const listed = new Set<string>();
  loaded.test.spec.results.forEach((expected, i) => {
    if (!known.has(expected.rule)) {
      const suggestion = closestName(expected.rule, knownRules);
      errors.push({
        source: loaded.position(["spec", "results", i, "rule"]),
        message: `unknown rule "${expected.rule}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
      });
      return;
    }
    expected.objects.forEach((name, j) => {
      const source = loaded.position(["spec", "results", i, "objects", j]);
      const object = byObject.get(key(expected.kind, name));
      if (!object) {
        const names = run.filter((r) => r.object.kind === expected.kind).map((r) => r.object.name);
        const suggestion = closestName(name, names);
        errors.push({
          source,
          message: `no ${expected.kind} named "${name}" in the test's manifests${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
        });
        return;
      }
      const id = `${expected.rule}\0${key(expected.kind, name)}`;
      if (listed.has(id)) {
        errors.push({ source, message: `${expected.rule} on ${key(expected.kind, name)} is expected more than once` });
        return;
      }
      listed.add(id);
      checks.push({
        rule: expected.rule,
        kind: expected.kind,
        name,
        expected: expected.result,
        actual: ruleResult(expected.rule, object.findings, object.ran),
        source,
        findings: object.findings.filter((f) => f.rule === expected.rule),
      });
    });
  });
  return { checks, errors };
}
