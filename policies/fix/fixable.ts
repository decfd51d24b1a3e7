// Which findings `poolkeeper fix` applies, in one place, so `check`'s "N fixable" counts exactly what `fix` changes.
// A finding applies when it has a fix and is enforced at deny or warn (audit too with `--all`); an exempted finding
// never. An object written in an older API version is fixed by rewriting it in v1 (its api.deprecated-version
// finding), which also settles its schema.older-shape notes; the other fixes of such an object apply to the
// rewritten text, so they apply only with its rewrite.
import type { Finding } from "../finding.ts";

export const MIGRATION_RULE = "api.deprecated-version";
const SETTLED_BY_MIGRATION = new Set([MIGRATION_RULE, "schema.older-shape"]);

export interface FixSelection {
  /** Audit findings too. */
  all?: boolean;
}

/** The object a finding is about, as one key: the same object has the same file, line, kind and name. */
export function objectKey(finding: Finding): string {
  const { kind, name, source } = finding.object;
  return `${source?.file ?? ""}\0${source?.line ?? 0}\0${kind}\0${name}`;
}

/** The findings `fix` applies, in their given order. */
export function fixableFindings(findings: readonly Finding[], selection: FixSelection = {}): Finding[] {
  const enforced = (f: Finding) => f.exemptedBy === undefined && (selection.all === true || f.severity !== "audit");
  const migrated = new Set<string>();
  const older = new Set<string>();
  for (const f of findings) {
    if (f.rule !== MIGRATION_RULE) continue;
    older.add(objectKey(f));
    if (enforced(f) && f.object.source !== undefined) migrated.add(objectKey(f));
  }
  return findings.filter((f) => {
    const key = objectKey(f);
    if (older.has(key)) {
      if (!migrated.has(key)) return false;
      if (SETTLED_BY_MIGRATION.has(f.rule)) return true;
    }
    return enforced(f) && f.patch !== undefined && f.patch.length > 0;
  });
}
