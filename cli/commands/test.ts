// `poolkeeper test [PATHS]`: runs every poolkeeper-test.yaml below the paths (a PoolPolicyTest: manifests, the
// policies to judge them with, the result expected per rule and object), as `kyverno test` runs kyverno-test.yaml
// files. Paths in a test are relative to its file. Exit 0 when every result is as expected, 1 when one differs, 2
// when a test cannot run (a test, policy or manifest that cannot be read, an expectation naming no rule or object).
import { readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { duplicateDefinitions, loadManifests, type Manifest } from "../../api/index.ts";
import {
  builtinRules,
  checkExpectations,
  compilePolicy,
  evaluateRulesRun,
  loadPolicies,
  loadPolicyTests,
  POLICY_TEST_FILE_NAMES,
  renderPolicyTestJunit,
  renderPolicyTestText,
  standingChecks,
  testStatus,
  type LoadedPolicy,
  type LoadedPolicyTest,
  type PolicyTestOutcome,
} from "../../policies/index.ts";
import type { InstanceTypeCatalog } from "../../cloudprovider/index.ts";
import { displayPath, Exclusions, expandPaths, InputError } from "../input-files.ts";
import type { Output } from "../output.ts";
import { readInput } from "../read-input.ts";
import { toolVersion } from "../version.ts";
import { loadCatalog } from "./check.ts";

export interface TestOptions {
  format: "text" | "junit";
  catalog?: string;
  /** The time of the judgement for tests that set no `spec.now`; now by default. */
  now?: Date;
}

export function runTest(paths: readonly string[], options: TestOptions, out: Output): number {
  const catalog = loadCatalog(options.catalog);
  const outcomes: PolicyTestOutcome[] = [];
  for (const file of testFiles(paths.length === 0 ? ["."] : paths)) {
    const shownFile = displayPath(file);
    const start = { file: shownFile, line: 1, col: 1 };
    let input: Uint8Array;
    try {
      input = readInput(file);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      outcomes.push({
        file: shownFile,
        source: start,
        checks: [],
        errors: [{ source: start, message: error.message }],
      });
      continue;
    }
    const { tests, errors } = loadPolicyTests(input, shownFile);
    if (errors.length > 0) outcomes.push({ file: shownFile, source: start, checks: [], errors });
    for (const loaded of tests) outcomes.push(runOne(loaded, dirname(file), catalog, options.now ?? new Date()));
  }
  out.stdout(
    options.format === "junit"
      ? renderPolicyTestJunit(outcomes, toolVersion)
      : renderPolicyTestText(outcomes, out.style),
  );
  const statuses = outcomes.map(testStatus);
  return statuses.includes("error") ? 2 : statuses.includes("fail") ? 1 : 0;
}

/** The test files named or found below the paths, in walking order; none at all is a usage error. */
function testFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      throw new InputError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    if (!isDirectory) {
      files.push(path);
      continue;
    }
    const found = testFilesIn(path);
    if (found.length === 0) throw new InputError(`no ${POLICY_TEST_FILE_NAMES.join(" or ")} under ${path}`);
    files.push(...found);
  }
  return [...new Set(files)];
}

function testFilesIn(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (entry.name === ".git" || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFilesIn(path));
    else if (entry.isFile() && POLICY_TEST_FILE_NAMES.includes(entry.name)) out.push(path);
  }
  return out;
}

function runOne(loaded: LoadedPolicyTest, dir: string, catalog: InstanceTypeCatalog, now: Date): PolicyTestOutcome {
  const { test } = loaded;
  const outcome = {
    file: loaded.file,
    name: test.metadata.name,
    source: loaded.position([]),
    checks: [] as PolicyTestOutcome["checks"],
    errors: [] as PolicyTestOutcome["errors"][number][],
  };
  // A file the test names that cannot be read is reported where the test names it.
  const read = (path: string, field: (string | number)[]): Uint8Array | undefined => {
    try {
      return readInput(resolve(dir, path));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      outcome.errors.push({ source: loaded.position(field), message: `${path}: ${afterPath(error.message)}` });
      return undefined;
    }
  };
  const policies: LoadedPolicy[] = [];
  (test.spec.policies ?? []).forEach((path, i) => {
    const input = read(path, ["spec", "policies", i]);
    if (input === undefined) return;
    const result = loadPolicies(input, displayPath(resolve(dir, path)), builtinRules);
    policies.push(...result.policies);
    outcome.errors.push(...result.errors);
  });
  const manifests: Manifest[] = [];
  test.spec.manifests.forEach((path, i) => {
    let files: string[];
    try {
      files = expandPaths([resolve(dir, path)], new Exclusions([]));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      outcome.errors.push({
        source: loaded.position(["spec", "manifests", i]),
        message: `${path}: ${afterPath(error.message)}`,
      });
      return;
    }
    for (const file of files) {
      const input = read(file, ["spec", "manifests", i]);
      if (input === undefined) continue;
      const set = loadManifests(input, displayPath(file));
      manifests.push(...set.manifests);
      outcome.errors.push(...set.errors.map((e) => ({ source: e.source, message: e.message })));
    }
  });
  for (const d of duplicateDefinitions(manifests)) outcome.errors.push({ source: d.source, message: d.message });
  if (outcome.errors.length > 0) return outcome;

  const policy = compilePolicy(policies, { rules: builtinRules, preset: test.spec.preset ?? "baseline" });
  const at = test.spec.now === undefined ? now : new Date(test.spec.now);
  const { findings, run } = evaluateRulesRun(
    manifests.map((manifest) => ({ manifest })),
    policy,
    { catalog, now: at },
  );
  const custom = policies.flatMap((p) => (p.policy.spec.customRules ?? []).map((r) => `custom.${r.id}`));
  // Besides the rules and the policies' custom rules, the engine's own findings (standing checks).
  const known = [...builtinRules.map((r) => r.id), ...custom, ...standingChecks.map((c) => c.id)];
  const { checks, errors } = checkExpectations(loaded, findings, run, known);
  outcome.checks = checks;
  outcome.errors.push(...errors);
  return outcome;
}

// readInput and expandPaths begin their messages with the path they were given (here resolved to an absolute
// one): the test names the path as written, so only the reason is kept.
function afterPath(message: string): string {
  const colon = message.indexOf(": ");
  return colon === -1 ? message : message.slice(colon + 2);
}
