// `poolkeeper history`: the audit trail read back from the status branch, one line (or JSON object) per event,
// newest first. The branch is fetched from an HTTP(S) remote or read in place from a local repository; --cluster,
// --pool, --event and --since narrow it down. A Git failure is reported on one line and exits 2; an empty result
// is no failure.
import { parseDuration, unlessInvalid } from "../../api/index.ts";
import { configDefaults } from "../../gitops/index.ts";
import {
  fetchStatusHistory,
  filterTimeline,
  renderTimeline,
  type TimelineFilter,
  type TimelineFormat,
} from "../../gitops/index.ts";
import { SourceError } from "../../gitops/index.ts";
import { STATUS_EVENT_KINDS, type StatusEventKind } from "../../gitops/index.ts";
import { readGitCredentials, type GitCredentialOptions } from "../git-credentials.ts";
import { InputError } from "../input-files.ts";
import type { Output } from "../output.ts";

export interface HistoryOptions extends GitCredentialOptions {
  /** HTTP(S) URL or local path of the repository holding the status branch; the current directory by default. */
  repo?: string;
  /** `poolkeeper-status` by default. */
  statusBranch?: string;
  cluster?: string;
  pool?: string;
  event?: StatusEventKind;
  /** ISO 8601 date or time, or a duration back from `now` ("24h", "7d"). */
  since?: string;
  format?: TimelineFormat;
  /** Keeps the clone of an HTTP(S) remote between runs. */
  cacheDir?: string;
  /** The time --since durations count back from; now by default. */
  now?: Date;
  /** Where credentials are looked up; the process environment by default. */
  env?: NodeJS.ProcessEnv;
}

export async function runHistory(options: HistoryOptions, out: Output): Promise<number> {
  const format = options.format ?? "text";
  const branch = options.statusBranch ?? configDefaults.statusBranch;
  const filter: TimelineFilter = {};
  if (options.cluster !== undefined) filter.cluster = options.cluster;
  if (options.pool !== undefined) filter.pool = options.pool;
  if (options.event !== undefined) {
    if (!(STATUS_EVENT_KINDS as readonly string[]).includes(options.event)) {
      throw new InputError(`--event "${options.event}": expected one of ${STATUS_EVENT_KINDS.join(", ")}`);
    }
    filter.event = options.event;
  }
  if (options.since !== undefined) filter.since = parseSince(options.since, options.now ?? new Date());
  // Read before any network access, so a bad option fails fast.
  const credentials = readGitCredentials(options, options.env);

  let entries;
  try {
    entries = await fetchStatusHistory({
      url: options.repo ?? ".",
      branch,
      ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
      ...(credentials === undefined ? {} : { credentials }),
    });
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    out.stderr(`poolkeeper history: ${error.message}\n`);
    return 2;
  }

  const matching = filterTimeline(entries, filter);
  out.stdout(renderTimeline(matching, format));
  // JSON readers get `[]`; a person reading text gets told why there is nothing, on stderr.
  if (format === "text" && matching.every((entry) => entry.events.length === 0)) {
    const filtered = Object.keys(filter).length > 0;
    out.stderr(
      filtered
        ? `poolkeeper history: no status events match (${commits(entries.length)} on ${branch} read).\n`
        : `poolkeeper history: no status events on ${branch} (${commits(entries.length)} read).\n`,
    );
  }
  return 0;
}

function commits(n: number): string {
  return `${n} commit${n === 1 ? "" : "s"}`;
}

const SINCE_EXPECTED =
  'expected an ISO 8601 date or time ("2026-11-01", "2026-11-01T10:00:00Z") or how long ago ("24h", "90m", "7d")';

/**
 * `--since`: an ISO 8601 date or date-time (UTC unless it gives an offset, like the timeline it filters), or a Go
 * duration counting back from `now`, with `d` for days allowed in front ("7d", "1d12h").
 */
export function parseSince(value: string, now: Date): Date {
  const text = value.trim();
  const time = parseIsoTime(text);
  if (time !== undefined) return time;
  const ago = parseAgo(text);
  if (ago === undefined) throw new InputError(`--since "${value}": ${SINCE_EXPECTED}`);
  if (ago < 0) throw new InputError(`--since "${value}": a duration counts back from now and cannot be negative`);
  return new Date(now.getTime() - ago);
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

function parseIsoTime(text: string): Date | undefined {
  const m = ISO_TIME.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((v) => Number(v ?? 0));
  const ms = Number(`0.${m[7] ?? "0"}`) * 1000;
  const utc = Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0);
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-30 over into March: such a date is rejected, not moved.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() + 1 !== month ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  const offset = offsetMinutes(m[8]);
  if (offset === undefined) return undefined;
  return new Date(utc + ms - offset * 60_000);
}

/** The zone's offset east of UTC in minutes; undefined for an impossible one ("+25:00"). */
function offsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || /^z$/i.test(zone)) return 0;
  const digits = zone.slice(1).replace(":", "");
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || "0");
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith("-") ? -1 : 1) * (hours * 60 + minutes);
}

/** Milliseconds of `7d`, `1d12h`, or a Go duration; undefined when it is none of those. */
function parseAgo(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)d(.*)$/.exec(text);
  const days = m === null ? 0 : Number(m[1]) * 86_400_000;
  const rest = m === null ? text : (m[2] ?? "");
  if (rest === "") return m === null ? undefined : days;
  if (m !== null && /^[+-]/.test(rest)) return undefined; // "1d-2h" is no duration
  const ms = unlessInvalid(() => parseDuration(rest));
  return ms === undefined ? undefined : days + ms;
}
