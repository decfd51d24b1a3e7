// The report of `poolkeeper check`, in the formats a person or a CI system reads: text for a terminal, JSON for
// scripts, SARIF for code-scanning uploads, JUnit XML for GitLab and Jenkins test tabs, and GitHub Actions
// workflow commands for inline annotations. Every renderer is a pure function of the report: same report, same
// bytes, so output can be diffed, cached and tested against golden strings.
import type { Finding } from "../finding.ts";
import { renderGithub } from "./github.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderSarif } from "./sarif.ts";
import { renderText } from "./text.ts";

/** A position in an input file (1-based line and column, columns in UTF-16 code units as the YAML loader counts). */
export interface ReportPosition {
  file: string;
  line: number;
  col: number;
}

/** How an object differs from the base it is compared with (`check --base`). */
export type ObjectChange = "new" | "changed" | "deleted" | "unchanged";

export interface ObjectChangeEntry {
  kind: string;
  name: string;
  file?: string;
  change: ObjectChange;
}

/** What a report says about a rule: its one-line title, its documentation (markdown), and a page about it. */
export interface RuleInfo {
  title: string;
  docs: string;
  helpUri?: string;
}

export interface CheckReport {
  findings: readonly Finding[];
  /** Files read. */
  files: number;
  /** Objects judged. */
  objects: number;
  /** Documents set aside (not Karpenter objects), with the reason. */
  skipped: readonly (ReportPosition & { reason: string })[];
  /** Files or documents that could not be read. */
  errors: readonly (ReportPosition & { message: string })[];
  /** Per object, when comparing with a base (`check --base`). */
  changes?: readonly ObjectChangeEntry[];
  /** Rule metadata, for the formats that describe rules (SARIF's rules array, JSON). */
  rules: ReadonlyMap<string, RuleInfo>;
  toolVersion: string;
  /** Absolute URL of poolkeeper's documentation, for SARIF's `tool.driver.informationUri` (omitted when unset). */
  informationUri?: string;
}

export type ReportFormat = "text" | "json" | "sarif" | "junit" | "github";

export const REPORT_FORMATS: readonly ReportFormat[] = ["text", "json", "sarif", "junit", "github"];

/** The colours the text report uses; `Output.style` from the CLI fits this type. */
export type ReportColour = "red" | "yellow" | "gray" | "bold";

export type Style = (colour: ReportColour, text: string) => string;

const plain: Style = (_colour, text) => text;

/**
 * Renders the report in a format. Only the text format is coloured, and only through `style` (the CLI passes
 * its terminal-aware `Output.style`); every other format is data a program reads, never styled.
 */
export function renderReport(report: CheckReport, format: ReportFormat, style: Style = plain): string {
  switch (format) {
    case "text":
      return renderText(report, style);
    case "json":
      return renderJson(report);
    case "sarif":
      return renderSarif(report);
    case "junit":
      return renderJunit(report);
    case "github":
      return renderGithub(report);
  }
}

export { escapeControlCharacters } from "./control-characters.ts";
export { renderGithub, escapeCommandData, escapeCommandProperty } from "./github.ts";
export { renderJson, jsonText, type JsonCheckReport } from "./json.ts";
export { renderJunit, escapeXmlAttribute, escapeXmlText } from "./junit.ts";
export { renderSarif, artifactUri } from "./sarif.ts";
export { renderText } from "./text.ts";
export { pointerToFieldPath, formatPointer, summarize, summaryLine, type ReportSummary } from "./shared.ts";
