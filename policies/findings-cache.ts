// What one evaluation leaves for the next over mostly the same objects: each object's findings, with a key of what
// they depended on besides the object itself. The Git gate judges a repository of 1,000 pools per commit and a
// commit usually changes one file: an unchanged object (the same prepared target) whose policy, catalog, scope keys
// (RuleDefinition.scopeKey: its competing pools, the class names, the pools using a class) and time keys are the
// same is not judged again: the objects a commit changes are, and those whose scope keys it changes.
// `test/gitops/incremental-gate.test.ts` compares the gate's verdicts with judging everything on random commits.
import type { Finding } from "./finding.ts";
import type { ResolvedPolicy, ResolvedRule } from "./compiled-policy.ts";
import type { RuleKind } from "./rule.ts";
import type { InstanceTypeCatalog } from "../cloudprovider/index.ts";
import { typedTarget, type PreparedTarget, type Scope } from "./target.ts";

interface Entry {
  key: string;
  findings: readonly Finding[];
  /** The rules that ran (RulesRun), for a caller that asks. */
  ran: readonly string[];
}

/**
 * Each object's findings by what they depended on. Held by the caller that judges again (the gate's cache), one
 * entry per prepared target and only while the target lives: bounded by the objects being judged.
 */
export class FindingsCache {
  #entries = new WeakMap<PreparedTarget, Entry>();
  #reused = 0;
  #judged = 0;

  /** The target's findings when judged before with the same key. */
  get(target: PreparedTarget, key: string): Entry | undefined {
    const entry = this.#entries.get(target);
    if (entry?.key !== key) return undefined;
    this.#reused++;
    return entry;
  }

  set(target: PreparedTarget, key: string, findings: readonly Finding[], ran: readonly string[]): void {
    this.#judged++;
    this.#entries.set(target, { key, findings, ran });
  }

  /** How many objects were judged and how many had their findings reused, since the cache was made. */
  get counts(): { judged: number; reused: number } {
    return { judged: this.#judged, reused: this.#reused };
  }
}

const identities = new WeakMap<object, number>();
let nextIdentity = 1;

function identity(object: object): number {
  let n = identities.get(object);
  if (n === undefined) {
    n = nextIdentity++;
    identities.set(object, n);
  }
  return n;
}

// The few rules of a resolved policy that read the scope or the time, found once per policy, not per object.
const reading = new WeakMap<ResolvedPolicy, readonly ResolvedRule[]>();

function readingRules(resolved: ResolvedPolicy): readonly ResolvedRule[] {
  let rules = reading.get(resolved);
  if (rules === undefined) {
    rules = resolved.rules.filter(({ rule }) => rule.reads !== undefined && rule.reads.length > 0);
    reading.set(resolved, rules);
  }
  return rules;
}

/**
 * What a target's findings depend on besides the target: the resolved policy and catalog (by identity), each
 * scope-reading rule's key, each time-reading rule's key and which exemptions are in force. Undefined when a rule
 * that would run cannot say (its answer is then never reused).
 */
export function findingsKey(
  target: PreparedTarget,
  resolved: ResolvedPolicy,
  scope: Scope,
  catalog: InstanceTypeCatalog,
  now: Date,
): string | undefined {
  let key = `${identity(resolved)},${identity(catalog)}`;
  for (const { rule, params } of readingRules(resolved)) {
    if (!rule.kinds.includes(target.kind as RuleKind)) continue;
    if (rule.view === "typed" && typedTarget(target) === undefined) continue;
    if (rule.reads?.includes("scope")) {
      const part = rule.scopeKey?.(target, scope, { params, catalog });
      if (part === undefined) return undefined;
      key += `|${part}`;
    }
    if (rule.reads?.includes("now")) key += `|${rule.timeKey?.(now, params) ?? now.getTime()}`;
  }
  // An exemption applies until the end of its expiry day (engine.ts, applyExemptions).
  for (const exemption of resolved.exemptions) {
    const expiry = exemption.expires ? Date.parse(`${exemption.expires}T23:59:59.999Z`) : Infinity;
    key += now.getTime() <= expiry ? "+" : "-";
  }
  return key;
}
