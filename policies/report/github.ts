// GitHub Actions workflow commands: each finding becomes an annotation on its file and line in the pull request
// (`::error` for deny, `::warning` for warn, `::notice` for audit), an unreadable file an `::error`; skipped
// documents and the counts are plain log lines. GitHub shows only the first few annotations of each kind per step,
// so the summary line carries the full counts.
import type { Finding } from "../finding.ts";
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

function command(
  name: "error" | "warning" | "notice",
  location: { file?: string; line?: number; col?: number },
  title: string,
  message: string,
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
  const props = properties.map(([key, value]) => `${key}=${escapeCommandProperty(value)}`).join(",");
  return `::${name} ${props}::${escapeCommandData(message)}`;
}

function findingMessage(finding: Finding): string {
  let message = `${objectLabel(finding.object.kind, finding.object.name)} ${formatPointer(finding.pointer)}: ${finding.message}`;
  if (finding.hint) message += `\nfix: ${finding.hint}`;
  if (finding.exemptedBy !== undefined) message += `\nexempted: ${finding.exemptedBy}`;
  return message;
}

/**
 * A plain log line. Line breaks become spaces so no text from the input can start a line of its own, where the
 * runner would take a leading `::` as a command.
 */
function logLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}

export function renderGithub(report: CheckReport): string {
  const lines = sortFindings(report.findings).map((finding) =>
    command(COMMAND[finding.severity], findingLocation(finding), finding.rule, findingMessage(finding)),
  );
  for (const error of [...report.errors].sort(comparePositions)) {
    lines.push(command("error", error, "unreadable", error.message));
  }
  for (const skipped of [...report.skipped].sort(comparePositions)) {
    lines.push(logLine(`note: ${formatLocation(skipped)}: skipped: ${skipped.reason}`));
  }
  lines.push(logLine(`poolkeeper: ${summaryLine(report)}`));
  return lines.join("\n") + "\n";
}
