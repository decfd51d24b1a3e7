// The budgets family: `spec.disruption.budgets`, which cap how many of a NodePool's nodes Karpenter disrupts at once
// for drift, emptiness and consolidation. Judged on the defaulted object (no budgets written means Karpenter's
// `[{nodes: "10%"}]`), with Karpenter's own reading of schedules: robfig/cron in UTC, fail-closed when unparsable,
// and no limit at all while no budget is active. Every finding on a schedule states its window in plain words.
import type { Operation } from "fast-json-patch";
import {
  isRecord,
  parseBudgetDuration,
  parseKarpenterSchedule,
  type DisruptionBudget,
  type FieldPath,
  type ParsedSchedule,
  type ScheduleError,
} from "../../api/index.ts";
import {
  budgetWindowDescription,
  describeSchedule,
  scheduleErrorMessage,
  scheduleErrorReason,
  seasonalReferenceDates,
  toUtcWindow,
  type UtcWindow,
} from "../schedule-text/index.ts";
import { defineRule, type Violation } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";
import { unlessInvalid, ValueError } from "../../api/index.ts";

const kinds = ["NodePool"] as const;
const BUDGETS: FieldPath = ["spec", "disruption", "budgets"];
const REASONS = ["Drifted", "Empty", "Underutilized"] as const;
const DAY = 1440;
const WEEK = 7 * DAY;

interface BudgetAt {
  readonly index: number;
  readonly budget: DisruptionBudget;
  readonly path: FieldPath;
  /** False when the API server would reject it (schema or CEL): schema.* reports it. */
  readonly valid: boolean;
}

function startsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.every((segment, i) => path[i] === segment);
}

/** The budgets as judged (with the API server's defaults); undefined when the list itself is malformed. */
function budgetsOf(target: PolicyTarget): BudgetAt[] | undefined {
  const disruption = isRecord(target.object.spec) ? target.object.spec.disruption : undefined;
  const list = isRecord(disruption) ? disruption.budgets : undefined;
  if (!Array.isArray(list)) return undefined;
  // The budgets with a schema or CEL error, found in one pass over the errors rather than one per budget.
  const invalid = new Set<unknown>();
  for (const e of target.validation)
    if (startsWith(e.path, BUDGETS) && e.path.length > BUDGETS.length) invalid.add(e.path[BUDGETS.length]);
  return list.map((entry: unknown, index): BudgetAt => {
    const path = [...BUDGETS, index];
    const record = isRecord(entry) ? entry : {};
    const text = (key: string) => (typeof record[key] === "string" ? (record[key] as string) : undefined);
    const reasons = Array.isArray(record.reasons) ? record.reasons.filter((r) => typeof r === "string") : undefined;
    const budget: DisruptionBudget = {
      nodes: text("nodes") ?? "",
      ...(reasons ? { reasons } : {}),
      ...(text("schedule") !== undefined ? { schedule: text("schedule") } : {}),
      ...(text("duration") !== undefined ? { duration: text("duration") } : {}),
    };
    // `schedule` without `duration` (or the reverse) is the CRD's CEL rule's finding, reported on the list.
    const paired = (budget.schedule === undefined) === (budget.duration === undefined);
    const valid = isRecord(entry) && text("nodes") !== undefined && paired && !invalid.has(index);
    return { index, budget, path, valid };
  });
}

type Parsed = { at: BudgetAt; schedule: ParsedSchedule; duration: string };

/** The valid scheduled budgets whose schedule Karpenter can parse. */
function scheduled(budgets: readonly BudgetAt[]): Parsed[] {
  return budgets.flatMap((at) => {
    const { schedule, duration } = at.budget;
    if (!at.valid || schedule === undefined || duration === undefined) return [];
    const parsed = parseKarpenterSchedule(schedule);
    return parsed.ok ? [{ at, schedule: parsed, duration }] : [];
  });
}

const isZero = (nodes: string) => /^0+%?$/.test(nodes);

const appliesTo = (budget: DisruptionBudget, reason: string) =>
  budget.reasons === undefined || budget.reasons.includes(reason);

function reasonsText(reasons: readonly string[]): string {
  if (reasons.length <= 1) return reasons.join("");
  return `${reasons.slice(0, -1).join(", ")} and ${reasons[reasons.length - 1] ?? ""}`;
}

