// `poolkeeper validate [paths|-]`: what the API server would say about each NodePool, EC2NodeClass and
// NodeClaim — CRD schema, defaults, unknown fields and the CRDs' CEL rules — with file:line:col, before the
// manifests reach a cluster. Older shapes are converted to v1 and every conversion is reported.
import {
  formatFieldPath,
  formatSource,
  loadManifests,
  validateManifest,
  type SourcePosition,
} from "../../api/index.ts";
import { escapeControlCharacters as shown, jsonText } from "../../policies/index.ts";
import { displayPath, expandPaths } from "../input-files.ts";
import { readInput } from "../read-input.ts";
import type { Output } from "../output.ts";
import { progress } from "../progress.ts";

export interface ValidateOptions {
  format: "text" | "json";
}

type Severity = "error" | "warning" | "hint" | "note";

interface Problem {
  severity: Severity;
  source: SourcePosition;
  object?: string;
  path?: string;
  message: string;
}

/** Exit code: 0 when every object is valid (warnings allowed), 1 when any is not. */
export function runValidate(paths: readonly string[], options: ValidateOptions, out: Output): number {
  const files = expandPaths(paths.length === 0 ? ["."] : paths);
  const problems: Problem[] = [];
  let objects = 0;
  const tick = progress(out, "validating", files.length);
  for (const file of files) {
    tick(file);
    const set = loadManifests(readInput(file), displayPath(file));
    for (const error of set.errors) problems.push({ severity: "error", source: error.source, message: error.message });
    for (const skipped of set.skipped)
      problems.push({ severity: "note", source: skipped.source, message: `skipped: ${skipped.reason}` });
    for (const manifest of set.manifests) {
      objects++;
      const object = `${manifest.kind}/${manifest.name || "<unnamed>"}`;
      if (manifest.object !== manifest.original) {
        // What kubectl says for a version the CRD does not serve; Karpenter 1.1 and later serve only v1.
        problems.push({
          severity: "error",
          source: manifest.position(["apiVersion"]),
          object,
          path: "apiVersion",
          message: `no matches for kind "${manifest.kind}" in version "${manifest.apiVersion}": Karpenter 1.1 and later serve only v1, so the API server does not accept this object (the warnings below show it converted to v1)`,
        });
      }
      for (const note of manifest.conversion) {
        problems.push({
          severity: note.kind === "unconvertible" ? "error" : "warning",
          source: manifest.position(note.path.split(".")),
          object,
          path: note.path,
          message: `${manifest.apiVersion} → v1: ${note.message}`,
        });
      }
      for (const repair of manifest.repairs) {
        problems.push({
          severity: "hint",
          source: manifest.position(repair.path.split(".")),
          object,
          path: repair.path,
          message: `older-shape leftover: ${repair.message}`,
        });
      }
      for (const error of validateManifest(manifest).errors) {
        problems.push({
          severity: "error",
          source: error.source ?? manifest.source,
          object,
          path: formatFieldPath(error.path),
          message: error.message,
        });
      }
    }
  }
  tick.done();
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.filter((p) => p.severity === "warning").length;
  if (options.format === "json") {
    out.stdout(jsonText({ files: files.length, objects, errors, warnings, problems }) + "\n");
  } else {
    for (const p of problems) {
      const label = out.style(
        p.severity === "error" ? "red" : p.severity === "warning" ? "yellow" : "gray",
        p.severity,
      );
      const what = [p.object, p.path].filter(Boolean).join(" ");
      // What comes from the input with its control characters escaped, as check's reports show it.
      const where = shown(formatSource(p.source));
      out.stdout(`${where}: ${label}: ${shown(what ? what + ": " : "")}${shown(p.message)}\n`);
    }
    out.stdout(`${files.length} file(s), ${objects} object(s): ${errors} error(s), ${warnings} warning(s)\n`);
  }
  return errors > 0 ? 1 : 0;
}
