// Matching objects against a policy's `match`, an exemption's `objects` or a custom rule's `kinds`.
import type { ObjectSelector } from "./policy-document.ts";

export interface SelectableObject {
  kind: string;
  name: string;
  labels: Readonly<Record<string, string>>;
}

export function selects(selector: ObjectSelector | undefined, object: SelectableObject): boolean {
  if (!selector) return true;
  if (selector.kinds && !selector.kinds.some((k) => k === object.kind)) return false;
  if (selector.names && !selector.names.some((pattern) => nameMatches(pattern, object.name))) return false;
  for (const [key, value] of Object.entries(selector.labels ?? {})) {
    if (object.labels[key] !== value) return false;
  }
  return true;
}

// Policies and rule parameters name a few patterns, matched against every object: compile each once.
const compiledPatterns = new Map<string, RegExp>();

/** Shell-style name patterns: `*` any run of characters, `?` one character. */
export function nameMatches(pattern: string, name: string): boolean {
  let regex = compiledPatterns.get(pattern);
  if (!regex) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".");
    regex = new RegExp(`^${source}$`);
    if (compiledPatterns.size >= 1024) compiledPatterns.clear();
    compiledPatterns.set(pattern, regex);
  }
  return regex.test(name);
}