/** "blocks all disruption", "limits Drifted disruption to 1 node at a time". */
function effectText(budget: DisruptionBudget): string {
  if (budget.reasons !== undefined && budget.reasons.length === 0)
    return "limits no disruption (its reasons list is empty)";
  const what = budget.reasons === undefined ? "all" : reasonsText(budget.reasons);
  if (isZero(budget.nodes)) return `blocks ${what} disruption`;
  const count = budget.nodes.endsWith("%")
    ? `${budget.nodes} of the pool's nodes`
    : `${budget.nodes} node${budget.nodes === "1" ? "" : "s"}`;
  return `limits ${what} disruption to ${count} at a time`;
}

/** When a scheduled budget is active, in plain words: "Mon–Fri 09:00–21:00 UTC", "at all times (…)". */
function windowText(schedule: string, duration: string): string {
  const text = unlessInvalid(() => budgetWindowDescription(schedule, duration));
  if (text === undefined) return `for ${duration} after each run of "${schedule}"`;
  if (text.startsWith("always: ")) return `at all times (${text.slice("always: ".length)})`;
  if (text.startsWith("never: ")) return `never (${text.slice("never: ".length)})`;
  return text;
}

const alwaysOrNever = (window: string) => window.startsWith("at all times") || window.startsWith("never");

function describeBudget({ at, duration }: Parsed): string {
  const window = windowText(at.budget.schedule ?? "", duration);
  return `budget ${at.index} ${effectText(at.budget)} ${window}`;
}

function addBudgetPatch(target: PolicyTarget, budget: Record<string, unknown>): { patch?: Operation[] } {
  const spec = isRecord(target.written.spec) ? target.written.spec : undefined;
  const disruption = spec && isRecord(spec.disruption) ? spec.disruption : undefined;
  if (!disruption || !Array.isArray(disruption.budgets)) return {};
  return { patch: [{ op: "add", path: "/spec/disruption/budgets/-", value: budget }] };
}

// The ranges robfig rejects because they wrap ("sat-sun"), rewritten as the hint says; checked by parsing it back.
function repairedSchedule(schedule: string, error: ScheduleError): string | undefined {
  const suggestion = /write "([^"]+)" instead/.exec(scheduleErrorMessage(error))?.[1];
  const expr = error.goError.slice(error.goError.lastIndexOf(": ") + 2);
  const fields = schedule.trim().split(/\s+/);
  if (suggestion === undefined || expr === "" || fields.length !== 5) return undefined;
  let hits = 0;
  const repaired = fields
    .map((field) =>
      field
        .split(",")
        .map((item) => (item === expr ? (hits++, suggestion) : item))
        .join(","),
    )
    .join(" ");
  return hits === 1 && parseKarpenterSchedule(repaired).ok ? repaired : undefined;
}

export const scheduleUnparsable = defineRule({
  id: "budgets.schedule-unparsable",
  family: "budgets",
  title: "Budget schedules are ones Karpenter can parse",
  docs: `Karpenter reads a budget's \`schedule\` with robfig/cron (\`ParseStandard\`, five fields, in UTC). The CRD's pattern
only checks that there are five space-separated parts, so schedules from other cron dialects pass \`kubectl apply\`
and then fail in Karpenter: a wrapping range (\`0 0 * * sat-sun\`, kubernetes-sigs/karpenter#1866), day-of-week \`7\`
for Sunday, Quartz's \`L\`, \`#\` or seconds field, a \`TZ=\` prefix.

Karpenter then **fails closed**: while any budget of the pool cannot be evaluated, it allows 0 disruptions for
every reason, so the pool's nodes are never consolidated, never replaced for drift, and empty nodes stay (expiry
and interruptions still happen). Nothing on the NodePool says so; only the controller's logs do.

The finding gives robfig's reason and what to write instead; when the fix is certain (a wrapping range rewritten as
a list, \`sat-sun\` → \`sat,sun\`), the patch applies it.`,
  kinds,
  view: "raw",
  fields: [["object", "spec", "disruption", "budgets"], ["validation"]],
  enforcement: { baseline: "deny", strict: "deny" },
  check(target) {
    const out: Violation[] = [];
    for (const at of budgetsOf(target) ?? []) {
      const schedule = at.budget.schedule;
      if (!at.valid || schedule === undefined) continue;
      const parsed = parseKarpenterSchedule(schedule);
      if (parsed.ok) continue;
      const reason = scheduleErrorReason(parsed);
      const repaired = repairedSchedule(schedule, parsed);
      out.push({
        path: [...at.path, "schedule"],
        message: `Karpenter cannot parse budget ${at.index}'s schedule "${schedule}" (${reason}), so it fails closed and allows 0 disruptions for every reason in this NodePool: no drift, consolidation or emptiness disruption until the schedule is fixed.`,
        hint: repaired
          ? `write "${repaired}" (robfig/cron syntax, in UTC)`
          : "rewrite the schedule in robfig/cron's five-field syntax (minute hour day-of-month month day-of-week, in UTC)",
        ...(repaired
          ? { patch: [{ op: "replace", path: `/spec/disruption/budgets/${at.index}/schedule`, value: repaired }] }
          : {}),
      });
    }
    return out;
  },
});

