// What a rule's answer for one object depends on in the scope, as a short key (RuleDefinition.scopeKey). A rule
// builds the text of what it reads (a group of competing pools, the class names in scope) once per scope; the
// text is numbered here, so that the key of every object of a 1,000-pool scope is a few characters, not a copy of
// the group it belongs to, and comparing it with the previous evaluation's key costs nothing.

// Texts kept for numbering, in characters: a scope's groups are a few hundred kilobytes of names. Past the bound
// numbering starts again with new numbers, so an old key never matches a new text (as memoized-rule.ts does).
import type { Scope } from "./target.ts";

const TEXT_LIMIT = 8 * 1024 * 1024;

const numbers = new Map<string, string>();
let chars = 0;
let next = 1;

/** A short key, equal for equal texts (within the bound's lifetime) and never equal for different ones. */
export function scopeTextKey(text: string): string {
  let key = numbers.get(text);
  if (key === undefined) {
    if (chars + text.length > TEXT_LIMIT) {
      numbers.clear();
      chars = 0;
    }
    key = `#${next++}`;
    numbers.set(text, key);
    chars += text.length;
  }
  return key;
}

/** A value computed once per scope (a scope is immutable: one per evaluation). */
export function perScope<T extends object>(compute: (scope: Scope) => T): (scope: Scope) => T {
  const computed = new WeakMap<Scope, T>();
  return (scope) => {
    let value = computed.get(scope);
    if (value === undefined) {
      value = compute(scope);
      computed.set(scope, value);
    }
    return value;
  };
}
