// The CRDs' own `x-kubernetes-validations`, compiled once and run the way the API server runs them: each rule
// where it is attached, only where its field is present, with `self` bound to that value and `oldSelf` to the
// correlated old value (transition rules are skipped when there is no old value).
import { isCelError } from "@bufbuild/cel";
import type { OpenApiSchema, ValidationRule } from "../crd-schema.ts";
import { isRecord } from "../plain-object.ts";
import { compileCel, referencesVariable, toCelValue, type CelProgram } from "./cel-env.ts";
import { fieldDependencies } from "./cel-dependencies.ts";
import type { FieldError, FieldPath } from "./field-error.ts";

export interface CompiledRule {
  /** Schema path where the rule is attached (`*` for any map key, `[]` for any list item). */
  schemaPath: string;
  rule: string;
  message: string;
  transition: boolean;
  program: CelProgram;
}

interface RuleNode {
  rules: CompiledRule[];
  properties: Map<string, RuleNode>;
  additionalProperties?: RuleNode;
  items?: RuleNode;
  /** For `x-kubernetes-list-type: map` lists: the keys that correlate old and new items. */
  listMapKeys?: string[];
  type: OpenApiSchema["type"];
  intOrString: boolean;
  schema: OpenApiSchema;
  /**
   * Results of this node's rules by the value's JSON: the rules are pure functions of `self` (and `oldSelf`), and
   * the same small values recur across objects (label keys, requirement lists, selector terms). Bounded.
   */
  memo: Map<string, readonly (string | undefined)[]>;
  /**
   * The only fields of `self`/`oldSelf` the node's rules read, or undefined when a rule reads the whole value (or
   * the value is not an object). Found on first use, since it parses the rules.
   */
  fields: () => readonly string[] | undefined;
}

const MEMO_LIMIT = 4096;

export interface CelRuleSet {
  /** Every rule in the schema, in schema order. */
  readonly rules: readonly CompiledRule[];
  /** Runs the rules against `object` (already defaulted); `oldObject` enables transition rules. */
  evaluate(object: unknown, oldObject?: unknown): FieldError[];
}

/** Compiles every rule of a schema; a rule that does not compile throws (a CRD we cannot enforce is a bug). */
export function compileCelRules(schema: OpenApiSchema): CelRuleSet {
  const rules: CompiledRule[] = [];
  const root = buildNode(schema, "", rules);
  return {
    rules,
    evaluate(object, oldObject) {
      const errors: FieldError[] = [];
      if (root) evaluateNode(root, object, oldObject, [], errors);
      return errors;
    },
  };
}

function buildNode(schema: OpenApiSchema, schemaPath: string, all: CompiledRule[]): RuleNode | undefined {
  const rules = (schema["x-kubernetes-validations"] ?? []).map((r) => compileRule(r, schemaPath));
  all.push(...rules);
  const properties = new Map<string, RuleNode>();
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const node = buildNode(child, schemaPath ? `${schemaPath}.${name}` : name, all);
    if (node) properties.set(name, node);
  }
  const additionalProperties =
    typeof schema.additionalProperties === "object"
      ? buildNode(schema.additionalProperties, `${schemaPath}.*`, all)
      : undefined;
  const items = schema.items ? buildNode(schema.items, `${schemaPath}[]`, all) : undefined;
  if (rules.length === 0 && properties.size === 0 && !additionalProperties && !items) return undefined;
  const listMapKeys = schema["x-kubernetes-list-type"] === "map" ? schema["x-kubernetes-list-map-keys"] : undefined;
  const intOrString = schema["x-kubernetes-int-or-string"] === true;
  let fields: readonly string[] | undefined | null = schema.type === "object" ? null : undefined;
  return {
    rules,
    properties,
    additionalProperties,
    items,
    listMapKeys,
    type: schema.type,
    intOrString,
    schema,
    memo: new Map(),
    fields: () => (fields === null ? (fields = readFields(rules)) : fields),
  };
}

// Compiled on first use: a command judging a few objects meets few of the CRDs' rules, and parsing and planning
// all of them took a fifth of `check`'s start-up. The CRDs are ours, so a rule that does not compile is a bug the
// CRD tests find (they evaluate every rule), not bad input.
function compileRule(rule: ValidationRule, schemaPath: string): CompiledRule {
  let program: CelProgram | undefined;
  return {
    schemaPath,
    rule: rule.rule,
    message: rule.message ?? `failed rule: ${rule.rule}`,
    transition: referencesVariable(rule.rule, "oldSelf") && !rule.optionalOldSelf,
    program: (bindings) => {
      if (program === undefined) {
        try {
          program = compileCel(rule.rule);
        } catch (error) {
          throw new Error(`CEL rule at ${schemaPath || "<root>"} does not compile: ${rule.rule}: ${String(error)}`, {
            cause: error,
          });
        }
      }
      return program(bindings);
    },
  };
}

