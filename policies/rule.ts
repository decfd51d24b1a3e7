// A built-in rule: its identity and documentation (rendered into docs/policies.md and `poolkeeper explain`),
// where it applies, how each preset enforces it, its parameters, and a pure check over one object.
import type { Operation } from "fast-json-patch";
import type { FieldPath } from "../api/index.ts";
import type { InstanceTypeCatalog } from "../cloudprovider/catalog/catalog.ts";
import type { Enforcement } from "./finding.ts";
import type { PolicyTarget, Scope } from "./target.ts";

export type RuleKind = "NodePool" | "EC2NodeClass";

/** What a rule's check returns; the engine adds the rule id, severity, object and source position. */
export interface Violation {
  /** Path of the offending field in the judged (v1, defaulted) object. */
  path: FieldPath;
  message: string;
  hint?: string;
  /** RFC 6902 operations that fix it, against the object as written (v1 shape). */
  patch?: Operation[];
}

export interface RuleContext<P> {
  params: P;
  catalog: InstanceTypeCatalog;
  /** The other objects in scope: the bundle being checked, or the cluster's view in the webhook. */
  scope: Scope;
  /** For dated judgements (exemption expiry, end-of-support dates); the engine never reads the clock itself. */
  now: Date;
}

export interface RuleDefinition<P = Record<string, never>> {
  /** `family.name`, e.g. `imds.http-tokens`. */
  id: string;
  family: string;
  /** One line: what the rule checks. */
  title: string;
  /** Markdown: why it matters (with Karpenter's actual behaviour), and how to fix it. */
  docs: string;
  kinds: readonly RuleKind[];
  /** Enforcement in the two shipped presets. */
  enforcement: { baseline: Enforcement; strict: Enforcement };
  /** Parameters: a JSON schema (validated with ajv when a policy sets them) and the defaults. */
  params?: { schema: Record<string, unknown>; defaults: P };
  /**
   * What the check reads besides the object, its params and the catalog: the other objects in scope, the time.
   * A check that reads neither answers the same for the same prepared object, so the engine keeps its answer
   * (the Git gate re-judges 1,000 unchanged pools per commit). A test proves each rule declares what it reads.
   */
  reads?: readonly ("scope" | "now")[];
  check(target: PolicyTarget, context: RuleContext<P>): Violation[];
}

/** Declares a rule with its parameter type inferred from the defaults. */
export function defineRule<P = Record<string, never>>(rule: RuleDefinition<P>): RuleDefinition<P> {
  return rule;
}

/** A rule of any parameter type, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = RuleDefinition<any>;
