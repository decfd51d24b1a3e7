// The status commit's message: a one-line subject and git trailers (`Key: value` lines in the last paragraph),
// and reading them back. Only rule ids and counts of findings appear here, never their messages: a finding about
// an EC2NodeClass's userData may quote it. Every value is forced onto one line so no text can add a trailer.
import type { Finding } from "../policies/index.ts";
import { STATUS_EVENT_KINDS, type StatusEvent, type StatusEventKind, type StatusModel } from "./status-model.ts";

export interface TrailerEvent {
  kind: StatusEventKind;
  pool?: string;
  node?: string;
  reason: string;
}

export interface ParsedTrailers {
  cluster?: string;
  source?: string;
  /** The branch head the gate rejected, while `source` stays in force. */
  rejected?: string;
  events: TrailerEvent[];
}

const CLUSTER = "Poolkeeper-Cluster";
const SOURCE = "Poolkeeper-Source";
const REJECTED = "Poolkeeper-Rejected";
const EVENT = "Poolkeeper-Event";
const MAX_REASON = 200;

/** The status commit's message: subject, blank line, trailers (one event trailer per event, in the given order). */
export function commitMessage(
  model: StatusModel,
  events: readonly StatusEvent[],
  options: { cluster: string },
): string {
  const cluster = oneLine(options.cluster);
  const findings = model.source.findings;
  const trailers = [`${CLUSTER}: ${cluster}`];
  if (model.source.sha !== "") trailers.push(`${SOURCE}: ${oneLine(model.source.sha)}`);
  if (!model.source.accepted && model.source.rejectedSha !== undefined) {
    trailers.push(`${REJECTED}: ${oneLine(model.source.rejectedSha)}`);
  }
  for (const event of events) trailers.push(`${EVENT}: ${eventValue(event, findings)}`);
  return `${subject(model, cluster)}\n\n${trailers.join("\n")}\n`;
}

function subject(model: StatusModel, cluster: string): string {
  const source = model.source;
  const good = source.sha === "" ? "no good source yet" : `last good ${short(source.sha)}`;
  if (!source.accepted) {
    const denials = count(source.findings, "deny");
    const why = denials > 0 ? ` (${plural(denials, "denial")})` : "";
    return `status(${cluster}): rejected ${short(source.rejectedSha ?? "unknown")}${why}; ${good}`;
  }
  const parts = [plural(model.pools.length, "pool")];
  const warnings = count(source.findings, "warn");
  if (warnings > 0) parts.push(plural(warnings, "warning"));
  return `status(${cluster}): accepted ${short(source.sha === "" ? "unknown" : source.sha)} — ${parts.join(", ")}`;
}

function eventValue(event: StatusEvent, findings: readonly Finding[]): string {
  const pool = event.pool === undefined ? undefined : token(event.pool);
  const node = event.node === undefined ? undefined : token(event.node);
  const head = [event.kind, pool ?? (node === undefined ? undefined : "-"), node].filter((p) => p !== undefined);
  return `${head.join(" ")}: ${redact(oneLine(event.reason), findings)}`;
}

// A finding's message may quote the object (userData); where a reason repeats one, only the rule id remains.
function redact(reason: string, findings: readonly Finding[]): string {
  let text = reason;
  for (const f of findings) {
    const message = oneLine(f.message);
    if (message !== "" && text.includes(message)) text = text.split(message).join(`[${f.rule}]`);
  }
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

/** One line: every line break, control and separator character becomes a space. */
function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, " ").trim();
}

/** A pool or node name as one space-free token; `%`, spaces, `:` and "-" alone are percent-encoded. */
function token(text: string): string {
  const encoded = oneLine(text).replace(
    /[%: ]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
  return encoded === "-" ? "%2D" : encoded === "" ? "%00" : encoded;
}

function untoken(text: string): string {
  if (text === "%00") return "";
  return text.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Reads the poolkeeper trailers in a commit message's last paragraph (keys match case-insensitively). */
export function parseTrailers(message: string): ParsedTrailers {
  const paragraphs = message
    .replace(/\r\n?/g, "\n")
    .trimEnd()
    .split(/\n[ \t]*\n/);
  const result: ParsedTrailers = { events: [] };
  if (paragraphs.length < 2) return result; // The subject alone is never a trailer block.
  const lines = (paragraphs[paragraphs.length - 1] ?? "").split("\n");
  for (const line of lines) {
    const match = /^([A-Za-z0-9-]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (match === null) continue;
    const key = (match[1] ?? "").toLowerCase();
    const value = (match[2] ?? "").trim();
    if (key === CLUSTER.toLowerCase()) result.cluster = value;
    else if (key === SOURCE.toLowerCase()) result.source = value;
    else if (key === REJECTED.toLowerCase()) result.rejected = value;
    else if (key === EVENT.toLowerCase()) {
      const event = parseEvent(value);
      if (event !== undefined) result.events.push(event);
    }
  }
  return result;
}

function parseEvent(value: string): TrailerEvent | undefined {
  const colon = value.indexOf(": ");
  const head = (colon < 0 ? value.replace(/:$/, "") : value.slice(0, colon)).split(" ");
  const reason = colon < 0 ? "" : value.slice(colon + 2);
  const [kind, pool, node] = head;
  if (!isKind(kind) || head.length > 3) return undefined;
  const event: TrailerEvent = { kind, reason };
  if (pool !== undefined && pool !== "-") event.pool = untoken(pool);
  if (node !== undefined) event.node = untoken(node);
  return event;
}

function isKind(kind: string | undefined): kind is StatusEventKind {
  return (STATUS_EVENT_KINDS as readonly string[]).includes(kind ?? "");
}

function short(sha: string): string {
  return oneLine(sha).slice(0, 7);
}

function count(findings: readonly Finding[], severity: Finding["severity"]): number {
  return findings.filter((f) => f.severity === severity).length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
