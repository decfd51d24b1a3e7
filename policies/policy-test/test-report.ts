// The report of `poolkeeper test`: in text, one line per test (PASS, FAIL, ERROR) and, for a failing one, a unified
// diff of the expected and the actual results (the `diff` package, as `fix` shows its changes) with the findings
// behind each differing result; in JUnit XML, one suite per test and one case per expected result, so CI test tabs
// list each. Input text (names, messages) is escaped as in check's reports.
import { createTwoFilesPatch } from "diff";
import type { SourcePosition } from "../../api/index.ts";
import type { PolicyError } from "../load-policies.ts";
import { escapeControlCharacters as shown } from "../report/control-characters.ts";
import type { Style } from "../report/index.ts";
import { escapeXmlAttribute, escapeXmlText } from "../report/junit.ts";
import { findingLocation, formatLocation, formatPointer, objectLabel } from "../report/shared.ts";
import type { ResultCheck } from "./rule-results.ts";

/** One test (a PoolPolicyTest document, or a test file that could not be read) and how it went. */
export interface PolicyTestOutcome {
  file: string;
  /** metadata.name; unset when the file could not be read as a test. */
  name?: string;
  source: SourcePosition;
  checks: readonly ResultCheck[];
  /** What kept the test from running, or an expectation that cannot be checked: the test errs. */
  errors: readonly PolicyError[];
}

export type PolicyTestStatus = "pass" | "fail" | "error";

export function testStatus(outcome: PolicyTestOutcome): PolicyTestStatus {
  if (outcome.errors.length > 0) return "error";
  return outcome.checks.some((c) => c.expected !== c.actual) ? "fail" : "pass";
}

const where = (p: SourcePosition) => formatLocation(p);

function resultLine(check: ResultCheck, result: string): string {
  return `${check.rule}  ${objectLabel(check.kind, check.name)}  ${result}\n`;
}

/** The expected and actual results as a unified diff, with the file's header lines left out. */
export function resultsDiff(checks: readonly ResultCheck[]): string {
  const expected = checks.map((c) => resultLine(c, c.expected)).join("");
  const actual = checks.map((c) => resultLine(c, c.actual)).join("");
  const patch = createTwoFilesPatch("expected", "actual", expected, actual, undefined, undefined, { context: 2 });
  return patch
    .split("\n")
    .filter((line) => !line.startsWith("====") && !line.startsWith("Index:"))
    .join("\n")
    .trimEnd();
}

function mismatchLines(check: ResultCheck): string[] {
  const lines = [
    `  ${shown(where(check.source))}: ${shown(check.rule)} on ${shown(objectLabel(check.kind, check.name))}: expected ${check.expected}, got ${check.actual}`,
  ];
  for (const f of check.findings) {
    const at = [formatLocation(findingLocation(f)), formatPointer(f.pointer)].filter((s) => s !== "").join("  ");
    lines.push(`    ${f.severity}  ${shown(at)}  ${shown(f.message)}`);
  }
  return lines;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

export function renderPolicyTestText(outcomes: readonly PolicyTestOutcome[], style: Style): string {
  const blocks: string[] = [];
  const tally = { pass: 0, fail: 0, error: 0 };
  let results = 0;
  let differing = 0;
  for (const outcome of outcomes) {
    const status = testStatus(outcome);
    tally[status]++;
    const mismatches = outcome.checks.filter((c) => c.expected !== c.actual);
    results += outcome.checks.length;
    differing += mismatches.length;
    const name = outcome.name === undefined ? "" : `  ${shown(outcome.name)}`;
    const label = status === "pass" ? "PASS " : status === "fail" ? style("red", "FAIL") + " " : style("red", "ERROR");
    const detail =
      status === "pass"
        ? count(outcome.checks.length, "result")
        : status === "fail"
          ? `${mismatches.length} of ${count(outcome.checks.length, "result")} differ`
          : count(outcome.errors.length, "error");
    const lines = [`${label}  ${shown(where(outcome.source))}${name}  (${detail})`];
    for (const e of outcome.errors) lines.push(`  ${shown(where(e.source))}: ${shown(e.message)}`);
    if (status === "fail") {
      lines.push(
        ...resultsDiff(outcome.checks)
          .split("\n")
          .map((l) => `  ${shown(l)}`),
      );
      lines.push(...mismatches.flatMap(mismatchLines));
    }
    blocks.push(lines.join("\n"));
  }
  const paint = (n: number, text: string) => (n > 0 ? style("red", text) : text);
  blocks.push(
    `${count(outcomes.length, "test")}: ${tally.pass} passed, ${paint(tally.fail, `${tally.fail} failed`)}, ` +
      `${paint(tally.error, `${tally.error} in error`)}; ${count(results, "result")} checked, ${paint(differing, `${differing} differ`)}`,
  );
  return blocks.join("\n") + "\n";
}

function attributes(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(String(value))}"`)
    .join("");
}

function checkCase(outcome: PolicyTestOutcome, check: ResultCheck): string {
  const head = `    <testcase${attributes({
    classname: outcome.file,
    name: `${check.rule} ${objectLabel(check.kind, check.name)}`,
    file: check.source.file,
    line: check.source.line,
  })}`;
  if (check.expected === check.actual) return `${head}/>`;
  const message = `expected ${check.expected}, got ${check.actual}`;
  const details = mismatchLines(check)
    .map((l) => l.trimStart())
    .join("\n");
  return `${head}>\n      <failure${attributes({ message, type: check.actual })}>${escapeXmlText(details)}</failure>\n    </testcase>`;
}

function errorCase(outcome: PolicyTestOutcome, error: PolicyError): string {
  return (
    `    <testcase${attributes({ classname: outcome.file, name: where(error.source), file: error.source.file, line: error.source.line })}>\n` +
    `      <error${attributes({ message: error.message, type: "invalid" })}>${escapeXmlText(`${where(error.source)}\n${error.message}`)}</error>\n` +
    "    </testcase>"
  );
}

export function renderPolicyTestJunit(outcomes: readonly PolicyTestOutcome[], toolVersion: string): string {
  const suites: string[] = [];
  const total = { tests: 0, failures: 0, errors: 0 };
  for (const outcome of outcomes) {
    const cases = [
      ...outcome.errors.map((e) => errorCase(outcome, e)),
      ...outcome.checks.map((c) => checkCase(outcome, c)),
    ];
    const counts = {
      tests: cases.length,
      failures: outcome.checks.filter((c) => c.expected !== c.actual).length,
      errors: outcome.errors.length,
      skipped: 0,
    };
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    suites.push(
      [
        `  <testsuite${attributes({ name: outcome.name ?? outcome.file, file: outcome.file, ...counts })}>`,
        ...cases,
        "  </testsuite>",
      ].join("\n"),
    );
  }
  return (
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<testsuites${attributes({ name: `poolkeeper test ${toolVersion}`, ...total, skipped: 0 })}>`,
      ...suites,
      "</testsuites>",
    ].join("\n") + "\n"
  );
}
