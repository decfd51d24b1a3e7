// JUnit XML as GitLab's and Jenkins' test reports read it: one suite for the run, one test case per object
// (class name = its file, name = Kind/name). Denied findings fail the case; warnings and audit findings are only
// shown, in the case's output, because a warning must not turn a pipeline red; a file that could not be read is an
// error case. Skipped documents are notes in the suite's output: they are not tests that were skipped.
import type { Finding } from "../finding.ts";
import type { CheckReport } from "./index.ts";
import { CONTROL_CHARACTERS } from "./control-characters.ts";
import {
  comparePositions,
  findingLocation,
  formatLocation,
  formatPointer,
  groupByObject,
  objectLabel,
  type ObjectGroup,
} from "./shared.ts";

/**
 * Characters XML 1.0 cannot carry at all, not even as character references: C0 controls other than tab, newline
 * and carriage return, U+FFFE, U+FFFF, and unpaired surrogates. They become U+FFFD so the document stays
 * well-formed whatever a message quotes from the input.
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Escapes character data. `\r` is a reference because parsers turn a literal one into `\n`. The other control
 * characters XML can carry (DEL, C1, line separators, bidirectional controls; see control-characters.ts) are
 * references too: the data keeps them, the bytes someone pages through in a terminal do not.
 */
export function escapeXmlText(text: string): string {
  return text
    .replace(NOT_XML, "\uFFFD")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll("\r", "&#13;")
    .replace(CONTROL_CHARACTERS, (char) => (char < " " ? char : `&#x${char.charCodeAt(0).toString(16)};`));
}

/** Escapes an attribute value (double-quoted). Tab, newline and `\r` are references: parsers turn literal ones into spaces. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;")
    .replaceAll("\t", "&#9;")
    .replaceAll("\n", "&#10;");
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(String(value))}"`)
    .join("");
}

function findingText(finding: Finding): string {
  const where = formatLocation(findingLocation(finding));
  let text = `${finding.severity}  ${[where, formatPointer(finding.pointer)].filter((s) => s !== "").join("  ")}  [${finding.rule}]\n${finding.message}`;
  if (finding.hint) text += `\nfix: ${finding.hint}`;
  if (finding.exemptedBy !== undefined) text += `\nexempted: ${finding.exemptedBy}`;
  return text;
}

/** A test case for one object, with one `<failure>` however many denials: CI tools differ on reading several. */
function objectCase(group: ObjectGroup): string {
  const denied = group.findings.filter((f) => f.severity === "deny");
  const shown = group.findings.filter((f) => f.severity !== "deny");
  const head = `    <testcase${attributes({
    classname: group.file ?? "poolkeeper",
    name: objectLabel(group.kind, group.name),
    file: group.file,
    line: group.line,
  })}`;
  if (denied.length === 0 && shown.length === 0) return `${head}/>`;
  const lines = [`${head}>`];
  if (denied.length > 0) {
    const rules = [...new Set(denied.map((f) => f.rule))].join(", ");
    const message = denied.length === 1 ? (denied[0]?.message ?? "") : `${denied.length} denied: ${rules}`;
    const details = denied.map(findingText).join("\n\n");
    lines.push(`      <failure${attributes({ message, type: rules })}>${escapeXmlText(details)}</failure>`);
  }
  if (shown.length > 0) {
    lines.push(`      <system-out>${escapeXmlText(shown.map(findingText).join("\n\n"))}</system-out>`);
  }
  lines.push("    </testcase>");
  return lines.join("\n");
}

export function renderJunit(report: CheckReport): string {
  // A deleted object was not judged, so it is no test; every other object the report names is one.
  const groups = groupByObject(report).filter((g) => g.findings.length > 0 || g.change !== "deleted");
  const cases = groups.map(objectCase);
  const errors = [...report.errors].sort(comparePositions);
  for (const error of errors) {
    const where = formatLocation(error);
    cases.push(
      `    <testcase${attributes({ classname: error.file, name: where, file: error.file, line: error.line })}>\n` +
        `      <error${attributes({ message: error.message, type: "unreadable" })}>${escapeXmlText(`${where}\n${error.message}`)}</error>\n` +
        "    </testcase>",
    );
  }
  const failures = groups.filter((g) => g.findings.some((f) => f.severity === "deny")).length;
  const counts = { tests: cases.length, failures, errors: errors.length, skipped: 0 };
  const notes = [...report.skipped]
    .sort(comparePositions)
    .map((s) => `note  ${formatLocation(s)}  skipped: ${s.reason}`);

  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: "poolkeeper", ...counts })}>`,
    `  <testsuite${attributes({ name: "poolkeeper", ...counts })}>`,
    "    <properties>",
    `      <property${attributes({ name: "poolkeeper.version", value: report.toolVersion })}/>`,
    `      <property${attributes({ name: "poolkeeper.files", value: report.files })}/>`,
    `      <property${attributes({ name: "poolkeeper.objects", value: report.objects })}/>`,
    "    </properties>",
    ...cases,
  ];
  if (notes.length > 0) lines.push(`    <system-out>${escapeXmlText(notes.join("\n"))}</system-out>`);
  lines.push("  </testsuite>", "</testsuites>");
  return lines.join("\n") + "\n";
}
