// The terminal report: one block per object (its header names it and where it starts, and with --base how it
// changed), one line per finding with the field in kubectl's path notation, the fix on the line below; then what
// could not be read, what was set aside, and the counts. What comes from the input is shown with its control
// characters escaped (before colouring, so the report's own colours are the only escape sequences it writes).
import type { Finding } from "../finding.ts";
import { escapeControlCharacters as shown } from "./control-characters.ts";
import type { CheckReport, ReportColour, Style } from "./index.ts";
import {
  comparePositions,
  findingLocation,
  formatLocation,
  formatPointer,
  groupByObject,
  objectLabel,
  summaryLine,
  type ObjectGroup,
} from "./shared.ts";

const SEVERITY_COLOUR: Record<Finding["severity"], ReportColour> = { deny: "red", warn: "yellow", audit: "gray" };

/** Labels padded to the widest (`audit`, `error`) so locations line up; the padding stays outside the colour. */
function label(style: Style, colour: ReportColour, text: string): string {
  return style(colour, text) + " ".repeat(Math.max(0, 5 - text.length));
}

function header(group: ObjectGroup, style: Style): string {
  let line = style("bold", shown(objectLabel(group.kind, group.name)));
  const where = shown(formatLocation(group));
  if (where) line += ` (${where})`;
  if (group.change) line += ` [${group.change}]`;
  return line;
}

/** How much the text report says per finding; the library's default is the full form. */
export interface TextOptions {
  /** The fix on the line below each finding (`check --verbose`). */
  hints: boolean;
  /** The rule id at the end of each finding's line, what `explain` and exemptions take (`check` always). */
  ruleIds: boolean;
  /** Denials only (`check --quiet`); the counts still cover every finding. */
  quiet?: boolean;
}

const FULL: TextOptions = { hints: true, ruleIds: false };

function findingLines(finding: Finding, style: Style, options: TextOptions): string[] {
  const columns = [
    label(style, SEVERITY_COLOUR[finding.severity], finding.severity),
    shown(formatLocation(findingLocation(finding))),
    shown(formatPointer(finding.pointer)),
    shown(finding.message),
    options.ruleIds ? style("gray", `[${shown(finding.rule)}]`) : "",
  ].filter((c) => c !== "");
  const lines = [`  ${columns.join("  ")}`];
  if (finding.hint && options.hints) lines.push(`    fix: ${shown(finding.hint)}`);
  if (finding.exemptedBy !== undefined) lines.push(`    exempted: ${shown(finding.exemptedBy)}`);
  return lines;
}

export function renderText(report: CheckReport, style: Style, options: TextOptions = FULL): string {
  const blocks: string[][] = [];
  for (const group of groupByObject(report)) {
    // An unchanged object with nothing to say is noise in a pull request's report.
    if (group.findings.length === 0 && (group.change === undefined || group.change === "unchanged")) continue;
    const findings = options.quiet ? group.findings.filter((f) => f.severity === "deny") : group.findings;
    if (options.quiet && findings.length === 0) continue;
    blocks.push([header(group, style), ...findings.flatMap((f) => findingLines(f, style, options))]);
  }
  const notes = [
    ...[...report.errors]
      .sort(comparePositions)
      .map((e) => `${label(style, "red", "error")}  ${shown(`${formatLocation(e)}  ${e.message}`)}`),
    ...[...report.skipped]
      .sort(comparePositions)
      .map((s) => `${label(style, "gray", "note")}  ${shown(`${formatLocation(s)}  skipped: ${s.reason}`)}`),
  ];
  if (notes.length > 0) blocks.push(notes);
  blocks.push([summaryLine(report, style)]);
  return blocks.map((lines) => lines.join("\n")).join("\n\n") + "\n";
}
