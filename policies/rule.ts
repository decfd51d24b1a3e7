// A built-in rule: its identity and documentation (rendered into docs/policies.md and `poolkeeper explain`),
// where it applies, how each preset enforces it, its parameters, which view of the object it reads, and a pure
// check over one object.
import type { Operation } from "fast-json-patch";
import type { FieldPath } from "../api/index.ts";
import type { InstanceTypeCatalog } from "../cloudprovider/index.ts";
import type { Enforcement } from "./finding.ts";
import type { PolicyTarget, PreparedTarget, Scope, TypedTargets } from "./target.ts";

export type RuleKind = keyof TypedTargets;

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

/**
 * Which view of the object a rule's check reads:
 * - `raw`: the object as given, valid or not (its fields are `unknown` until checked); the rule runs on every
 *   object of its kinds, so an author hears about one field next to the schema errors of another. For rules that
 *   judge fields one by one.
 * - `typed`: the typed view, which only an object that passed validation has; on the others the rule is skipped
 *   without a word (schema.* reports why). For rules that judge the object as a whole — its requirements against
 *   other pools or the catalog — which means nothing while part of it is broken.
 */
export type RuleView = "raw" | "typed";

/** The target a check receives, by the view it reads. */
export interface ViewTargets<K extends RuleKind> {
  raw: PolicyTarget;
  typed: TypedTargets[K];
}

export interface RuleDefinitionOf<P, K extends RuleKind, V extends RuleView> {
  /** `family.name`, e.g. `imds.http-tokens`. */
  id: string;
  family: string;
  /** One line: what the rule checks. */
  title: string;
  /** Markdown: why it matters (with Karpenter's actual behaviour), and how to fix it. */
  docs: string;
  kinds: readonly K[];
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
  /**
   * The fields of the target the check reads, as paths from it (`["object", "spec", "userData"]`; the typed view
   * is `object` too), when it reads nothing else of it. The engine then keeps the check's answers by those
   * fields' values (memoized-rule.ts), across objects. A test fails on a read outside them.
   */
  fields?: readonly (readonly string[])[];
  /**
   * For a rule that reads the scope: what of it the check's answer for this target depends on, as a key (two
   * scopes that give the target the same key give it the same answer; `scope-key.ts` numbers long texts). Asked
   * for every object of every evaluation that keeps findings (findings-cache.ts), so what it reads of the whole
   * scope is built once per scope. Undefined (or no `scopeKey`): the answer is never reused.
   */
  scopeKey?(
    target: PreparedTarget,
    scope: Scope,
    context: { params: P; catalog: InstanceTypeCatalog },
  ): string | undefined;
  /** For a rule that reads the time: the part of it the check's answer depends on (a year; a date passed or not). */
  timeKey?(now: Date, params: P): string;
  /** Declared by every rule: whether it needs the typed view of a valid object (see RuleView). */
  view: V;
  check(target: ViewTargets<K>[V], context: RuleContext<P>): Violation[];
}

export type RuleDefinition<P = Record<string, never>, K extends RuleKind = RuleKind> =
  RuleDefinitionOf<P, K, "raw"> | RuleDefinitionOf<P, K, "typed">;

/**
 * Declares a rule with its parameter type inferred from the defaults, its target type from its kinds and view.
 * (Given the parameter type explicitly, a rule reads the raw view unless it names the other arguments too.)
 */
export function defineRule<P = Record<string, never>, K extends RuleKind = RuleKind, V extends RuleView = "raw">(
  rule: RuleDefinitionOf<P, K, V>,
): RuleDefinitionOf<P, K, V> {
  return rule;
}

/** A rule of any parameter type, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = RuleDefinition<any, RuleKind>;