function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h > 0 ? `${h}h` : ""}${m > 0 || h === 0 ? `${m}m` : ""}`;
}

// The budget scheduled for the rest of the time, for a single daily or weekly window: what blocks disruption
// outside a window in Karpenter's terms.
function complement(parsed: Parsed): { schedule: string; duration: string } | undefined {
  const { schedule } = parsed;
  if (schedule.kind !== "cron") return undefined;
  const f = schedule.fields;
  const [minute] = f.minutes;
  const [hour] = f.hours;
  if (f.minutes.length !== 1 || f.hours.length !== 1 || minute === undefined || hour === undefined) return undefined;
  if (f.months.length !== 12 || !f.domStar) return undefined;
  const ms = unlessInvalid(() => parseBudgetDuration(parsed.duration));
  if (ms === undefined) return undefined;
  const minutes = ms / 60_000;
  const start = hour * 60 + minute;
  if (f.dowStar) {
    if (minutes <= 0 || minutes >= DAY) return undefined;
    const end = (start + minutes) % DAY;
    return { schedule: `${end % 60} ${Math.floor(end / 60)} * * *`, duration: formatMinutes(DAY - minutes) };
  }
  const [day] = f.daysOfWeek;
  if (f.daysOfWeek.length !== 1 || day === undefined || minutes <= 0 || minutes >= WEEK) return undefined;
  const end = (day * DAY + start + minutes) % WEEK;
  const clock = end % DAY;
  return {
    schedule: `${clock % 60} ${Math.floor(clock / 60)} * * ${Math.floor(end / DAY)}`,
    duration: formatMinutes(WEEK - minutes),
  };
}

export const scheduledOnly = defineRule({
  id: "budgets.scheduled-only",
  family: "budgets",
  title: "An unscheduled budget limits disruption outside the scheduled windows",
  docs: `Budgets only restrict. A scheduled budget limits disruption while its window is open and sets **no limit** while
