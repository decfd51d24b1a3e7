// `poolkeeper history`: the timeline read back from the status branch's commits and their trailers.
// The pure part parses, filters and renders; `readStatusHistory` walks the branch of a local clone.
import fs from "node:fs";
import git from "isomorphic-git";
import { parseTrailers, type TrailerEvent } from "./status-render.ts";

export interface StatusCommitInput {
  sha: string;
  time: Date;
  subject: string;
  body: string;
}

export interface HistoryEntry {
  sha: string;
  time: Date;
  cluster?: string;
  source?: string;
  events: TrailerEvent[];
}

export interface TimelineFilter {
  /** Only events of this pool. */
  pool?: string;
  /** Only events of this kind (`provisioned`, `rejected`, …). */
  event?: string;
  /** Only commits at or after this time. */
  since?: Date;
}

export type TimelineFormat = "text" | "json";

/** One status commit's trailers; a commit without them has no cluster, source or events. */
export function parseStatusCommit(commit: StatusCommitInput): HistoryEntry {
  const message = commit.body.trim() === "" ? commit.subject : `${commit.subject}\n\n${commit.body}`;
  const trailers = parseTrailers(message);
  const entry: HistoryEntry = { sha: commit.sha, time: commit.time, events: trailers.events };
  if (trailers.cluster !== undefined) entry.cluster = trailers.cluster;
  if (trailers.source !== undefined) entry.source = trailers.source;
  return entry;
}

/**
 * The entries that pass the filter. With `pool` or `event`, each entry keeps only the matching events and entries
 * left without any are dropped; `since` keeps commits at or after that time.
 */
export function filterTimeline(entries: readonly HistoryEntry[], filter: TimelineFilter): HistoryEntry[] {
  const byEvent = filter.pool !== undefined || filter.event !== undefined;
  const result: HistoryEntry[] = [];
  for (const entry of entries) {
    if (filter.since !== undefined && entry.time.getTime() < filter.since.getTime()) continue;
    const events = entry.events.filter(
      (e) =>
        (filter.pool === undefined || e.pool === filter.pool) &&
        (filter.event === undefined || e.kind === filter.event),
    );
    if (byEvent && events.length === 0) continue;
    result.push({ ...entry, events });
  }
  return result;
}

/**
 * The timeline, newest commit first (ties keep their order), events of a commit in trailer order.
 * text: one line per event, `<time>  <sha7>  <kind>  pool=<p> node=<n>  <reason>` (empty fields omitted);
 * json: an array of one object per event with keys in a fixed order, pretty-printed.
 */
export function renderTimeline(entries: readonly HistoryEntry[], format: TimelineFormat): string {
  const sorted = entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => b.entry.time.getTime() - a.entry.time.getTime() || a.index - b.index)
    .map(({ entry }) => entry);
  if (format === "json") {
    const rows = sorted.flatMap((entry) =>
      entry.events.map((e) => ({
        time: isoTime(entry.time),
        sha: entry.sha,
        cluster: entry.cluster ?? null,
        source: entry.source ?? null,
        kind: e.kind,
        pool: e.pool ?? null,
        node: e.node ?? null,
        reason: e.reason,
      })),
    );
    return `${JSON.stringify(rows, null, 2)}\n`;
  }
  const lines = sorted.flatMap((entry) =>
    entry.events.map((e) => {
      const where = [e.pool === undefined ? "" : `pool=${e.pool}`, e.node === undefined ? "" : `node=${e.node}`]
        .filter((p) => p !== "")
        .join(" ");
      const fields = [isoTime(entry.time), entry.sha.slice(0, 7), e.kind, where, e.reason].filter((f) => f !== "");
      return fields.join("  ");
    }),
  );
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** ISO 8601 in UTC to the second (`2026-11-25T10:00:00Z`). */
function isoTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Every commit reachable from `branch` in the clone at `dir`, parsed, in `git log` order (newest first). */
export async function readStatusHistory(options: { dir: string; branch: string }): Promise<HistoryEntry[]> {
  const commits = await git.log({ fs, dir: options.dir, ref: options.branch });
  return commits.map((c) => {
    const { subject, body } = splitMessage(c.commit.message);
    return parseStatusCommit({
      sha: c.oid,
      time: new Date(c.commit.committer.timestamp * 1000),
      subject,
      body,
    });
  });
}

function splitMessage(message: string): { subject: string; body: string } {
  const text = message.replace(/\r\n?/g, "\n");
  const newline = text.indexOf("\n");
  if (newline < 0) return { subject: text.trim(), body: "" };
  return { subject: text.slice(0, newline).trim(), body: text.slice(newline + 1).replace(/^\n+/, "") };
}
