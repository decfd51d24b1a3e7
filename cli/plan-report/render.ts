// What `poolkeeper plan` prints: the change's policy findings, what each changed pool and class does, and — over
// a snapshot — what the controller would do if the change merged; as text, Markdown (a PR comment) or JSON.
import type { ChangePreview } from "../../controller/index.ts";
import type { Finding } from "../../policies/index.ts";
import { type Block, renderMarkdown, renderText, type Section } from "./blocks.ts";
import { changeSections } from "./change-sections.ts";
import { clusterSections, UNKNOWN_WITHOUT_SNAPSHOT } from "./cluster-sections.ts";

export type PlanFormat = "text" | "markdown" | "json";

export interface PlanReport {
  readonly base: string;
  /** Undefined: the working tree. */
  readonly head: string | undefined;
  readonly findings: readonly Finding[];
  readonly errors: readonly { file: string; line: number; col: number; message: string }[];
  readonly changes: readonly { kind: string; name: string; file?: string; change: string }[];
  readonly preview: ChangePreview;
}

export function renderPlan(report: PlanReport, format: PlanFormat): string {
  if (format === "json") {
    // Without a snapshot a machine is told, as a reader is, what the plan cannot know.
    const unknown = report.preview.cluster === undefined ? { unknown: UNKNOWN_WITHOUT_SNAPSHOT } : {};
    return `${JSON.stringify({ apiVersion: "poolkeeper.dev/v1alpha1", kind: "Plan", ...report, ...unknown }, null, 2)}\n`;
  }
  const sections: Section[] = [
    {
      title: `poolkeeper plan: \`${report.base}\` → ${report.head === undefined ? "the working tree" : `\`${report.head}\``}`,
      level: 2,
      blocks: [{ p: summary(report) }],
    },
    policySection(report),
    ...changeSections(report),
    ...clusterSections(report.preview),
  ];
  return format === "markdown" ? renderMarkdown(sections) : renderText(sections);
}

function summary(report: PlanReport): string {
  const count = (severity: string) => report.findings.filter((f) => f.severity === severity).length;
  const denials = count("deny");
  const verdict = denials > 0 || report.errors.length > 0 ? "**blocked**" : "**allowed**";
  const parts = [
    `${denials} ${denials === 1 ? "denial" : "denials"}`,
    `${count("warn")} ${count("warn") === 1 ? "warning" : "warnings"}`,
    ...(report.errors.length > 0 ? [`${report.errors.length} unreadable`] : []),
  ];
  const objects = report.changes.length;
  return `Policy: ${verdict} (${parts.join(", ")}). ${objects} ${objects === 1 ? "object" : "objects"} changed.`;
}

const SEVERITY_ORDER = ["deny", "warn", "audit"];

function policySection(report: PlanReport): Section {
  const shown = report.findings
    .filter((f) => f.severity !== "audit")
    .sort(
      (a, b) =>
        SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
        (where(a) < where(b) ? -1 : where(a) > where(b) ? 1 : 0) ||
        (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0),
    );
  const audits = report.findings.length - shown.length;
  const blocks: Block[] = [];
  if (report.errors.length > 0)
    blocks.push({ list: report.errors.map((e) => `\`${e.file}:${e.line}:${e.col}\`: ${e.message}`) });
  blocks.push(
    shown.length === 0
      ? { p: "No denials or warnings." }
      : {
          table: {
            head: ["severity", "rule", "object", "where", "finding"],
            rows: shown.map((f) => [
              f.severity,
              `\`${f.rule}\``,
              `${f.object.kind}/${f.object.name}`,
              `\`${where(f)}\``,
              f.message,
            ]),
          },
        },
  );
  if (audits > 0)
    blocks.push({
      p: `${audits} audit ${audits === 1 ? "finding is" : "findings are"} not shown (\`poolkeeper check\` lists them).`,
    });
  return { title: "Policy", level: 3, blocks };
}

function where(f: Finding): string {
  const s = f.source ?? f.object.source;
  return s === undefined ? "" : `${s.file}:${s.line}:${s.col}`;
}
