// What every report format needs: field paths in the notation kubectl prints, findings in one stable order,
// findings grouped per object (with the object's change against a base), and the counts of the summary line.
import { formatFieldPath, type FieldPath } from "../../api/index.ts";
import { compareFindings, type Finding } from "../finding.ts";
import { fixableFindings } from "../fix/fixable.ts";
import type { CheckReport, ObjectChangeEntry, ReportPosition, Style } from "./index.ts";

/**
 * The RFC 6901 pointer as a field path. All-digit segments are list indexes: the pointer alone cannot tell an
 * index from a map key spelled with digits, and Karpenter objects have no such map keys in the fields rules judge.
 */
export function pointerToFieldPath(pointer: string): FieldPath {
  if (pointer === "") return [];
  // Not a pointer (RFC 6901 pointers are empty or start with "/"): keep it whole rather than guess.
  if (!pointer.startsWith("/")) return [pointer];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => {
      // "~1" before "~0", as RFC 6901 §4 orders it, so "~01" decodes to "~1" and not to "/".
      const key = segment.replaceAll("~1", "/").replaceAll("~0", "~");
      return /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : key;
    });
}

/** `/spec/template/spec/taints/0/key` → `spec.template.spec.taints[0].key`, as `validate` prints paths. */
export function formatPointer(pointer: string): string {
  return formatFieldPath(pointerToFieldPath(pointer));
}

/** Where a finding is: its field's position, else its object's, else only the object's file (or nothing). */
export function findingLocation(finding: Finding): { file?: string; line?: number; col?: number } {
  if (finding.source) return finding.source;
  if (finding.object.source) return finding.object.source;
  return {};
}

export function formatLocation(location: { file?: string; line?: number; col?: number }): string {
  if (location.file === undefined) return "";
  if (location.line === undefined || location.line < 1) return location.file;
  if (location.col === undefined || location.col < 1) return `${location.file}:${location.line}`;
  return `${location.file}:${location.line}:${location.col}`;
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export function comparePositions(a: ReportPosition, b: ReportPosition): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.col - b.col;
}

export function objectLabel(kind: string, name: string): string {
  return `${kind}/${name || "<unnamed>"}`;
}

/** An object the report speaks of: one with findings, or one the base comparison lists. */
export interface ObjectGroup {
  kind: string;
  name: string;
  file?: string;
  /** Where the object starts, when loaded from YAML. */
  line?: number;
  col?: number;
  change?: ObjectChangeEntry["change"];
  /** In report order (`compareFindings`). */
  findings: Finding[];
}

/**
 * Findings grouped per object, then the objects of `changes` that have no findings (deleted ones, say). Objects
 * are ordered by file, position and name, those without a file (judged by the webhook) last.
 */
export function groupByObject(report: CheckReport): ObjectGroup[] {
  const groups = new Map<string, ObjectGroup>();
  for (const finding of sortFindings(report.findings)) {
    const { kind, name, source } = finding.object;
    // Position in the key: two documents in one file may declare the same kind and name.
    const key = JSON.stringify([source?.file ?? null, source?.line ?? 0, source?.col ?? 0, kind, name]);
    let group = groups.get(key);
    if (!group) {
      group = { kind, name, findings: [] };
      if (source) Object.assign(group, { file: source.file, line: source.line, col: source.col });
      groups.set(key, group);
    }
    group.findings.push(finding);
  }
  // Objects judged without a finding: a group each, so the formats that list objects (JUnit) show them pass.
  for (const { kind, name, source } of report.judged ?? []) {
    const key = JSON.stringify([source?.file ?? null, source?.line ?? 0, source?.col ?? 0, kind, name]);
    if (groups.has(key)) continue;
    const group: ObjectGroup = { kind, name, findings: [] };
    if (source) Object.assign(group, { file: source.file, line: source.line, col: source.col });
    groups.set(key, group);
  }
  const all = [...groups.values()];
  for (const entry of report.changes ?? []) {
    const matches = all.filter(
      (g) => g.kind === entry.kind && g.name === entry.name && (entry.file === undefined || g.file === entry.file),
    );
    for (const group of matches) group.change = entry.change;
    if (matches.length === 0) {
      const group: ObjectGroup = { kind: entry.kind, name: entry.name, change: entry.change, findings: [] };
      if (entry.file !== undefined) group.file = entry.file;
      all.push(group);
    }
  }
  return all.sort(compareGroups);
}

function compareGroups(a: ObjectGroup, b: ObjectGroup): number {
  if (a.file !== b.file) {
    if (a.file === undefined) return 1;
    if (b.file === undefined) return -1;
    return a.file < b.file ? -1 : 1;
  }
  const byPosition = (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
  if (byPosition !== 0) return byPosition;
  const la = objectLabel(a.kind, a.name);
  const lb = objectLabel(b.kind, b.name);
  return la < lb ? -1 : la > lb ? 1 : 0;
}

export interface ReportSummary {
  /** Objects with at least one denial (an object, not a finding: `2 of 7 objects denied`). */
  deniedObjects: number;
  deny: number;
  warn: number;
  /** Audit findings, exempted ones included (an exemption reports its finding at `audit`). */
  audit: number;
  exempted: number;
  /** The findings `poolkeeper fix` applies without `--all` (fixable.ts: exempted and audit ones are left alone). */
  fixable: number;
  unreadable: number;
  skipped: number;
}

export function summarize(report: CheckReport): ReportSummary {
  const summary: ReportSummary = {
    deniedObjects: 0,
    deny: 0,
    warn: 0,
    audit: 0,
    exempted: 0,
    fixable: 0,
    unreadable: report.errors.length,
    skipped: report.skipped.length,
  };
  const denied = new Set<string>();
  for (const finding of report.findings) {
    summary[finding.severity]++;
    if (finding.severity === "deny") denied.add(objectKey(finding.object));
    if (finding.exemptedBy !== undefined) summary.exempted++;
  }
  summary.deniedObjects = denied.size;
  summary.fixable = fixableFindings(report.findings).length;
  return summary;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

// The same object in every finding about it: kind, name and where it starts.
function objectKey(object: Finding["object"]): string {
  return `${object.kind}/${object.name}@${object.source?.file ?? ""}:${object.source?.line ?? 0}:${object.source?.col ?? 0}`;
}

/**
 * Objects and findings counted apart, then the files:
 * `2 of 4 objects denied: 3 denials, 1 warning, 2 audit (1 exempted); 2 files, 1 unreadable, 1 skipped; 2 fixable with `poolkeeper fix``
 */
export function summaryLine(report: CheckReport, style: Style = (_c, text) => text): string {
  const s = summarize(report);
  const paint = (n: number, colour: "red" | "yellow", text: string) => (n > 0 ? style(colour, text) : text);
  let line =
    `${paint(s.deniedObjects, "red", `${s.deniedObjects} of ${count(report.objects, "object")} denied`)}: ` +
    `${paint(s.deny, "red", count(s.deny, "denial"))}, ${paint(s.warn, "yellow", count(s.warn, "warning"))}, ${s.audit} audit`;
  if (s.exempted > 0) line += ` (${s.exempted} exempted)`;
  line += `; ${count(report.files, "file")}`;
  if (s.unreadable > 0) line += `, ${style("red", `${s.unreadable} unreadable`)}`;
  if (s.skipped > 0) line += `, ${s.skipped} skipped`;
  if (s.fixable > 0) line += `; ${s.fixable} fixable with \`poolkeeper fix\``;
  return line;
}
