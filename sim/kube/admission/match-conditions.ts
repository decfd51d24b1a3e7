// A webhook's matchConditions: CEL expressions over `object`, `oldObject` and `request`, all of which must be true
// for the webhook to be called (k8s.io/apiserver pkg/admission/plugin/webhook/matchconditions). A false one skips
// the webhook; otherwise an error (a condition that does not compile, fails or is not a bool) is the dispatcher's
// to handle under the failure policy. Compiled once per expression with api/'s Kubernetes CEL environment.
import { isCelError } from "@bufbuild/cel";
import { compileCel, toCelValue, type CelProgram } from "../../../api/index.ts";
import type { MatchCondition } from "./webhook-configuration.ts";

const compiled = new Map<string, CelProgram | Error>();
const MAX_CACHED = 1000;

export type MatchResult = { matches: boolean } | { error: string };

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
  let error: string | undefined;
  for (const condition of conditions) {
    const program = programOf(condition.expression);
    if (program instanceof Error) {
      error ??= `compilation failed for match condition ${JSON.stringify(condition.name)}: ${program.message}`;
      continue;
    }
    const result = program(activation);
    if (result === false) return { matches: false };
    if (result === true) continue;
    error ??= isCelError(result)
      ? `failed to evaluate match condition ${JSON.stringify(condition.name)}: ${result.message}`
      : `match condition ${JSON.stringify(condition.name)} did not evaluate to a bool`;
  }
  return error === undefined ? { matches: true } : { error };
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
