// A webhook's matchConditions: CEL expressions over `object`, `oldObject` and `request`, all of which must be true
// for the webhook to be called (k8s.io/apiserver pkg/admission/plugin/webhook/matchconditions). A false one skips
// the webhook; otherwise the errors (a condition that does not compile, fails or is not a bool) are the
// dispatcher's to handle under the failure policy. Compiled once per expression with api/'s Kubernetes CEL environment.
import { isCelError } from "@bufbuild/cel";
import { compileCel, toCelValue, type CelProgram } from "../../../api/index.ts";
import type { MatchCondition } from "./webhook-configuration.ts";

const compiled = new Map<string, CelProgram | Error>();
const MAX_CACHED = 1000;

export type MatchResult = { matches: boolean } | { errors: string[] };

/** matcher.Match: any false condition skips the webhook; otherwise every error is reported. */
export function evaluateMatchConditions(
  conditions: readonly MatchCondition[],
  bindings: { object: unknown; oldObject: unknown; request: unknown },
): MatchResult {
  if (conditions.length === 0) return { matches: true };
  const activation = {
    object: toCelValue(bindings.object ?? null),
    oldObject: toCelValue(bindings.oldObject ?? null),
    request: toCelValue(bindings.request),
  };
  const errors: string[] = [];
  for (const condition of conditions) {
    const program = programOf(condition.expression);
    if (program instanceof Error) {
      errors.push(`compilation failed for expression '${condition.expression}': ${program.message}`);
      continue;
    }
    const result = program(activation);
    if (result === false) return { matches: false };
    if (result === true) continue;
    // The CEL filter's wording (k8s.io/apiserver pkg/admission/plugin/cel).
    errors.push(
      isCelError(result)
        ? `expression '${condition.expression}' resulted in error: ${result.message}`
        : `expression '${condition.expression}' did not evaluate to a bool`,
    );
  }
  return errors.length === 0 ? { matches: true } : { errors };
}

function programOf(expression: string): CelProgram | Error {
  let program = compiled.get(expression);
  if (program === undefined) {
    try {
      program = compileCel(expression);
    } catch (error) {
      program = error instanceof Error ? error : new Error(String(error));
    }
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(expression, program);
  }
  return program;
}
