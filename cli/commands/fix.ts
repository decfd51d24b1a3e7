// `poolkeeper fix`: applies the fixes policy findings carry (JSONPatch) to the manifests, keeping comments,
// key order and formatting, and shows each change as a unified diff. `--dry-run` only shows. Objects written in an
// older API version are rewritten in v1 in place.
import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { createTwoFilesPatch } from "diff";
import type { Manifest } from "../../api/index.ts";
import {
  escapeControlCharacters as shown,
  evaluate,
  type Finding,
  fixableFindings,
  migrationPatch,
  MIGRATION_RULE,
  objectKey,
} from "../../policies/index.ts";
import { applyToYaml, type FixOperation, type YamlEdit } from "../../policies/index.ts";
import type { PresetName } from "../../policies/index.ts";
import { STDIN } from "../input-files.ts";
import type { Output } from "../output.ts";
import { replaceFile, ReplaceFileError, type ReplaceFileSystem } from "../replace-file.ts";
import { loadCatalog, loadPolicy, readManifests } from "./check.ts";

export interface FixOptions {
  dryRun: boolean;
  policy: string[];
  preset: PresetName;
  /** Apply the fixes of audit findings too (deny and warn ones always). */
  all?: boolean;
  catalog?: string;
  now?: Date;
  /** The file system fixed manifests are written through (tests inject failures); node:fs by default. */
  fs?: ReplaceFileSystem;
}

export function runFix(paths: readonly string[], options: FixOptions, out: Output): number {
  const policy = loadPolicy(options.policy, options.preset);
  const catalog = loadCatalog(options.catalog);
  const inputs = readManifests(paths, out);
  // A document that cannot be read cannot be fixed, nor judged: named, with what stopped it, as check reports it,
  // and the run fails (exit 2) rather than say "fixed 0 finding(s)" as if the file were clean.
  for (const e of inputs.errors) out.stderr(`poolkeeper fix: ${shown(`${e.file}:${e.line}:${e.col}: ${e.message}`)}\n`);
  const findings = evaluate(
    inputs.manifests.map((manifest) => ({ manifest })),
    policy,
    { catalog, now: options.now ?? new Date() },
  );
  // The same selection as check's "N fixable": an older-version object is rewritten in v1 first, and its other
  // fixes (against the v1 object) follow in the same document.
  const selected = fixableFindings(findings, { all: options.all === true });
  const byObject = new Map<string, Finding[]>();
  for (const finding of selected)
    byObject.set(objectKey(finding), [...(byObject.get(objectKey(finding)) ?? []), finding]);
  const editsByFile = new Map<string, YamlEdit[]>();
  const findingsByFile = new Map<string, number>();
  for (const manifest of inputs.manifests) {
    if (manifest.file === STDIN || manifest.file === "<stdin>") continue;
    const objectFindings = byObject.get(manifestKey(manifest)) ?? [];
    if (objectFindings.length === 0) continue;
    const operations: FixOperation[] = [];
    if (objectFindings.some((f) => f.rule === MIGRATION_RULE)) {
      operations.push(...migrationPatch(manifest.original, manifest.object, manifest.conversion));
    }
    for (const finding of objectFindings) operations.push(...(finding.patch ?? []));
    const edits = editsByFile.get(manifest.file) ?? [];
    edits.push({ document: manifest.index, operations });
    editsByFile.set(manifest.file, edits);
    findingsByFile.set(manifest.file, (findingsByFile.get(manifest.file) ?? 0) + objectFindings.length);
  }
  let fixed = 0;
  let changedFiles = 0;
  let unwritten = 0;
  for (const [file, edits] of editsByFile) {
    const before = readFileSync(file, "utf8");
    const after = applyToYaml(before, edits);
    if (after === before) continue;
    const [from, to] = isAbsolute(file) ? [file, file] : [`a/${file}`, `b/${file}`];
    out.stdout(shownDiff(createTwoFilesPatch(from, to, before, after, undefined, undefined, { context: 3 })));
    if (!options.dryRun) {
      try {
        replaceFile(file, after, options.fs);
      } catch (error) {
        if (!(error instanceof ReplaceFileError)) throw error;
        out.stderr(`poolkeeper fix: ${error.message} and its fixes are not applied\n`);
        unwritten++;
        continue;
      }
    }
    changedFiles++;
    fixed += findingsByFile.get(file) ?? 0;
  }
  const verb = options.dryRun ? "would fix" : "fixed";
  const unreadable = new Set(inputs.errors.map((e) => e.file)).size;
  const failed =
    (unwritten > 0 ? `; ${unwritten} file(s) could not be written` : "") +
    (unreadable > 0 ? `; ${unreadable} file(s) could not be read` : "");
  out.stdout(`${verb} ${fixed} finding(s) in ${changedFiles} file(s)${failed}\n`);
  return unwritten > 0 || unreadable > 0 ? 2 : 0;
}

// The diff with the control characters of the input escaped, as every report shows them (a name holding an escape
// sequence must not act on the terminal), but for the tabs and the CRLF line ends a file may have.
function shownDiff(diff: string): string {
  return diff
    .split("\n")
    .map((line) => {
      const crlf = line.endsWith("\r");
      const body = crlf ? line.slice(0, -1) : line;
      return body.split("\t").map(shown).join("\t") + (crlf ? "\r" : "");
    })
    .join("\n");
}

// The key fixable.ts gives the object a finding is about, for a manifest (its judged kind and name).
function manifestKey(manifest: Manifest): string {
  return `${manifest.source.file}\0${manifest.source.line}\0${String(manifest.object.kind)}\0${manifest.name}`;
}
