// The machine-readable report: the report itself, findings exactly as the engine produced them, in report
// order. Fields are only ever added; `version` changes if one is removed or changes meaning.
import type { Finding } from "../finding.ts";
import type { CheckReport, ObjectChangeEntry, ReportPosition, RuleInfo } from "./index.ts";
import { CONTROL_CHARACTERS } from "./control-characters.ts";
import { comparePositions, sortFindings, summarize, type ReportSummary } from "./shared.ts";

/** The shape of `poolkeeper check --format json`. */
export interface JsonCheckReport {
  /** Version of this shape. */
  version: 1;
  tool: { name: "poolkeeper"; version: string };
  /** Files read and objects judged. */
  files: number;
  objects: number;
  summary: ReportSummary;
  /** Ordered by file, line, column, object, rule. */
  findings: Finding[];
  /** Documents set aside, with the reason; ordered by position. */
  skipped: (ReportPosition & { reason: string })[];
  /** Files or documents that could not be read; ordered by position. */
  errors: (ReportPosition & { message: string })[];
  /** Present with `--base`: how each object differs from the base. */
  changes?: ObjectChangeEntry[];
  /** The rules the findings name (title, markdown docs, help URL), so a consumer needs no second lookup. */
  rules: Record<string, RuleInfo>;
}

export function toJsonReport(report: CheckReport): JsonCheckReport {
  const findings = sortFindings(report.findings);
  const rules: Record<string, RuleInfo> = {};
  for (const id of [...new Set(findings.map((f) => f.rule))].sort()) {
    const info = report.rules.get(id);
    // Only the documented fields: a caller may hand in richer objects (whole rule definitions).
    if (info) rules[id] = { title: info.title, docs: info.docs, ...(info.helpUri ? { helpUri: info.helpUri } : {}) };
  }
  return {
    version: 1,
    tool: { name: "poolkeeper", version: report.toolVersion },
    files: report.files,
    objects: report.objects,
    summary: summarize(report),
    findings,
    skipped: [...report.skipped].sort(comparePositions),
    errors: [...report.errors].sort(comparePositions),
    ...(report.changes ? { changes: [...report.changes].sort(compareChanges) } : {}),
    rules,
  };
}

function compareChanges(a: ObjectChangeEntry, b: ObjectChangeEntry): number {
  const ka = `${a.file ?? ""}\0${a.kind}/${a.name}`;
  const kb = `${b.file ?? ""}\0${b.kind}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function renderJson(report: CheckReport): string {
  return jsonText(toJsonReport(report)) + "\n";
}

/**
 * JSON as the JSON and SARIF reports write it: indented, and with the control characters JSON.stringify leaves raw
 * (DEL, C1, line separators, bidirectional controls; see control-characters.ts) written as `\u` escapes, so the
 * bytes are inert in a terminal or a line-based tool while the parsed data is exactly the input's.
 */
export function jsonText(value: unknown): string {
  // JSON.stringify escapes C0 inside strings: a raw one in its output is its own line break or indentation.
  return JSON.stringify(value, null, 2).replace(CONTROL_CHARACTERS, (char) =>
    char < " " ? char : `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
