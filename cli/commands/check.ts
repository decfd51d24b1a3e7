// `poolkeeper check`: judges NodePool and EC2NodeClass manifests against policy, for pull-request checks.
// With --base, each object is compared with its version at that Git ref, so the change-impact rules run, denials
// ratchet as at admission and in the Git gate (a violation the base had, at a field the change leaves alone, warns),
// and the report says which objects are new, changed or deleted.
import { isDeepStrictEqual } from "node:util";
import { duplicateDefinitions, loadManifests, type Manifest } from "../../api/index.ts";
import { defaultCatalog, parseCatalog, type InstanceTypeCatalog } from "../../cloudprovider/index.ts";
import { compilePolicy, type CompiledPolicy, type Finding } from "../../policies/index.ts";
import { evaluate } from "../../policies/index.ts";
import { loadPolicies } from "../../policies/index.ts";
import { ratchetBundle } from "../../policies/index.ts";
import type { PresetName } from "../../policies/index.ts";
import { renderReport, type CheckReport, type ReportFormat } from "../../policies/index.ts";
import { builtinRules, standingChecks } from "../../policies/index.ts";
import { readFilesAtRef } from "../git-base.ts";
import { deletionFindings } from "./check-deletions.ts";
import { displayPath, Exclusions, expandPaths, InputError } from "../input-files.ts";
import type { Output } from "../output.ts";
import { progress } from "../progress.ts";
import { readInput } from "../read-input.ts";
import { toolVersion } from "../version.ts";

export interface CheckOptions {
  base?: string;
  policy: string[];
  preset: PresetName;
  format: ReportFormat;
  catalog?: string;
  /** With base: findings the base already had deny too (no ratcheting). */
  strictBase?: boolean;
  /** The fix under each finding in text output. */
  verbose?: boolean;
  /** Denials only. */
  quiet?: boolean;
  /** Globs of walked paths to leave out (besides the working directory's .poolkeeperignore). */
  exclude?: string[];
  /** The time of the judgement (exemption expiry); now by default. */
  now?: Date;
}

export interface LoadedInputs {
  manifests: Manifest[];
  files: number;
  skipped: CheckReport["skipped"][number][];
  errors: CheckReport["errors"][number][];
}

/** Reads the manifests under `paths` (files, directories, `-`), reporting unreadable YAML per document. */
export function readManifests(paths: readonly string[], out: Output, exclusions = Exclusions.load([])): LoadedInputs {
  const files = expandPaths(paths.length === 0 ? ["."] : paths, exclusions);
  const loaded: LoadedInputs = { manifests: [], files: files.length, skipped: [], errors: [] };
  const tick = progress(out, "reading", files.length);
  for (const file of files) {
    tick(file);
    const set = loadManifests(readInput(file), displayPath(file));
    loaded.manifests.push(...set.manifests);
    for (const s of set.skipped)
      loaded.skipped.push({ file: s.file, line: s.source.line, col: s.source.col, reason: s.reason });
    for (const e of set.errors)
      loaded.errors.push({ file: e.file, line: e.source.line, col: e.source.col, message: e.message });
  }
  tick.done();
  return loaded;
}

/** Loads --policy files and the preset; a bad policy is a usage error (exit 2), reported with file:line:col. */
export function loadPolicy(files: readonly string[], preset: PresetName): CompiledPolicy {
  const policies = [];
  const problems: string[] = [];
  for (const file of files) {
    const result = loadPolicies(readInput(file), file, builtinRules);
    policies.push(...result.policies);
    problems.push(...result.errors.map((e) => `${e.source.file}:${e.source.line}:${e.source.col}: ${e.message}`));
  }
  if (problems.length > 0) throw new InputError(`invalid policy:\n  ${problems.join("\n  ")}`);
  return compilePolicy(policies, { rules: builtinRules, preset });
}

export function loadCatalog(file: string | undefined): InstanceTypeCatalog {
  if (file === undefined) return defaultCatalog();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(readInput(file)).toString("utf8"));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  try {
    return parseCatalog(json, file);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}

