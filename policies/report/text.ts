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

function findingLines(finding: Finding, style: Style): string[] {
  const columns = [
    label(style, SEVERITY_COLOUR[finding.severity], finding.severity),
    shown(formatLocation(findingLocation(finding))),
    shown(formatPointer(finding.pointer)),
    shown(finding.message),
  ].filter((c) => c !== "");
  const lines = [`  ${columns.join("  ")}`];
  if (finding.hint) lines.push(`    fix: ${shown(finding.hint)}`);
  if (finding.exemptedBy !== undefined) lines.push(`    exempted: ${shown(finding.exemptedBy)}`);
  return lines;
}

export function renderText(report: CheckReport, style: Style): string {
  const blocks: string[][] = [];
  for (const group of groupByObject(report)) {
    // An unchanged object with nothing to say is noise in a pull request's report.
    if (group.findings.length === 0 && (group.change === undefined || group.change === "unchanged")) continue;
    blocks.push([header(group, style), ...group.findings.flatMap((f) => findingLines(f, style))]);
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
