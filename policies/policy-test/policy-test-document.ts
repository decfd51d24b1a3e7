// The PoolPolicyTest document (`poolkeeper-test.yaml`): manifests, the policies to judge them with, and the result
// expected per rule and object. The shape follows `kyverno test`'s kyverno-test.yaml (policies, resources, results
// of `rule` × `kind` × resource names) and gator's suites (paths relative to the file, never absolute), in the
// Kubernetes document form of a PoolPolicy. Validated with ajv; every problem is reported with file:line:col.
import type { ErrorObject, ValidateFunction } from "ajv";
import {
  describeAjvError,
  documentAjv,
  isRecord,
  loadYaml,
  type FieldPath,
  type SourcePosition,
} from "../../api/index.ts";
import type { PolicyError } from "../load-policies.ts";
import { documentSchema, POLICY_API_VERSION, PRESETS, type PresetName } from "../policy-document.ts";
import type { RuleKind } from "../rule.ts";

export const POLICY_TEST_KIND = "PoolPolicyTest";

/** The file names `poolkeeper test DIR` looks for below DIR. */
export const POLICY_TEST_FILE_NAMES: readonly string[] = ["poolkeeper-test.yaml", "poolkeeper-test.yml"];

/**
 * What a rule did with one object: `pass` it judged the object and found nothing, `deny` / `warn` / `audit` the
 * most severe of its findings (an exempted finding is `audit`), `skip` it did not judge the object (off for it, not
 * of its kind, or a rule that reads only valid objects on an invalid one).
 */
export type RuleResult = "pass" | "deny" | "warn" | "audit" | "skip";
export const RULE_RESULTS: readonly RuleResult[] = ["pass", "deny", "warn", "audit", "skip"];

export interface ExpectedResult {
  rule: string;
  kind: RuleKind;
  /** Object names (metadata.name). */
  objects: string[];
  result: RuleResult;
}

export interface PolicyTestSpec {
  /** PoolPolicy files, relative to the test file; none: the preset alone. */
  policies?: string[];
  preset?: PresetName;
  /** Manifest files or directories, relative to the test file. */
  manifests: string[];
  /** The time of the judgement (exemption expiry, end-of-support dates), RFC 3339; now when unset. */
  now?: string;
  results: ExpectedResult[];
}

export interface PolicyTest {
  apiVersion: typeof POLICY_API_VERSION;
  kind: typeof POLICY_TEST_KIND;
  metadata: { name: string };
  spec: PolicyTestSpec;
}

export interface LoadedPolicyTest {
  test: PolicyTest;
  file: string;
  /** Where a field of the document is, for errors found later (an unknown rule, a missing object). */
  position: (path: FieldPath) => SourcePosition;
}

const relativePath = { type: "string", minLength: 1, pattern: "^(?![/\\\\])(?![A-Za-z]:)" };

/** JSON schema of a PoolPolicyTest document, for ajv. */
export const policyTestSchema = documentSchema(POLICY_TEST_KIND, {
  type: "object",
  additionalProperties: false,
  required: ["manifests", "results"],
  properties: {
    policies: { type: "array", items: { ...relativePath, description: "a path relative to the test file" } },
    preset: { enum: PRESETS },
    manifests: {
      type: "array",
      minItems: 1,
      items: { ...relativePath, description: "a path relative to the test file" },
    },
    now: { type: "string", minLength: 1 },
    results: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["rule", "kind", "objects", "result"],
        properties: {
          rule: { type: "string", minLength: 1 },
          kind: { enum: ["NodePool", "EC2NodeClass"] },
          objects: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } },
          result: { enum: RULE_RESULTS },
        },
      },
    },
  },
});

// Compiled on first use: every command loads this module, few read a PoolPolicyTest.
let documentValidator: ValidateFunction | undefined;
const schemaErrors = (value: unknown): ErrorObject[] => {
  documentValidator ??= documentAjv().compile(policyTestSchema);
  return documentValidator(value) ? [] : (documentValidator.errors ?? []);
};

/** Reads the PoolPolicyTest documents of one file; a file may hold several. */
export function loadPolicyTests(
  input: string | Uint8Array,
  file: string,
): { tests: LoadedPolicyTest[]; errors: PolicyError[] } {
  const { documents, errors: yamlErrors } = loadYaml(input, file);
  const tests: LoadedPolicyTest[] = [];
  const errors: PolicyError[] = yamlErrors.map((e) => ({ source: e.source, message: `test file: ${e.message}` }));
  for (const doc of documents) {
    const found: PolicyError[] = [];
    const at = (path: FieldPath, message: string) => found.push({ source: doc.position(path), message });
    const value = doc.value;
    const isTest = isRecord(value) && value.apiVersion === POLICY_API_VERSION && value.kind === POLICY_TEST_KIND;
    const invalid = isTest ? schemaErrors(value) : [];
    if (!isTest) {
      const what = isRecord(value) ? `${String(value.kind)} (${String(value.apiVersion)})` : "not an object";
      at([], `expected a ${POLICY_TEST_KIND} (${POLICY_API_VERSION}), found ${what}`);
    } else if (invalid.length > 0) {
      for (const e of invalid) at(...describeAjvError(e, value));
    } else {
      const test = value as unknown as PolicyTest;
      if (test.spec.now !== undefined && Number.isNaN(Date.parse(test.spec.now))) {
        at(["spec", "now"], `"${test.spec.now}" is not a time (RFC 3339, e.g. 2026-06-01T00:00:00Z)`);
      }
      if (found.length === 0) tests.push({ test, file, position: doc.position });
    }
    found.sort((a, b) => a.source.line - b.source.line || a.source.col - b.source.col);
    errors.push(...found);
  }
  return { tests, errors };
}
