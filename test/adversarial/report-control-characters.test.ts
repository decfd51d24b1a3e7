// A manifest can name a pool, a label key or a file with control characters: NUL, an ANSI escape sequence that
// recolours or retitles the terminal, CR and LF that overwrite or forge report lines (or workflow commands),
// U+2028 (a line separator to some viewers) and a bidirectional override that reorders what is shown ("Trojan
// Source", CVE-2021-42574). Every report format must carry them inertly: the formats people read show them as
// visible escapes, the data formats (JSON, SARIF, JUnit XML) escape them in the bytes and keep them in the data.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Finding } from "../../policies/finding.ts";
import { escapeControlCharacters, renderReport, type CheckReport } from "../../policies/report/index.ts";
import { parseXml } from "../support/parse-xml.ts";

const hostile = "a\u0000b\u001b[31mc\r\nd\u2028e\u202ef";
// The same, as a reader must see it (written by hand, not by the code under test).
const shown = "a\\x00b\\x1b[31mc\\r\\nd\\u2028e\\u202ef";

const name = `pool-${hostile}`;
const file = `pools/${hostile}.yaml`;

const finding: Finding = {
  rule: "taints.duplicate",
  severity: "deny",
  object: { apiVersion: "karpenter.sh/v1", kind: "NodePool", name, source: { file, line: 1, col: 1 } },
  pointer: "/spec/weight",
  source: { file, line: 5, col: 3 },
  message: `NodePool "${name}" is judged`,
  hint: `rename "${name}"`,
};

const report: CheckReport = {
  findings: [finding, { ...finding, severity: "audit", source: { file, line: 6, col: 3 }, exemptedBy: hostile }],
  files: 1,
  objects: 1,
  skipped: [{ file, line: 9, col: 1, reason: `skipped ${hostile}` }],
  errors: [{ file, line: 12, col: 1, message: `unreadable ${hostile}` }],
  rules: new Map(),
  toolVersion: "0.1.0",
};

// Raw characters that act on a terminal, a log viewer or a line-based reader. LF is left out: it ends the
// report's own lines, and each test checks the lines are exactly the report's.
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;

describe("escapeControlCharacters", () => {
  test("control characters, line separators and bidirectional controls become visible escapes", () => {
    assert.equal(escapeControlCharacters(hostile), shown);
    assert.equal(
      escapeControlCharacters("\t\u007f\u0085\u009b\u061c\u200e\u200f\u2066\u2069"),
      ["\\t\\x7f\\x85\\x9b\\u061c\\u200e\\u200f\\u2066\\u2069"].join(""),
    );
    assert.equal(escapeControlCharacters("plain text, ünïcode ✓ and emoji 😀"), "plain text, ünïcode ✓ and emoji 😀");
  });
});

describe("every report format carries control characters inertly", () => {
  test("text: shown as escapes, on the report's own lines", () => {
    const out = renderReport(report, "text");
    assert.ok(!ACTIVE.test(out), JSON.stringify(out));
    assert.deepEqual(out.split("\n"), [
      `NodePool/pool-${shown} (pools/${shown}.yaml:1:1)`,
      `  deny   pools/${shown}.yaml:5:3  spec.weight  NodePool "pool-${shown}" is judged`,
      `    fix: rename "pool-${shown}"`,
      `  audit  pools/${shown}.yaml:6:3  spec.weight  NodePool "pool-${shown}" is judged`,
      `    fix: rename "pool-${shown}"`,
      `    exempted: ${shown}`,
      "",
      `error  pools/${shown}.yaml:12:1  unreadable ${shown}`,
      `note   pools/${shown}.yaml:9:1  skipped: skipped ${shown}`,
      "",
      "1 of 1 object denied: 1 denial, 0 warnings, 1 audit (1 exempted); 1 file, 1 unreadable, 1 skipped",
      "",
    ]);
  });

  test("GitHub: escapes shown in annotations and log lines; only the report's own line breaks are %0A", () => {
    const out = renderReport(report, "github");
    assert.ok(!ACTIVE.test(out), JSON.stringify(out));
    const lines = out.split("\n");
    assert.equal(lines.pop(), "");
    // The file property: shown, then escaped as a property (`:` and `,` delimit properties, `%` escapes).
    const where = `file=pools/${shown}.yaml`;
    assert.deepEqual(lines, [
      `::error ${where},line=5,col=3,title=taints.duplicate::NodePool/pool-${shown} spec.weight: NodePool "pool-${shown}" is judged%0Afix: rename "pool-${shown}"`,
      `::notice ${where},line=6,col=3,title=taints.duplicate::NodePool/pool-${shown} spec.weight: NodePool "pool-${shown}" is judged%0Afix: rename "pool-${shown}"%0Aexempted: ${shown}`,
      `::error ${where},line=12,col=1,title=unreadable::unreadable ${shown}`,
      `note: pools/${shown}.yaml:9:1: skipped: skipped ${shown}`,
      "poolkeeper: 1 of 1 object denied: 1 denial, 0 warnings, 1 audit (1 exempted); 1 file, 1 unreadable, 1 skipped",
    ]);
  });

  test("JUnit: well-formed XML without active characters in its bytes; the data is the input's", () => {
    const xml = renderReport(report, "junit");
    assert.ok(!ACTIVE.test(xml), JSON.stringify(xml));
    const doc = parseXml(xml);
    const cases = doc.children[0]?.children.filter((c) => c.name === "testcase") ?? [];
    // NUL and ESC cannot be in an XML 1.0 document at all; everything else is kept as written.
    const inXml = hostile.replace("\u0000", "\uFFFD").replace("\u001b", "\uFFFD");
    assert.equal(cases[0]?.attributes.name, `NodePool/pool-${inXml}`);
    assert.equal(cases[0]?.attributes.classname, `pools/${inXml}.yaml`);
    const failure = cases[0]?.children.find((c) => c.name === "failure");
    assert.equal(failure?.attributes.message, `NodePool "pool-${inXml}" is judged`);
  });

  for (const format of ["json", "sarif"] as const) {
    test(`${format}: no active characters in the bytes; the data round-trips exactly`, () => {
      const out = renderReport(report, format);
      assert.ok(!ACTIVE.test(out), JSON.stringify(out));
      const parsed = JSON.parse(out) as {
        findings?: Finding[];
        runs?: { results: { message: { text: string }; locations: { logicalLocations: { name: string }[] }[] }[] }[];
      };
      if (format === "json") {
        assert.equal(parsed.findings?.[0]?.object.name, name);
        assert.equal(parsed.findings?.[1]?.exemptedBy, hostile);
      } else {
        const result = parsed.runs?.[0]?.results[0];
        assert.equal(result?.message.text, `NodePool "${name}" is judged\nfix: rename "${name}"`);
        assert.equal(result?.locations[0]?.logicalLocations[0]?.name, `NodePool/${name}`);
      }
    });
  }
});
