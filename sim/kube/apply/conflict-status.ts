// An apply that would take fields from other managers: `409 Conflict` with one `FieldManagerConflict` cause per
// field, worded as k8s.io/apiserver pkg/util/managedfields/internal/conflict.go (NewConflictError) words it:
// `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas`.
import { ApiError } from "../store/status.ts";
import { pathString } from "./path-element.ts";
import type { Conflict } from "./updater.ts";

/** printManager: the manager's name, its subresource, and for an updater the version it wrote with. */
export function printManager(identifier: string): string {
  let entry: { manager?: string; operation?: string; apiVersion?: string; subresource?: string };
  try {
    entry = JSON.parse(identifier) as typeof entry;
  } catch {
    return JSON.stringify(identifier);
  }
  let out = JSON.stringify(entry.manager ?? "");
  if (entry.subresource) out += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === "Update") out += ` using ${entry.apiVersion ?? ""}`;
  return out;
}

export function conflictStatus(conflicts: readonly Conflict[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    const only = conflicts[0] as Conflict;
    message = `Apply failed with 1 conflict: conflict with ${printManager(only.manager)}: ${pathString(only.path)}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), pathString(c.path)]);
    const lines: string[] = [];
    for (const manager of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(manager)}:`);
      for (const path of byManager.get(manager) ?? []) lines.push(`- ${path}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, { causes });
}