export function runCheck(paths: readonly string[], options: CheckOptions, out: Output): number {
  const policy = loadPolicy(options.policy, options.preset);
  const catalog = loadCatalog(options.catalog);
  const exclusions = Exclusions.load(options.exclude ?? []);
  const inputs = readManifests(paths, out, exclusions);
  // An object defined twice is an error, as the Git gate rejects it: one verdict for the same tree.
  for (const d of duplicateDefinitions(inputs.manifests)) {
    inputs.errors.push({ file: d.source.file, line: d.source.line, col: d.source.col, message: d.message });
  }
  const key = (m: { kind: string; name: string }) => `${m.kind}/${m.name}`;

  const base = new Map<string, Manifest>();
  if (options.base !== undefined) {
    for (const file of readFilesAtRef(options.base, paths.length === 0 ? ["."] : paths)) {
      if (exclusions.excludes(file.path)) continue;
      for (const m of loadManifests(file.text, `${options.base}:${file.path}`).manifests) base.set(key(m), m);
    }
  }
  const findings = changeFindings(inputs.manifests, options.base === undefined ? undefined : base, policy, {
    catalog,
    now: options.now ?? new Date(),
    strictBase: options.strictBase === true,
  });

  const report: CheckReport = {
    findings,
    files: inputs.files,
    objects: inputs.manifests.length,
    judged: inputs.manifests.map((m) => ({
      apiVersion: m.apiVersion,
      kind: String(m.object.kind),
      name: m.name,
      source: m.source,
    })),
    skipped: inputs.skipped,
    errors: inputs.errors,
    rules: new Map([
      ...builtinRules.map((r) => [r.id, { title: r.title, docs: r.docs }] as const),
      ...standingChecks.map((c) => [c.id, { title: c.title, docs: c.docs }] as const),
    ]),
    toolVersion,
  };
  if (options.base !== undefined) report.changes = changes(inputs.manifests, base);
  // Written in a version Karpenter no longer serves: the v1 object judged in its place, which the hints name.
  report.converted = inputs.manifests
    .filter((m) => m.object !== m.original)
    .map((m) => ({
      kind: String(m.object.kind),
      name: m.name,
      ...m.source,
      apiVersion: m.apiVersion,
      object: m.object,
    }));
  // --quiet: the text report keeps its counts of everything; the data formats hold the denials only.
  const quiet = options.quiet === true;
  const rendered =
    quiet && options.format !== "text"
      ? { ...report, findings: findings.filter((f) => f.severity === "deny") }
      : report;
  out.stdout(
    renderReport(rendered, options.format, out.style, { hints: options.verbose === true, ruleIds: true, quiet }),
  );
  const denied = findings.some((f) => f.severity === "deny") || inputs.errors.length > 0;
  return denied ? 1 : 0;
}

/**
 * The findings of `head` judged against policy; with a `base`, ratcheted against it (a denial the base already had
 * at the same path with the same value is a pre-existing warning, policies/ratchet.ts, as the webhook and the Git
 * gate ratchet) unless `strictBase`, and deleted objects judged by what deleting them does.
 */
export function changeFindings(
  head: readonly Manifest[],
  base: ReadonlyMap<string, Manifest> | undefined,
  policy: CompiledPolicy,
  options: { catalog: InstanceTypeCatalog; now: Date; strictBase: boolean },
): Finding[] {
  const key = (m: { kind: string; name: string }) => `${m.kind}/${m.name}`;
  const objects = head.map((manifest) => ({ manifest, previous: base?.get(key(manifest))?.original }));
  const context = { catalog: options.catalog, now: options.now };
  const judged = evaluate(objects, policy, context);
  if (base === undefined) return judged;
  return [
    ...(options.strictBase
      ? judged
      : ratchetBundle(judged, objects, () =>
          evaluate(
            [...base.values()].map((manifest) => ({ manifest })),
            policy,
            context,
          ),
        )),
    ...deletionFindings(head, base),
  ];
}

export function changes(
  head: readonly Manifest[],
  base: ReadonlyMap<string, Manifest>,
): NonNullable<CheckReport["changes"]> {
  const seen = new Set<string>();
  const out: NonNullable<CheckReport["changes"]>[number][] = [];
  for (const m of head) {
    const k = `${m.kind}/${m.name}`;
    seen.add(k);
    const before = base.get(k);
    const change = !before ? "new" : isDeepStrictEqual(before.original, m.original) ? "unchanged" : "changed";
    out.push({ kind: m.kind, name: m.name, file: m.file, change });
  }
  for (const [k, m] of base) {
    if (!seen.has(k)) out.push({ kind: m.kind, name: m.name, file: m.file, change: "deleted" });
  }
  return out;
}
