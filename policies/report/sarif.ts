// SARIF 2.1.0 (OASIS), the format code-scanning services ingest (GitHub code scanning, Azure DevOps, IDE viewers):
// one run, the rules the findings name with their documentation, one result per finding at its file:line:col with
// the object and field as logical locations, exemptions as external suppressions, and what could not be read as
// tool notifications rather than results (a parse failure is not a policy violation).
import type { Finding } from "../finding.ts";
import type { CheckReport, ReportPosition, RuleInfo } from "./index.ts";
import { jsonText } from "./json.ts";
import {
  comparePositions,
  findingLocation,
  formatPointer,
  groupByObject,
  objectLabel,
  sortFindings,
} from "./shared.ts";

/** The schema URI GitHub's and Microsoft's SARIF tooling use for 2.1.0. */
const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

const LEVEL = { deny: "error", warn: "warning", audit: "note" } as const;

type SarifMessage = { text: string; markdown?: string };

interface SarifRegion {
  startLine: number;
  startColumn?: number;
}

interface SarifPhysicalLocation {
  artifactLocation: { uri: string };
  region?: SarifRegion;
}

interface SarifLogicalLocation {
  name: string;
  fullyQualifiedName: string;
  kind: string;
}

interface SarifLocation {
  physicalLocation?: SarifPhysicalLocation;
  logicalLocations?: SarifLogicalLocation[];
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: "error" | "warning" | "note";
  message: SarifMessage;
  locations: SarifLocation[];
  suppressions?: { kind: "external"; state: "accepted"; justification: string }[];
  properties: Record<string, unknown>;
}

interface SarifRule {
  id: string;
  shortDescription: SarifMessage;
  fullDescription?: SarifMessage;
  help?: SarifMessage;
  helpUri?: string;
}

interface SarifNotification {
  level: "error" | "note";
  message: SarifMessage;
  locations: SarifLocation[];
}

/**
 * A file name as a URI reference: forward slashes, each segment percent-encoded (a space or `#` in a name would
 * otherwise make an invalid or different reference), relative names kept relative so viewers resolve them against
 * the checkout, absolute ones as `file:` URIs.
 */
export function artifactUri(file: string): string {
  const path = file.replaceAll("\\", "/");
  const encode = (segments: string) => segments.split("/").map(encodeURIComponent).join("/");
  const drive = /^([A-Za-z]):\//.exec(path);
  if (drive) return `file:///${drive[1]}:/${encode(path.slice(3))}`;
  if (path.startsWith("/")) return `file://${encode(path)}`;
  return encode(path.replace(/^(\.\/)+/, ""));
}

function physicalLocation(location: { file?: string; line?: number; col?: number }): SarifPhysicalLocation | undefined {
  if (location.file === undefined) return undefined;
  const physical: SarifPhysicalLocation = { artifactLocation: { uri: artifactUri(location.file) } };
  // SARIF regions are 1-based; a whole-file problem (line 0) has no region.
  if (location.line !== undefined && location.line >= 1) {
    physical.region = { startLine: location.line };
    if (location.col !== undefined && location.col >= 1) physical.region.startColumn = location.col;
  }
  return physical;
}

function resultLocation(finding: Finding): SarifLocation {
  const object = objectLabel(finding.object.kind, finding.object.name);
  const logical: SarifLogicalLocation[] = [{ name: object, fullyQualifiedName: object, kind: "resource" }];
  if (finding.pointer !== "") {
    const path = formatPointer(finding.pointer);
    logical.push({ name: path, fullyQualifiedName: `${object} ${path}`, kind: "property" });
  }
  const location: SarifLocation = {};
  const physical = physicalLocation(findingLocation(finding));
  if (physical) location.physicalLocation = physical;
  location.logicalLocations = logical;
  return location;
}

function ruleDescriptor(id: string, info: RuleInfo | undefined): SarifRule {
  // A policy's own CEL rules may have no metadata here: the id alone still lets a viewer group results.
  if (!info) return { id, shortDescription: { text: id } };
  const rule: SarifRule = { id, shortDescription: { text: info.title } };
  const docs = info.docs.trim();
  if (docs !== "") {
    const firstParagraph = docs.split(/\n\s*\n/)[0] ?? docs;
    rule.fullDescription = { text: firstParagraph };
    rule.help = { text: docs, markdown: docs };
  }
  if (info.helpUri) rule.helpUri = info.helpUri;
  return rule;
}

function notification(level: "error" | "note", position: ReportPosition, text: string): SarifNotification {
  const physical = physicalLocation(position);
  return { level, message: { text }, locations: physical ? [{ physicalLocation: physical }] : [] };
}

export function renderSarif(report: CheckReport): string {
  const findings = sortFindings(report.findings);
  const ruleIds = [...new Set(findings.map((f) => f.rule))].sort();
  const changes = new Map<Finding, string>();
  for (const group of groupByObject(report)) {
    if (group.change) for (const f of group.findings) changes.set(f, group.change);
  }

  const results = findings.map((finding): SarifResult => {
    const result: SarifResult = {
      ruleId: finding.rule,
      ruleIndex: ruleIds.indexOf(finding.rule),
      level: LEVEL[finding.severity],
      message: { text: finding.hint ? `${finding.message}\nfix: ${finding.hint}` : finding.message },
      locations: [resultLocation(finding)],
      properties: { severity: finding.severity, pointer: finding.pointer },
    };
    if (finding.exemptedBy !== undefined) {
      result.suppressions = [{ kind: "external", state: "accepted", justification: finding.exemptedBy }];
    }
    const change = changes.get(finding);
    if (change) result.properties.objectChange = change;
    // The RFC 6902 patch, for bots that apply it: SARIF's own `fixes` need byte ranges of the file's text.
    if (finding.patch && finding.patch.length > 0) result.properties.patch = finding.patch;
    return result;
  });

  const notifications = [
    ...[...report.errors].sort(comparePositions).map((e) => notification("error", e, e.message)),
    ...[...report.skipped].sort(comparePositions).map((s) => notification("note", s, `skipped: ${s.reason}`)),
  ];

  const driver: Record<string, unknown> = { name: "poolkeeper", version: report.toolVersion };
  if (report.informationUri) driver.informationUri = report.informationUri;
  driver.rules = ruleIds.map((id) => ruleDescriptor(id, report.rules.get(id)));

  const log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: { driver },
        invocations: [
          {
            // An unreadable file means the check did not see everything it was asked to judge.
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: notifications,
          },
        ],
        // The YAML loader counts columns in UTF-16 code units (JavaScript string offsets).
        columnKind: "utf16CodeUnits",
        results,
        properties: { files: report.files, objects: report.objects },
      },
    ],
  };
  return jsonText(log) + "\n";
}
