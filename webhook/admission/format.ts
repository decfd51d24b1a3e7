// How findings read in what the API server shows the user: warnings in Kubernetes' own style ("path.to.field:
// message"), a denial's message listing every deny finding, each ending with its rule id so that
// `poolkeeper explain <rule>` is one copy away. All of it within the bounds of bounds.ts.
import { formatFieldPath } from "../../api/index.ts";
import { pathFromPointer } from "../../api/index.ts";
import {
  boundedList,
  codePoints,
  fit,
  MESSAGE_LIMIT,
  MESSAGE_LINE_LIMIT,
  sanitize,
  truncate,
  WARNING_LIMIT,
  WARNINGS_TOTAL_LIMIT,
} from "./bounds.ts";
import type { AdmissionFinding } from "./types.ts";

const SUMMARY = (rest: number) => `and ${rest} more: run poolkeeper check`;

const PREFIXES: Record<NonNullable<AdmissionFinding["downgraded"]>, string> = {
  "pre-existing": "pre-existing: fix it in Git: ",
  "no-cluster-view": "not checked against the cluster: ",
};

/** `spec.blockDeviceMappings[0].ebs: ` (empty for a finding about the whole object). */
function fieldOf(finding: AdmissionFinding, object: unknown): string {
  if (finding.pointer === "") return "";
  return `${sanitize(formatFieldPath(pathFromPointer(finding.pointer, object)))}: `;
}

const ruleTag = (finding: AdmissionFinding) => ` [${sanitize(finding.rule)}]`;

/** One finding as one warning, at most 256 code points. `prefix` overrides the downgrade's own. */
export function warningText(finding: AdmissionFinding, object: unknown, prefix?: string): string {
  const head = (prefix ?? (finding.downgraded ? PREFIXES[finding.downgraded] : "")) + fieldOf(finding, object);
  return fit(head, sanitize(finding.message), ruleTag(finding), WARNING_LIMIT);
}

/** Warnings within the total the API server keeps for all sources, the rest summarized. */
export function boundedWarnings(texts: readonly string[]): string[] {
  return boundedList(texts, WARNINGS_TOTAL_LIMIT, SUMMARY);
}

/** One deny finding as a line of a denial's message; when the line is too long the hint goes first, then the message is cut. */
function denyLine(finding: AdmissionFinding, object: unknown): string {
  const head = `- ${fieldOf(finding, object)}`;
  const message = sanitize(finding.message);
  const withHint = finding.hint ? `${message} (${sanitize(finding.hint)})` : message;
  const full = head + withHint + ruleTag(finding);
  if (codePoints(full) <= MESSAGE_LINE_LIMIT) return full;
  return fit(head, message, ruleTag(finding), MESSAGE_LINE_LIMIT);
}

/**
 * A denial's message: a first line naming the object, then one line per deny finding, within 4,096 code points
 * with the rest summarized. (The API server puts `admission webhook "<name>" denied the request: ` before it.)
 */
export function denialMessage(headline: string, findings: readonly AdmissionFinding[], object: unknown): string {
  const head = truncate(sanitize(headline), MESSAGE_LINE_LIMIT);
  const lines = findings.map((f) => denyLine(f, object));
  // Each line costs its length plus the newline before it.
  const room = MESSAGE_LIMIT - codePoints(head) - lines.length;
  const kept = boundedList(lines, room, (rest) => `- ${SUMMARY(rest)}`);
  return [head, ...kept].join("\n");
}

/** `NodePool "default"` (or `NodePool (generateName "pool-")` for an object the API server has yet to name). */
export function objectLabel(kind: string, name: string, generateName?: string): string {
  if (name !== "") return `${kind} ${JSON.stringify(name)}`;
  if (generateName) return `${kind} (generateName ${JSON.stringify(generateName)})`;
  return kind;
}
