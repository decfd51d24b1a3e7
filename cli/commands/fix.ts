// `poolkeeper fix`: applies the fixes policy findings carry (JSONPatch) to the manifests, keeping comments,
// key order and formatting, and shows each change as a unified diff. `--dry-run` only shows.
import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { createTwoFilesPatch } from "diff";
import type { Operation } from "fast-json-patch";
import { findCrd } from "../../api/index.ts";
import { evaluate } from "../../policies/index.ts";
import { applyToYaml, type YamlEdit } from "../../policies/index.ts";
import type { PresetName } from "../../policies/index.ts";
import { STDIN } from "../input-files.ts";
import type { Output } from "../output.ts";
import { replaceFile, ReplaceFileError, type ReplaceFileSystem } from "../replace-file.ts";
import { loadCatalog, loadPolicy, readManifests } from "./check.ts";

export interface FixOptions {
  dryRun: boolean;
  policy: string[];
  preset: PresetName;
  catalog?: string;
  now?: Date;
  /** The file system fixed manifests are written through (tests inject failures); node:fs by default. */
  fs?: ReplaceFileSystem;
}

export function runFix(paths: readonly string[], options: FixOptions, out: Output): number {
  const policy = loadPolicy(options.policy, options.preset);
  const catalog = loadCatalog(options.catalog);
  const inputs = readManifests(paths, out);
  const findings = evaluate(
    inputs.manifests.map((manifest) => ({ manifest })),
    policy,
    { catalog, now: options.now ?? new Date() },
  );
  // Fixes apply to objects written in a served version; a converted older shape must be rewritten first.
  const editsByFile = new Map<string, Map<number, Operation[]>>();
  const findingsByFile = new Map<string, number>();
  for (const finding of findings) {
    if (!finding.patch) continue;
    const manifest = inputs.manifests.find(
      (m) =>
        m.kind === finding.object.kind &&
        m.name === finding.object.name &&
        m.source.file === finding.object.source?.file &&
        m.source.line === finding.object.source.line,
    );
    if (!manifest || manifest.file === "<stdin>" || !findCrd(manifest.apiVersion, manifest.kind)) continue;
    const byDoc = editsByFile.get(manifest.file) ?? new Map<number, Operation[]>();
    byDoc.set(manifest.index, [...(byDoc.get(manifest.index) ?? []), ...finding.patch]);
    editsByFile.set(manifest.file, byDoc);
    findingsByFile.set(manifest.file, (findingsByFile.get(manifest.file) ?? 0) + 1);
  }
  let fixed = 0;
  let changedFiles = 0;
  let unwritten = 0;
  for (const [file, byDoc] of editsByFile) {
    if (file === STDIN) continue;
    const before = readFileSync(file, "utf8");
    const edits: YamlEdit[] = [...byDoc].map(([document, operations]) => ({ document, operations }));
    const after = applyToYaml(before, edits);
    if (after === before) continue;
    const [from, to] = isAbsolute(file) ? [file, file] : [`a/${file}`, `b/${file}`];
    out.stdout(createTwoFilesPatch(from, to, before, after, undefined, undefined, { context: 3 }));
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
  const failed = unwritten > 0 ? `; ${unwritten} file(s) could not be written` : "";
  out.stdout(`${verb} ${fixed} finding(s) in ${changedFiles} file(s)${failed}\n`);
  return unwritten > 0 ? 2 : 0;
}
