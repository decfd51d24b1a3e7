// The PoolPolicy document (poolkeeper.dev/v1alpha1): which rules apply, how hard, with which parameters, to
// which objects, with which exemptions, plus custom CEL rules. Policies are data a platform team keeps in Git.
import type { Enforcement } from "./finding.ts";
import type { RuleKind } from "./rule.ts";

export const POLICY_API_VERSION = "poolkeeper.dev/v1alpha1";
export const POLICY_KIND = "PoolPolicy";

export type PresetName = "baseline" | "strict";
export const PRESETS: readonly PresetName[] = ["baseline", "strict"];

/** Which objects a policy, exemption or custom rule applies to; every given field must match. */
export interface ObjectSelector {
  kinds?: RuleKind[];
  /** Object names, `*` and `?` wildcards allowed. */
  names?: string[];
  /** metadata.labels that must all be present with these values. */
  labels?: Record<string, string>;
}

export interface RuleSetting {
  enforcement?: Enforcement;
  params?: Record<string, unknown>;
}

export interface Exemption {
  /** A rule id, or a family wildcard such as `storage.*`. */
  rule: string;
  objects?: ObjectSelector;
  reason: string;
  /** Last day the exemption applies (YYYY-MM-DD, UTC); after it the findings count again. */
  expires?: string;
}

export interface CustomRule {
  /** Reported as `custom.<id>`. */
  id: string;
  kinds?: RuleKind[];
  /** CEL; `true` means the object complies. `object`, `oldObject` (null on create) and `params` are bound. */
  expression: string;
  message: string;
  hint?: string;
  enforcement?: Enforcement;
  /** JSON pointer of the field to report, e.g. `/spec/template/metadata/labels`. */
  path?: string;
}

export interface PoolPolicySpec {
  preset?: PresetName;
  match?: ObjectSelector;
  rules?: Record<string, RuleSetting>;
  exemptions?: Exemption[];
  customRules?: CustomRule[];
  /** Values bound as `params` in custom rules. */
  params?: Record<string, unknown>;
}

export interface PoolPolicy {
  apiVersion: typeof POLICY_API_VERSION;
  kind: typeof POLICY_KIND;
  metadata: { name: string };
  spec: PoolPolicySpec;
}

const enforcement = { enum: ["deny", "warn", "audit", "off"] };
const kinds = { type: "array", items: { enum: ["NodePool", "EC2NodeClass"] }, minItems: 1 };
const selector = {
  type: "object",
  additionalProperties: false,
  properties: {
    kinds,
    names: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
    labels: { type: "object", additionalProperties: { type: "string" } },
  },
};

/** The JSON schema of a poolkeeper.dev document of `kind` (PoolPolicy, PoolPolicyTest) around its spec's schema. */
export function documentSchema(kind: string, spec: Record<string, unknown>) {
  return {
    type: "object",
    additionalProperties: false,
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
      apiVersion: { const: POLICY_API_VERSION },
      kind: { const: kind },
      metadata: {
        type: "object",
        required: ["name"],
        properties: { name: { type: "string", minLength: 1 } },
      },
      spec,
    },
  };
}

/** JSON schema of a PoolPolicy document, for ajv. Parameter schemas are each rule's own. */
export const poolPolicySchema = documentSchema(POLICY_KIND, {
  type: "object",
  additionalProperties: false,
  properties: {
    preset: { enum: PRESETS },
    match: selector,
    rules: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: { enforcement, params: { type: "object" } },
      },
    },
    exemptions: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["rule", "reason"],
        properties: {
          rule: { type: "string", minLength: 1 },
          objects: selector,
          reason: { type: "string", minLength: 1 },
          expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
        },
      },
    },
    customRules: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "expression", "message"],
        properties: {
          id: { type: "string", pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" },
          kinds,
          expression: { type: "string", minLength: 1 },
          message: { type: "string", minLength: 1 },
          hint: { type: "string" },
          enforcement,
          path: { type: "string", pattern: "^(/.*)?$" },
        },
      },
    },
    params: { type: "object" },
  },
});
