// The files the controller commits to the status directory: one `<pool>.yaml` per NodePool and `summary.md`.
// Deterministic: the same model (in any order) always renders byte-identical files. No clock, no randomness.
import { stringify } from "yaml";
import { SEVERITIES, type Finding, type Severity } from "../policies/index.ts";
import type { PoolStatus, StatusEvent, StatusModel } from "./status-model.ts";

export { commitMessage, parseTrailers, type ParsedTrailers, type TrailerEvent } from "./status-commit.ts";
export * from "./status-model.ts";

/** How many events `summary.md` and each pool file show, newest first. */
export const RECENT_EVENTS = 20;

/** The status files, by path relative to the status directory. */
export function renderStatusFiles(model: StatusModel): Map<string, string> {
  const files = new Map<string, string>();
  const pools = [...model.pools].sort((a, b) => compareText(a.name, b.name));
  const events = sortEvents(model.events);
  for (const pool of pools) {
    files.set(`${poolFileName(pool.name)}.yaml`, renderPoolYaml(model, pool, events));
  }
  files.set("summary.md", renderSummary(model, pools, events));
  return files;
}

/** A file name safe in a status directory: Kubernetes names pass unchanged. */
export function poolFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, "_");
  return safe === "" || /^\.+$/.test(safe) ? `_${safe}` : safe;
}

function renderPoolYaml(model: StatusModel, pool: PoolStatus, events: StatusEvent[]): string {
  const findings = model.source.findings
    .filter((f) => f.object.kind === "NodePool" && f.object.name === pool.name)
    .map((f) => ({ rule: f.rule, severity: f.severity, pointer: f.pointer }))
    .sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)));
  const document = {
    cluster: model.cluster,
    source: sourceDocument(model),
    pool: poolDocument(pool),
    findings,
    events: events.filter((e) => e.pool === pool.name).slice(0, RECENT_EVENTS),
  };
  // Findings' messages are left out: only rule ids, severities and fields are committed.
  return stringify(document, { sortMapEntries: true, lineWidth: 0 });
}

function sourceDocument(model: StatusModel): Record<string, unknown> {
  const source = model.source;
  const doc: Record<string, unknown> = {
    sha: source.sha,
    accepted: source.accepted,
    findings: severityCounts(source.findings),
  };
  if (source.rejectedSha !== undefined) doc["rejectedSha"] = source.rejectedSha;
  if (source.rejectedReason !== undefined) doc["rejectedReason"] = source.rejectedReason;
  return doc;
}

function poolDocument(pool: PoolStatus): Record<string, unknown> {
  // Copy through JSON so undefined fields drop out; lists whose order carries no meaning are sorted.
  const doc = JSON.parse(JSON.stringify(pool)) as Record<string, unknown>;
  doc["requirements"] = [...pool.requirements].sort();
  doc["budgets"] = sortedBudgets(pool);
  return doc;
}

function sortedBudgets(pool: PoolStatus): PoolStatus["budgets"] {
  return pool.budgets
    .map((b) => ({ nodes: b.nodes, reasons: [...b.reasons].sort(), window: b.window }))
    .sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)));
}

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { deny: 0, warn: 0, audit: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

function renderSummary(model: StatusModel, pools: PoolStatus[], events: StatusEvent[]): string {
  const source = model.source;
  const counts = severityCounts(source.findings);
  const lines: string[] = [`# Poolkeeper status: ${inline(model.cluster)}`, ""];
  lines.push(`- Accepted source: ${source.sha === "" ? "none yet" : code(source.sha)}`);
  if (!source.accepted) {
    const reason = source.rejectedReason === undefined ? "" : `: ${inline(source.rejectedReason)}`;
    lines.push(`- Rejected source: ${code(source.rejectedSha ?? "unknown")}${reason}`);
  }
  lines.push(`- Findings: ${SEVERITIES.map((s) => `${counts[s]} ${s}`).join(", ")}`, "", "## NodePools", "");
  if (pools.length === 0) {
    lines.push("No NodePools.");
  } else {
    lines.push(
      row([
        "Pool",
        "Node class",
        "Nodes",
        "CPU used/limit",
        "Memory used/limit",
        "Hourly cost",
        "Drift",
        "Budget windows",
      ]),
      row(["---", "---", "---:", "---:", "---:", "---:", "---:", "---"]),
    );
    for (const pool of pools) lines.push(row(poolCells(pool)));
  }
  lines.push("", `## Recent events (newest first, last ${RECENT_EVENTS})`, "");
  const recent = events.slice(0, RECENT_EVENTS);
  if (recent.length === 0) {
    lines.push("No events.");
  } else {
    lines.push(row(["Time", "Event", "Pool", "Node", "Reason"]), row(["---", "---", "---", "---", "---"]));
    for (const e of recent) lines.push(row([e.time, e.kind, e.pool ?? "", e.node ?? "", e.reason]));
  }
  return `${lines.join("\n")}\n`;
}

function poolCells(pool: PoolStatus): string[] {
  const nodeCount = pool.usage?.nodes ?? nodeTotal(pool);
  const nodes = `${nodeCount ?? "—"}${pool.limits.nodes === undefined ? "" : ` / ${pool.limits.nodes}`}`;
  const drift = pool.drift === undefined ? "—" : `${pool.drift.drifted}/${pool.drift.total} drifted`;
  const unpriced = pool.unpricedNodes === undefined ? "" : ` + ${pool.unpricedNodes} unpriced`;
  const cost = pool.hourlyCostUsd === undefined ? "—" : `$${pool.hourlyCostUsd.toFixed(2)}/h${unpriced}`;
  const windows = sortedBudgets(pool).map((b) => {
    const reasons = b.reasons.length === 0 ? "" : ` (${b.reasons.join(", ")})`;
    return `${b.nodes}${reasons}: ${b.window}`;
  });
  return [
    pool.name,
    pool.nodeClass,
    nodes,
    usedOf(pool.usage?.cpu, pool.limits.cpu),
    usedOf(pool.usage?.memory, pool.limits.memory),
    cost,
    drift,
    windows.length === 0 ? "none" : windows.join("; "),
  ];
}

function nodeTotal(pool: PoolStatus): number | undefined {
  if (pool.nodes === undefined) return undefined;
  return Object.values(pool.nodes.byCapacityType).reduce((sum, n) => sum + n, 0);
}

function usedOf(used: string | undefined, limit: string | undefined): string {
  return `${used ?? "—"} / ${limit ?? "no limit"}`;
}

function row(cells: string[]): string {
  return `| ${cells.map(cell).join(" | ")} |`;
}

/** A table cell: one line, with `|` and `\` escaped. */
function cell(text: string): string {
  return inline(text).replace(/\\/g, "\\\\").replace(/\|/g, "\\|");
}

function inline(text: string): string {
  return text.replace(/[\s\u0085\u2028\u2029]+/g, " ").trim();
}

function code(text: string): string {
  return `\`${inline(text).replace(/`/g, "'")}\``;
}

/** Newest first; ties broken on every field so the order never depends on the input's. */
export function sortEvents(events: readonly StatusEvent[]): StatusEvent[] {
  return [...events].sort((a, b) => {
    const ta = Date.parse(a.time);
    const tb = Date.parse(b.time);
    if (ta !== tb && !Number.isNaN(ta) && !Number.isNaN(tb)) return tb - ta;
    if (a.time !== b.time) return compareText(b.time, a.time);
    return compareText(eventKey(a), eventKey(b));
  });
}

function eventKey(e: StatusEvent): string {
  return JSON.stringify([e.kind, e.pool ?? "", e.node ?? "", e.reason, e.sourceSha ?? ""]);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
