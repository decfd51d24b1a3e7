// From a file's text to Karpenter objects ready to judge: YAML documents with source positions, older shapes
// converted to v1 (every change noted), other kinds set aside with a reason, and validation errors that point
// at the line and column of the field in the file the user wrote.
import { convertToV1, isLegacyKarpenterKind, type ConversionNote } from "../convert/index.ts";
import { isRecord } from "../plain-object.ts";
import type { FieldError, FieldPath, SourcePosition } from "../validation/field-error.ts";
import { findCrd, isKarpenterKind, validateObject, type ValidateOptions } from "../validation/validate.ts";
import { loadYaml, type YamlError, type YamlLimits, type YamlLoadResult } from "./yaml-loader.ts";

export interface Manifest {
  file: string;
  /** 0-based index of the document in its file. */
  index: number;
  source: SourcePosition;
  apiVersion: string;
  kind: string;
  name: string;
  /** As written in the file. */
  original: Record<string, unknown>;
  /** In the served v1 shape (converted when written in an older one); not defaulted. */
  object: Record<string, unknown>;
  /** What conversion changed; empty for objects written in a served version. */
  conversion: ConversionNote[];
  /**
   * For objects written in a served version: older-shape leftovers the converter knows how to repair (a v1
   * NodePool with `disruption.expireAfter`, say). The object is validated as written, so the API server's
   * errors are reported; these say how to fix them.
   */
  repairs: ConversionNote[];
  /** Source position of a field, by its path in the object as written. */
  position(path: FieldPath): SourcePosition;
}

/** A document that is not a Karpenter object (a ConfigMap beside the pools, say): not judged, but reported. */
export interface SkippedDocument {
  file: string;
  index: number;
  source: SourcePosition;
  apiVersion?: string;
  kind?: string;
  reason: string;
}

export interface ManifestSet {
  manifests: Manifest[];
  skipped: SkippedDocument[];
  /** The file or a document could not be read at all. */
  errors: YamlError[];
}

export function loadManifests(input: string | Uint8Array, file: string, limits?: Partial<YamlLimits>): ManifestSet {
  return manifestsFromYaml(loadYaml(input, file, limits), file);
}

/** The manifests of YAML already loaded (in another thread, say: yamlFromData). */
export function manifestsFromYaml({ documents, errors }: YamlLoadResult, file: string): ManifestSet {
  const set: ManifestSet = { manifests: [], skipped: [], errors: [...errors] };
  for (const doc of documents) {
    const value = doc.value;
    if (!isRecord(value)) {
      set.errors.push({
        file,
        index: doc.index,
        source: doc.start,
        message: "document is not a Kubernetes object (expected a map with apiVersion and kind)",
      });
      continue;
    }
    const { apiVersion, kind } = value;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || apiVersion === "" || kind === "") {
      // A map that names no Karpenter group or kind (Helm values, a CI workflow) is some other YAML beside the
      // pools: noted and skipped. One that does is a Karpenter object missing a field: an error.
      if (!looksKarpenter(apiVersion, kind)) {
        set.skipped.push({
          file,
          index: doc.index,
          source: doc.start,
          reason: "not a Kubernetes object (no apiVersion and kind)",
        });
        continue;
      }
      const missing = typeof apiVersion !== "string" || apiVersion === "" ? "apiVersion" : "kind";
      set.errors.push({
        file,
        index: doc.index,
        source: doc.position([missing]),
        message: `document has no ${missing}: it is not a Kubernetes object`,
      });
      continue;
    }
    if (!isKarpenterKind(apiVersion, kind) && !isLegacyKarpenterKind(apiVersion, kind)) {
      set.skipped.push({
        file,
        index: doc.index,
        source: doc.start,
        apiVersion,
        kind,
        reason: `${kind} (${apiVersion}) is not a Karpenter NodePool, EC2NodeClass or NodeClaim`,
      });
      continue;
    }
    const served = findCrd(apiVersion, kind) !== undefined;
    // Served objects are judged as written; conversion (a deep copy) only explains their leftovers, on demand.
    const converted = served ? undefined : convertToV1(value);
    const object = converted && isRecord(converted.object) ? converted.object : value;
    let repairs: ConversionNote[] | undefined;
    const metadata = isRecord(value.metadata) ? value.metadata : {};
    set.manifests.push({
      file,
      index: doc.index,
      source: doc.start,
      apiVersion,
      kind,
      name: typeof metadata.name === "string" ? metadata.name : "",
      original: value,
      object,
      conversion: converted?.notes ?? [],
      get repairs() {
        repairs ??= served ? convertToV1(value).notes : [];
        return repairs;
      },
      position: doc.position,
    });
  }
  return set;
}

export interface ManifestValidation {
  /** The v1 object with the API server's defaults applied. */
  object: Record<string, unknown>;
  errors: FieldError[];
}

/** Validates a loaded manifest (its v1 shape) and attaches the source position of each error. */
export function validateManifest(manifest: Manifest, options: ValidateOptions = {}): ManifestValidation {
  const result = validateObject(manifest.object, options);
  if (!result) {
    const error: FieldError = {
      path: ["apiVersion"],
      type: "Unsupported value",
      origin: "document",
      message: `Unsupported value: ${JSON.stringify(manifest.object.apiVersion)}: ${manifest.kind} could not be converted to a served version`,
      source: manifest.position(["apiVersion"]),
    };
    return { object: manifest.object, errors: [error] };
  }
  const errors = result.errors.map((e) => ({ ...e, source: manifest.position(e.path) }));
  return { object: result.object, errors };
}

const KARPENTER_GROUPS = new Set(["karpenter.sh", "karpenter.k8s.aws"]);
const KARPENTER_KINDS = new Set(["NodePool", "EC2NodeClass", "NodeClaim"]);

function looksKarpenter(apiVersion: unknown, kind: unknown): boolean {
  const group = typeof apiVersion === "string" ? apiVersion.split("/")[0] : undefined;
  return (
    (group !== undefined && KARPENTER_GROUPS.has(group)) || (typeof kind === "string" && KARPENTER_KINDS.has(kind))
  );
}
