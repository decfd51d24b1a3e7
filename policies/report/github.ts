// GitHub Actions workflow commands: each finding becomes an annotation on its file and line in the pull request
// (`::error` for deny, `::warning` for warn, `::notice` for audit), an unreadable file an `::error`; skipped
// documents and the counts are plain log lines. GitHub shows only the first few annotations of each kind per step,
// so the summary line carries the full counts. Text from the input first has its control characters shown as
// escapes (control-characters.ts), then the workflow command's own escaping applies: only the report's own line
// breaks reach the runner as `%0A`.
import type { Finding } from "../finding.ts";
import { escapeControlCharacters as shown } from "./control-characters.ts";
import type { CheckReport } from "./index.ts";
import {
  comparePositions,
  findingLocation,
  formatLocation,
  formatPointer,
  objectLabel,
  sortFindings,
  summaryLine,
} from "./shared.ts";

const COMMAND = { deny: "error", warn: "warning", audit: "notice" } as const;

/**
 * Escapes a command's message as the runner unescapes it (actions/toolkit `packages/core/src/command.ts`,
 * `escapeData`): `%` first, so an escape already in the text survives as text, then CR and LF, which would
 * otherwise end the command and let the rest of a message be read as a command of its own.
 */
export function escapeCommandData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** Escapes a property value (toolkit `escapeProperty`): as data, plus `:` and `,`, which delimit properties. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/** A workflow command whose message is `lines` (each shown with its control characters escaped). */
function command(
  name: "error" | "warning" | "notice",
  location: { file?: string; line?: number; col?: number },
  title: string,
  lines: readonly string[],
): string {
  const properties: [string, string][] = [];
  if (location.file !== undefined) {
    properties.push(["file", location.file]);
    if (location.line !== undefined && location.line >= 1) {
      properties.push(["line", String(location.line)]);
      if (location.col !== undefined && location.col >= 1) properties.push(["col", String(location.col)]);
    }
  }
  properties.push(["title", title]);
  const props = properties.map(([key, value]) => `${key}=${escapeCommandProperty(shown(value))}`).join(",");
  return `::${name} ${props}::${escapeCommandData(lines.map(shown).join("\n"))}`;
}

function findingMessage(finding: Finding): string[] {
  const lines = [
    `${objectLabel(finding.object.kind, finding.object.name)} ${formatPointer(finding.pointer)}: ${finding.message}`,
  ];
  if (finding.hint) lines.push(`fix: ${finding.hint}`);
  if (finding.exemptedBy !== undefined) lines.push(`exempted: ${finding.exemptedBy}`);
  return lines;
}

/**
 * A plain log line, with line breaks (like every control character) shown as escapes, so no text from the input
 * can start a line of its own, where the runner would take a leading `::` as a command.
 */
function logLine(text: string): string {
  return shown(text);
}

export function renderGithub(report: CheckReport): string {
  const lines = sortFindings(report.findings).map((finding) =>
    command(COMMAND[finding.severity], findingLocation(finding), finding.rule, findingMessage(finding)),
  );
  for (const error of [...report.errors].sort(comparePositions)) {
    lines.push(command("error", error, "unreadable", [error.message]));
  }
  for (const skipped of [...report.skipped].sort(comparePositions)) {
    lines.push(logLine(`note: ${formatLocation(skipped)}: skipped: ${skipped.reason}`));
  }
  lines.push(logLine(`poolkeeper: ${summaryLine(report)}`));
  return lines.join("\n") + "\n";
}