it is closed, and when no budget is active Karpenter's disruption is unlimited: it may disrupt every node of the
pool at once. So a NodePool whose budgets are all scheduled has no limit outside their windows — the opposite of
what most authors mean by "allow disruption only from 02:00 to 06:00" (kubernetes-sigs/karpenter#1939, #2183,
aws/karpenter-provider-aws#8290: Karpenter's most reported surprise). Writing any budget also replaces Karpenter's
default \`[{nodes: "10%"}]\`, and an empty \`budgets: []\` leaves no limit at all.

Reported when, for some reason (Drifted, Empty, Underutilized), scheduled budgets exist but no unscheduled budget
covers it, or when the list is empty. The finding states each window in plain words (UTC).

Fix, depending on intent:

- **cap disruption at all times, and block it in a window**: add an unscheduled budget such as \`{nodes: "10%"}\`
  (Karpenter takes the smallest limit among active budgets, so a blocking window still blocks). When every
  scheduled budget involved blocks disruption (\`nodes: "0"\`), the patch adds exactly that.
- **allow disruption only inside a window**: block it outside instead — a budget with \`nodes: "0"\` scheduled for
  the rest of the time (the finding computes it for a single daily or weekly window), plus an unscheduled budget
  for the cap inside the window.

A warning in baseline (the pool works, just without the limit its author expects), a denial in strict.`,
  kinds,
  view: "raw",
  fields: [["object", "spec", "disruption", "budgets"], ["validation"], ["written", "spec", "disruption", "budgets"]],
  enforcement: { baseline: "warn", strict: "deny" },
  check(target) {
    const budgets = budgetsOf(target);
    if (!budgets) return [];
    if (budgets.length === 0) {
      return [
        {
          path: BUDGETS,
          message: `spec.disruption.budgets is an empty list, so no budget is ever active and Karpenter may disrupt every node of this NodePool at once (its default of 10% applies only when the field is absent).`,
          hint: 'add a budget such as {nodes: "10%"}, or remove the empty list to get that default',
          ...addBudgetPatch(target, { nodes: "10%" }),
        },
      ];
    }
    // Any budget Karpenter cannot evaluate makes the pool fail closed (or be rejected): that is the finding then.
    if (budgets.some((b) => !b.valid)) return [];
    const parsed = scheduled(budgets);
    if (parsed.length !== budgets.filter((b) => b.budget.schedule !== undefined).length) return [];
    const unscheduled = budgets.filter((b) => b.budget.schedule === undefined);
    const uncovered = REASONS.filter(
      (reason) =>
        parsed.some((p) => appliesTo(p.at.budget, reason)) && !unscheduled.some((b) => appliesTo(b.budget, reason)),
    );
    if (uncovered.length === 0) return [];
    const involved = parsed.filter((p) => uncovered.some((reason) => appliesTo(p.at.budget, reason)));
    const windows = involved.map(describeBudget).join("; ");
    const all = uncovered.length === REASONS.length;
    const message =
      unscheduled.length === 0 && all
        ? `every disruption budget of this NodePool has a schedule, so outside their windows (${windows}) no budget is active and Karpenter may disrupt any number of its nodes at once.`
        : `no unscheduled budget covers ${reasonsText(uncovered)} disruption, so outside the scheduled windows (${windows}) Karpenter may disrupt any number of this NodePool's nodes at once for ${reasonsText(uncovered)}.`;
    const cap: Record<string, unknown> = all ? { nodes: "10%" } : { nodes: "10%", reasons: [...uncovered] };
    const capText = all ? '{nodes: "10%"}' : `{nodes: "10%", reasons: [${uncovered.join(", ")}]}`;
    const rest = involved.length === 1 && involved[0] ? complement(involved[0]) : undefined;
    const outside = rest ? ` (schedule "${rest.schedule}", duration ${rest.duration})` : "";
    // Adding the cap changes nothing inside windows that block disruption (Karpenter takes the smallest limit), so
    // only then is the patch certain; a permissive window would also be capped.
    const blocking = involved.every((p) => isZero(p.at.budget.nodes));
    return [
      {
        path: BUDGETS,
        message,
        hint: blocking
          ? `add an unscheduled budget such as ${capText} to cap disruption outside the windows; they still block, as Karpenter applies the smallest limit among active budgets`
          : `add an unscheduled budget such as ${capText} to cap disruption at all times; to allow disruption only inside a window, block it outside instead with a nodes "0" budget scheduled for the rest of the time${outside}`,
        ...(blocking ? addBudgetPatch(target, cap) : {}),
      },
    ];
  },
});

