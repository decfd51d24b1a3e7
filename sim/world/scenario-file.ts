// A scenario for `poolkeeper sim --scenario FILE`: plain Kubernetes manifests (Namespaces, Nodes, Deployments,
// pods, NodePools, …), one YAML document each, created in the world in file order (kubectl's apply order for one
// file). Read with api/'s YAML loader (kubectl's YAML 1.1, source positions, size and alias limits). Every problem
// is reported with the file, line and column, the object and the field: a document that is not an object, lacks
// apiVersion, kind or metadata.name, names a kind the world does not serve, or that the API server refuses.
import { formatSource, isRecord, loadYaml, type SourcePosition } from "../../api/index.ts";
import type { KindRegistry } from "../kube/store/kind-registry.ts";
import type { KubeObject, ResourceKind } from "../kube/store/resource-kind.ts";

export interface ScenarioObject {
  object: KubeObject;
  kind: ResourceKind;
  /** Where the document starts, for messages. */
  source: SourcePosition;
  /** `Deployment default/web`, for messages. */
  label: string;
}

/** One or more problems with a scenario file, each naming file:line:col, object and field. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join("\n"));
    this.problems = problems;
  }
}

export function readScenario(text: string | Uint8Array, file: string, registry: KindRegistry): ScenarioObject[] {
  const loaded = loadYaml(text, file);
  const problems = loaded.errors.map((e) => `${formatSource(e.source)}: ${e.message}`);
  const objects: ScenarioObject[] = [];
  for (const document of loaded.documents) {
    const value = document.value;
    if (value === null || value === undefined) continue; // an empty document, as kubectl skips it
    const at = (path: (string | number)[]) => formatSource(document.position(path));
    if (!isRecord(value)) {
      problems.push(`${at([])}: document ${document.index + 1}: expected an object (a Kubernetes manifest)`);
      continue;
    }
    const missing = (field: string) =>
      problems.push(`${at([])}: document ${document.index + 1}: ${field}: Required value`);
    if (typeof value.apiVersion !== "string" || value.apiVersion === "") {
      missing("apiVersion");
      continue;
    }
    if (typeof value.kind !== "string" || value.kind === "") {
      missing("kind");
      continue;
    }
    const metadata = isRecord(value.metadata) ? value.metadata : undefined;
    const name = metadata?.name ?? metadata?.generateName;
    if (typeof name !== "string" || name === "") {
      problems.push(`${at(["metadata"])}: ${value.kind}: metadata.name: Required value`);
      continue;
    }
    const kind = registry.byKind(value.apiVersion, value.kind);
    if (!kind) {
      problems.push(
        `${at(["kind"])}: ${value.kind} ${name}: kind: Unsupported value: no kind "${value.kind}" is served in version "${value.apiVersion}"`,
      );
      continue;
    }
    const namespace = typeof metadata?.namespace === "string" ? metadata.namespace : "default";
    objects.push({
      object: value as KubeObject,
      kind,
      source: document.position([]),
      label: `${kind.kind} ${kind.namespaced ? `${namespace}/` : ""}${name}`,
    });
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return objects;
}
