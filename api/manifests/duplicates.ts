// An object defined twice across the files of one repository: Kubernetes keeps one object per kind and name (both
// kinds are cluster-scoped), so which definition applies would depend on the order files are applied in. `check`
// and the Git gate reject it in the same words.
import type { SourcePosition } from "../validation/field-error.ts";
import type { Manifest } from "./manifests.ts";

export interface DuplicateDefinition {
  /** The second (third, …) definition, where the problem is reported. */
  manifest: Manifest;
  /** The first definition, in the order the manifests were given. */
  first: Manifest;
  source: SourcePosition;
  message: string;
}

/** Every definition of a kind/name after its first, in input order. */
export function duplicateDefinitions(manifests: readonly Manifest[]): DuplicateDefinition[] {
  const first = new Map<string, Manifest>();
  const found: DuplicateDefinition[] = [];
  for (const m of manifests) {
    const key = `${m.kind}/${m.name}`;
    const seen = first.get(key);
    if (!seen) {
      first.set(key, m);
      continue;
    }
    found.push({
      manifest: m,
      first: seen,
      source: m.source,
      message: `${key} is defined twice (first at ${seen.file}:${seen.source.line}:${seen.source.col}): which one applies would be arbitrary`,
    });
  }
  return found;
}