// Walks the plain (JSON) object; a node's value is converted to CEL values only where rules run on it.
function evaluateNode(node: RuleNode, value: unknown, oldValue: unknown, path: FieldPath, errors: FieldError[]): void {
  // A value of the wrong type already has a schema error; its rules would only add noise (or fail to run).
  if (!hasSchemaType(value, node)) return;
  if (node.rules.length > 0) {
    const failures = ruleFailures(node, value, oldValue);
    failures.forEach((message, i) => {
      const rule = node.rules[i];
      if (message !== undefined && rule)
        errors.push({ path, type: "Invalid value", origin: "cel", message, rule: rule.rule });
    });
  }
  if (isRecord(value)) {
    const old = isRecord(oldValue) ? oldValue : undefined;
    for (const [name, child] of node.properties) {
      if (value[name] !== undefined) evaluateNode(child, value[name], old?.[name], [...path, name], errors);
    }
    if (node.additionalProperties) {
      for (const [key, child] of Object.entries(value)) {
        if (node.properties.has(key)) continue;
        evaluateNode(node.additionalProperties, child, old?.[key], [...path, key], errors);
      }
    }
  } else if (Array.isArray(value) && node.items) {
    const items = node.items;
    value.forEach((item, index) => {
      const oldItem =
        node.listMapKeys && Array.isArray(oldValue) ? correlate(item, oldValue, node.listMapKeys) : undefined;
      evaluateNode(items, item, oldItem, [...path, index], errors);
    });
  }
}

function readFields(rules: readonly CompiledRule[]): string[] | undefined {
  const fields = new Set<string>();
  for (const rule of rules) {
    for (const variable of ["self", "oldSelf"]) {
      const read = fieldDependencies(rule.rule, variable);
      if (!read) return undefined;
      read.forEach((f) => fields.add(f));
    }
  }
  return [...fields];
}

// The part of an object the node's rules read (the whole value when they read it whole).
function project(value: unknown, fields: readonly string[] | undefined): unknown {
  if (!fields || !isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const field of fields) if (value[field] !== undefined) out[field] = value[field];
  return out;
}

/** Per rule of the node: undefined when it passes, else the error message. */
function ruleFailures(node: RuleNode, fullValue: unknown, fullOld: unknown): readonly (string | undefined)[] {
  const fields = node.fields();
  const value = project(fullValue, fields);
  const oldValue = project(fullOld, fields);
  const key =
    oldValue === undefined ? JSON.stringify(value) : `${JSON.stringify(value)}\u0000${JSON.stringify(oldValue)}`;
  const known = node.memo.get(key);
  if (known) return known;
  const self = toCelValue(value, node.schema);
  const oldSelf = oldValue === undefined ? undefined : toCelValue(oldValue, node.schema);
  const results = node.rules.map((rule) => {
    if (rule.transition && oldSelf === undefined) return undefined;
    const bindings: Record<string, unknown> = { self };
    if (oldSelf !== undefined) bindings.oldSelf = oldSelf;
    const result = rule.program(bindings);
    if (result === true) return undefined;
    // The API server's wording for a rule that errors at run time: "<error> evaluating rule: <message>".
    return isCelError(result)
      ? `Invalid value: ${result.message} evaluating rule: ${rule.message}`
      : `Invalid value: ${rule.message}`;
  });
  if (node.memo.size >= MEMO_LIMIT) node.memo.clear();
  node.memo.set(key, results);
  return results;
}

function hasSchemaType(value: unknown, node: RuleNode): boolean {
  if (node.intOrString) return (typeof value === "number" && Number.isInteger(value)) || typeof value === "string";
  switch (node.type) {
    case "object":
      return isRecord(value);
    case "array":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    default:
      return true;
  }
}

function correlate(item: unknown, oldList: unknown[], keys: string[]): unknown {
  if (!isRecord(item)) return undefined;
  return oldList.find((old) => isRecord(old) && keys.every((k) => old[k] === item[k]));
}
