// `poolkeeper plan`: a pull request's policy findings (as `check --base`) and what the controller would do if it
// merged (controller/preview/): drift and its rollout within budgets, new capacity for pending pods, consolidation
// made possible or blocked, limits that bind, the $/h delta — over a ClusterSnapshot when one is given.
// Exit codes as check's: 0 clean (warnings allowed), 1 denials or unreadable files, 2 usage or I/O.
import {
  duplicateDefinitions,
  type EC2NodeClass,
  loadManifests,
  type Manifest,
  type NodePool,
} from "../../api/index.ts";
import { ValueError } from "../../api/index.ts";
import {
  type ClusterSnapshotDocument,
  type LoadedSnapshot,
  loadSnapshot,
  parseClusterSnapshot,
  type PoolSide,
  previewChange,
} from "../../controller/index.ts";
import type { PresetName } from "../../policies/index.ts";
import { readFilesAtRef } from "../git-base.ts";
import { Exclusions, InputError } from "../input-files.ts";
import type { Output } from "../output.ts";
import { renderPlan, type PlanFormat, type PlanReport } from "../plan-report/render.ts";
import { readInput } from "../read-input.ts";
import { changeFindings, changes, type LoadedInputs, loadCatalog, loadPolicy, readManifests } from "./check.ts";

export interface PlanOptions {
  base: string;
  head?: string;
  snapshot?: string;
  format: PlanFormat;
  policy: string[];
  preset: PresetName;
  catalog?: string;
  strictBase?: boolean;
  exclude?: string[];
  /** The time of the policy judgement (exemption expiry); now by default. */
  now?: Date;
}

/** Snapshots are larger than manifests: 2,000 nodes with their pods are tens of MiB. */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

export function runPlan(paths: readonly string[], options: PlanOptions, out: Output): number {
  const policy = loadPolicy(options.policy, options.preset);
  const catalog = loadCatalog(options.catalog);
  const snapshot = options.snapshot === undefined ? undefined : readSnapshot(options.snapshot, catalog);
  const exclusions = Exclusions.load(options.exclude ?? []);
  const where = paths.length === 0 ? ["."] : paths;
  const head =
    options.head === undefined ? readManifests(where, out, exclusions) : atRef(options.head, where, exclusions);
  for (const d of duplicateDefinitions(head.manifests)) {
    head.errors.push({ file: d.source.file, line: d.source.line, col: d.source.col, message: d.message });
  }
  const base = new Map<string, Manifest>();
  for (const m of atRef(options.base, where, exclusions).manifests) base.set(`${m.kind}/${m.name}`, m);

  const findings = changeFindings(head.manifests, base, policy, {
    catalog,
    now: options.now ?? new Date(),
    strictBase: options.strictBase === true,
  });
  const report: PlanReport = {
    base: options.base,
    head: options.head,
    findings,
    errors: head.errors,
    changes: changes(head.manifests, base).filter((c) => c.change !== "unchanged"),
    preview: previewChange(side([...base.values()]), side(head.manifests), snapshot),
  };
  out.stdout(renderPlan(report, options.format));
  return findings.some((f) => f.severity === "deny") || head.errors.length > 0 ? 1 : 0;
}

function atRef(ref: string, paths: readonly string[], exclusions: Exclusions): LoadedInputs {
  const loaded: LoadedInputs = { manifests: [], files: 0, skipped: [], errors: [] };
  for (const file of readFilesAtRef(ref, paths)) {
    if (exclusions.excludes(file.path)) continue;
    loaded.files += 1;
    const set = loadManifests(file.text, `${ref}:${file.path}`);
    loaded.manifests.push(...set.manifests);
    for (const e of set.errors)
      loaded.errors.push({ file: e.file, line: e.source.line, col: e.source.col, message: e.message });
  }
  return loaded;
}

// The controller reads the v1 objects (converted when written in an older version).
function side(manifests: readonly Manifest[]): PoolSide {
  return {
    nodePools: manifests.filter((m) => m.kind === "NodePool").map((m) => m.object as unknown as NodePool),
    nodeClasses: manifests.filter((m) => m.kind === "EC2NodeClass").map((m) => m.object as unknown as EC2NodeClass),
  };
}

function readSnapshot(file: string, catalog: Parameters<typeof loadSnapshot>[1]): LoadedSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(readInput(file, MAX_SNAPSHOT_BYTES)).toString("utf8"));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  try {
    const document: ClusterSnapshotDocument = parseClusterSnapshot(json, file);
    return loadSnapshot(document, catalog, file);
  } catch (error) {
    if (error instanceof ValueError) throw new InputError(error.message);
    throw error;
  }
}