export const nodesZeroUnscheduled = defineRule({
  id: "budgets.nodes-zero-unscheduled",
  family: "budgets",
  title: "No budget blocks drift at all times",
  docs: `A budget with \`nodes: "0"\` and no schedule is always active and allows no disruption for its reasons. When
those include \`Drifted\` (or it has no \`reasons\`, so it covers all of them), Karpenter never replaces a drifted
node: changes to the NodePool's template, its EC2NodeClass, or a new AMI (including security fixes) never reach
the existing nodes. Without \`reasons\`, empty and underutilized nodes are never consolidated either. Only forceful
disruption still happens: expiry (\`expireAfter\`, 720h by default) and interruptions (spot reclaims, maintenance
events) — and with \`expireAfter: Never\`, nothing replaces the pool's nodes at all.

Blocking only \`Empty\` or \`Underutilized\` is a cost choice (keep nodes around for bursty work) and is not
reported.

A pool that hosts workloads that must not move may mean it; then exempt it, ideally with a planned expiry. A
warning in baseline, a denial in strict.

Fix: limit drift instead of blocking it (\`{nodes: "1", reasons: [Drifted]}\`), or block it only during business
hours with a \`schedule\` and \`duration\`.`,
  kinds,
  view: "raw",
  fields: [
    ["object", "spec", "disruption", "budgets"],
    ["object", "spec", "template", "spec", "expireAfter"],
    ["validation"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  check(target) {
    const spec = isRecord(target.object.spec) ? target.object.spec : {};
    const template = isRecord(spec.template) && isRecord(spec.template.spec) ? spec.template.spec : {};
    const expireAfter = typeof template.expireAfter === "string" ? template.expireAfter : "720h";
    return (budgetsOf(target) ?? []).flatMap((at) => {
      const { budget } = at;
      if (!at.valid || budget.schedule !== undefined || !isZero(budget.nodes) || !appliesTo(budget, "Drifted")) {
        return [];
      }
      const all = budget.reasons === undefined || REASONS.every((r) => appliesTo(budget, r));
      const blocked = all ? "all voluntary disruption" : `${reasonsText(budget.reasons ?? [])} disruption`;
      const consolidation = all ? " and empty or underutilized nodes are never consolidated" : "";
      const forced =
        expireAfter === "Never"
          ? "and with expireAfter Never, nothing but interruptions ever replaces them"
          : `only expiry (expireAfter ${expireAfter}) and interruptions replace them`;
      return [
        {
          path: [...at.path, "nodes"],
          message: `budget ${at.index} has nodes "${budget.nodes}" and no schedule, so it blocks ${blocked} of this NodePool at all times: template, EC2NodeClass and AMI changes never reach existing nodes${consolidation}, and ${forced}.`,
          hint: 'limit drift instead of blocking it (e.g. {nodes: "1", reasons: [Drifted]}), or block it only in a window with a schedule and duration',
        },
      ];
    });
  },
});

export const neverFires = defineRule({
  id: "budgets.never-fires",
  family: "budgets",
  title: "No budget schedule that never runs (Karpenter treats it as always active)",
  docs: `A schedule robfig/cron finds no run for within five years — \`0 0 31 2 *\` (February 31st), \`0 0 30 2 *\` — is
parsed fine, but robfig then returns Go's zero time, which Karpenter reads as "the window has started": the budget
is **active at all times**. Authors write such schedules to switch a budget off; Karpenter does the opposite, and a
\`nodes: "0"\` budget then blocks disruption forever.

A warning in baseline (the pool works, with a permanent budget), a denial in strict. Fix: remove the budget to
disable it, or give it a date that exists.`,
  kinds,
  view: "raw",
  fields: [["object", "spec", "disruption", "budgets"], ["validation"]],
  enforcement: { baseline: "warn", strict: "deny" },
  check(target) {
    return scheduled(budgetsOf(target) ?? []).flatMap(({ at, schedule }) => {
      if (!schedule.neverFires) return [];
      return [
        {
          path: [...at.path, "schedule"],
          message: `budget ${at.index}'s schedule "${schedule.schedule}" never runs (${describeSchedule(schedule)}), and Karpenter treats a schedule with no next run as active, so this budget ${effectText(at.budget)} at all times, not never.`,
          hint: "remove the budget to switch it off, or give it a schedule that runs",
        },
      ];
    });
  },
});

// A schedule meant in local time, as the UTC schedules that match it: one all year, or the DST variants and the
// single wider window that covers the local time in both.
function timeZoneHint(window: UtcWindow, duration: string): string {
  const utc = window.equivalents.map((e) => e.utcSchedule);
  const [first] = utc;
  if (!window.drifts) {
    return first === undefined
      ? "rewrite the schedule in UTC; no single UTC schedule matches it"
      : `write "${first}" to mean ${window.timeZone} time`;
  }
  const summer = window.equivalents.reduce((a, b) => (b.offsetMinutes > a.offsetMinutes ? b : a));
  const winter = window.equivalents.reduce((a, b) => (b.offsetMinutes < a.offsetMinutes ? b : a));
  if (summer.utcSchedule === undefined || winter.utcSchedule === undefined) {
    return "rewrite the schedule in UTC for each DST period; no single UTC schedule matches it";
  }
  // An invalid duration is schema.*'s finding.
  const ms = unlessInvalid(() => parseBudgetDuration(duration));
  const minutes = ms === undefined ? undefined : ms / 60_000 + window.driftMinutes;
  const wider =
    minutes === undefined
      ? ""
      : `write schedule "${summer.utcSchedule}" with duration ${formatMinutes(minutes)} to cover the local window all year (${formatMinutes(window.driftMinutes)} longer), or `;
  return `${wider}switch between "${winter.utcSchedule}" (winter) and "${summer.utcSchedule}" (summer) at each DST change`;
}

export const timeZone = defineRule<{ timeZone: string | null }>({
  id: "budgets.time-zone",
  family: "budgets",
  title: "Budget schedules meant in local time are written in UTC",
  docs: `Karpenter evaluates every budget schedule in UTC; there is no time-zone field (kubernetes-sigs/karpenter#3074),
and a \`TZ=\` prefix makes the schedule unparsable. A team that thinks in local time writes \`0 9 * * 1-5\` meaning
09:00 in Berlin and gets 09:00 UTC — an hour or two late — and where clocks change, no UTC schedule matches a local
time all year: 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer.

Set the parameter \`timeZone\` (an IANA name such as \`Europe/Berlin\`; none by default, so the rule checks nothing)
to the zone the team's schedules are meant in. Each scheduled budget is then reported, as a reminder that Karpenter
reads it in UTC, with its window as Karpenter applies it and the UTC schedules that match the local time: one
schedule when the zone has no daylight saving time, otherwise the winter and summer schedules and a single wider
window that covers the local time all year (for a budget that blocks disruption, the safe choice). The DST dates
are those of the evaluation year.

A warning in both presets; the finding stays while \`timeZone\` is set, since the schedule's text cannot say which
zone it was written for.`,
  kinds,
  view: "raw",
  enforcement: { baseline: "warn", strict: "warn" },
  reads: ["now"],
  params: {
    schema: { properties: { timeZone: { type: ["string", "null"], minLength: 1 } } },
    defaults: { timeZone: null },
  },
  // The DST dates are the evaluation year's.
  timeKey: (now) => String(now.getUTCFullYear()),
  check(target, { params, now }) {
    const zone = params.timeZone;
    if (zone === null) return [];
    const dates = seasonalReferenceDates(now.getUTCFullYear());
    const out: Violation[] = [];
    for (const parsed of scheduled(budgetsOf(target) ?? [])) {
      const { at, schedule, duration } = parsed;
      if (schedule.kind !== "cron" || schedule.neverFires) continue;
      let window: UtcWindow;
      try {
        window = toUtcWindow(schedule.schedule, zone, dates);
      } catch (error) {
        if (!(error instanceof ValueError)) throw error;
        const reason = error.message;
        return [
          {
            path: BUDGETS,
            message: `the budgets.time-zone rule's timeZone parameter cannot be used (${reason}), so the schedules were not checked.`,
          },
        ];
      }
      if (window.offsetsMinutes.every((o) => o === 0)) continue;
      out.push({
        path: [...at.path, "schedule"],
        message: `Karpenter evaluates budget ${at.index}'s schedule "${schedule.schedule}" in UTC, so it ${effectText(at.budget)} ${windowText(schedule.schedule, duration)}, not in ${zone} time; if it was meant in ${zone}, ${window.message}.`,
        hint: timeZoneHint(window, duration),
      });
    }
    return out;
  },
});

export const window = defineRule({
  id: "budgets.window",
  family: "budgets",
  title: "What each scheduled budget does, and when (audit)",
  docs: `A record of every scheduled budget in plain words — "budget 0 blocks all disruption Mon–Fri 09:00–21:00 UTC", "budget
1 limits Drifted disruption to 1 node at a time daily 02:00–06:00 UTC" — computed the way Karpenter evaluates the
schedule (robfig/cron, UTC, windows that overlap merged), so a reviewer reads what the cron expression and duration
actually mean. Outside its window a scheduled budget sets no limit (see \`budgets.scheduled-only\`).

Audit in both presets: it describes, it does not judge, so it is recorded (a grey line in the text report, a note
in SARIF, a notice in GitHub annotations) and never fails a check or adds a warning.`,
  kinds,
  view: "raw",
  fields: [["object", "spec", "disruption", "budgets"], ["validation"]],
  enforcement: { baseline: "audit", strict: "audit" },
  check(target) {
    return scheduled(budgetsOf(target) ?? []).map((parsed) => {
      const window = windowText(parsed.at.budget.schedule ?? "", parsed.duration);
      const outside = alwaysOrNever(window) ? "" : ", and sets no limit outside that window";
      return { path: [...parsed.at.path, "schedule"], message: `${describeBudget(parsed)}${outside}.` };
    });
  },
});

export const budgetRules = [scheduleUnparsable, scheduledOnly, nodesZeroUnscheduled, neverFires, timeZone, window];
