// Findings on values the converter put into an object written in an older version (an alias made of amiFamily, the
// old IMDS defaults v1 no longer has): the value has no line of its own, so such a finding would point at the
// nearest field that does (`spec:`), beside the schema.older-shape note about the same value — one value reported
// two or three times at one line. Each is reported once instead: the rule's finding, at the field the value was
// written as (where the note is), carrying the note's words; the note is left out when that finding already
// counts at least as much.
import type { ConversionNote } from "../api/index.ts";
import type { Finding, Severity } from "./finding.ts";
import { pointerToFieldPath } from "./report/shared.ts";
import type { PolicyTarget } from "./target.ts";

const OLDER_SHAPE = "schema.older-shape";
const RANK: Readonly<Record<Severity, number>> = { deny: 3, warn: 2, audit: 1 };

// Rules about the conversion itself, or about the object as the API server sees it: never folded.
const keeps = (rule: string) => rule.startsWith("schema.") || rule.startsWith("api.") || rule.startsWith("policy.");

/** The note whose value the field at `dotted` is, or lies in; the object's apiVersion and kind are not values. */
function injectingNote(notes: readonly ConversionNote[], dotted: string): ConversionNote | undefined {
  return notes.find((n) => {
    if (n.kind === "dropped" || n.kind === "unconvertible" || n.path === "apiVersion" || n.path === "kind")
      return false;
    const at = n.to ?? n.path;
    return dotted === at || dotted.startsWith(`${at}.`);
  });
}

/** The findings of one converted object, each injected value reported once (see above); the same list otherwise. */
export function foldInjectedValues(findings: Finding[], target: PolicyTarget): Finding[] {
  if (!target.converted || target.conversion.length === 0) return findings;
  const noteFinding = new Map<ConversionNote, Finding>();
  for (const f of findings) {
    if (f.rule !== OLDER_SHAPE) continue;
    const note = target.conversion.find((n) => n.message === f.message);
    if (note) noteFinding.set(note, f);
  }
  const folded = new Set<Finding>();
  const out = findings.map((f) => {
    if (keeps(f.rule)) return f;
    const note = injectingNote(target.conversion, pointerToFieldPath(f.pointer).join("."));
    if (!note) return f;
    const noted = noteFinding.get(note);
    const source = target.position(note.path.split("."));
    const moved = { ...f, ...(source ? { source } : {}) };
    if (!noted || RANK[f.severity] < RANK[noted.severity]) return moved;
    folded.add(noted);
    return {
      ...moved,
      message: `${f.message} (Converted from ${target.writtenAs?.apiVersion ?? "an older version"}: ${note.message})`,
    };
  });
  return out.filter((f) => !folded.has(f));
}
