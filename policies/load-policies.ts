// Reads PoolPolicy files: YAML with source positions, the document schema (ajv), known rule ids, each rule's
// parameter schema, exemption dates and custom CEL rules that compile. Every problem is reported with
// file:line:col; a bad policy never crashes the engine and never silently applies half of itself.
import type { ErrorObject, ValidateFunction } from "ajv";
import { compileCel, loadYaml, type FieldPath, type SourcePosition } from "../api/index.ts";
import { closestName } from "../api/index.ts";
import { isRecord } from "../api/index.ts";
import { poolPolicySchema, POLICY_API_VERSION, POLICY_KIND, type PoolPolicy } from "./policy-document.ts";
import type { AnyRule } from "./rule.ts";
import { ruleMatches } from "./rule-pattern.ts";
import { standingCheck } from "./standing-checks.ts";
import { describeAjvError, documentAjv } from "../api/index.ts";

export interface PolicyError {
  source: SourcePosition;
  message: string;
}

export interface LoadedPolicy {
  policy: PoolPolicy;
  file: string;
  source: SourcePosition;
}

export interface PolicyLoadResult {
  policies: LoadedPolicy[];
  errors: PolicyError[];
}

// Compiled on first use: a `check` without a policy file reads none, and compiling at import took a tenth of its
// start-up.
let documentValidator: ValidateFunction | undefined;
const schemaErrors = (value: unknown): ErrorObject[] => {
  documentValidator ??= documentAjv().compile(poolPolicySchema);
  return documentValidator(value) ? [] : (documentValidator.errors ?? []);
};
const paramValidators = new WeakMap<AnyRule, ValidateFunction>();

function paramValidator(rule: AnyRule): ValidateFunction | undefined {
  if (!rule.params) return undefined;
  let validate = paramValidators.get(rule);
  if (!validate) {
    validate = documentAjv().compile({ type: "object", additionalProperties: false, ...rule.params.schema });
    paramValidators.set(rule, validate);
  }
  return validate;
}

export function loadPolicies(input: string | Uint8Array, file: string, rules: readonly AnyRule[]): PolicyLoadResult {
  const { documents, errors: yamlErrors } = loadYaml(input, file);
  const result: PolicyLoadResult = {
    policies: [],
    errors: yamlErrors.map((e) => ({ source: e.source, message: `policy file: ${e.message}` })),
  };
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const doc of documents) {
    const errors: PolicyError[] = [];
    const at = (path: FieldPath, message: string) => errors.push({ source: doc.position(path), message });
    const value = doc.value;
    if (!isRecord(value) || value.apiVersion !== POLICY_API_VERSION || value.kind !== POLICY_KIND) {
      const found = isRecord(value) ? `${String(value.kind)} (${String(value.apiVersion)})` : "not an object";
      at([], `expected a ${POLICY_KIND} (${POLICY_API_VERSION}), found ${found}`);
      result.errors.push(...errors);
      continue;
    }
    const unknownRule = (id: string) => {
      if (standingCheck(id)) {
        at(["spec", "rules", id], `"${id}" is not a policy rule: it is always enforced, and a policy cannot change it`);
        return;
      }
      const suggestion = closestName(id, [...byId.keys()]);
      at(["spec", "rules", id], `unknown rule "${id}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`);
    };
    for (const e of schemaErrors(value)) at(...describeAjvError(e, value));
    // The checks below read the parts the schema let through, each guarded, so one run lists every mistake in the
    // file, not the first kind: a misspelt field does not hide a custom rule that does not compile.
    const spec = isRecord(value.spec) ? value.spec : {};
    const customRules = Array.isArray(spec.customRules) ? spec.customRules.filter(isRecord) : [];
    const customIds = new Set(customRules.flatMap((r) => (typeof r.id === "string" ? [`custom.${r.id}`] : [])));
    for (const [id, setting] of Object.entries(isRecord(spec.rules) ? spec.rules : {})) {
      const rule = byId.get(id);
      if (!rule) {
        unknownRule(id);
        continue;
      }
      if (!isRecord(setting) || !isRecord(setting.params)) continue;
      const validate = paramValidator(rule);
      if (!validate) {
        at(["spec", "rules", id, "params"], `rule "${id}" takes no parameters`);
      } else if (!validate(setting.params)) {
        for (const e of validate.errors ?? []) {
          const [path, message] = describeAjvError(e, setting.params);
          at(["spec", "rules", id, "params", ...path], message);
        }
      }
    }
    (Array.isArray(spec.exemptions) ? spec.exemptions : []).forEach((exemption: unknown, i) => {
      if (!isRecord(exemption)) return;
      const rule = exemption.rule;
      const known = typeof rule !== "string" || [...byId.keys(), ...customIds].some((id) => ruleMatches(rule, id));
      if (!known) at(["spec", "exemptions", i, "rule"], `exemption names no known rule: "${String(exemption.rule)}"`);
      const expires = exemption.expires;
      if (
        typeof expires === "string" &&
        /^\d{4}-\d{2}-\d{2}$/.test(expires) &&
        Number.isNaN(Date.parse(`${expires}T00:00:00Z`))
      ) {
        at(["spec", "exemptions", i, "expires"], `"${expires}" is not a date (YYYY-MM-DD)`);
      }
    });
    (Array.isArray(spec.customRules) ? spec.customRules : []).forEach((custom: unknown, i) => {
      if (!isRecord(custom) || typeof custom.expression !== "string" || custom.expression === "") return;
      try {
        compileCel(custom.expression);
      } catch (error) {
        const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
        at(["spec", "customRules", i, "expression"], `custom rule "${String(custom.id)}" does not compile: ${reason}`);
      }
    });
    errors.sort((a, b) => a.source.line - b.source.line || a.source.col - b.source.col);
    const policy = value as unknown as PoolPolicy;
    if (errors.length > 0) result.errors.push(...errors);
    else result.policies.push({ policy, file, source: doc.start });
  }
  return result;
}
