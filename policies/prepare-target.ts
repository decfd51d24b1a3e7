// Turns what the engine is given (a manifest loaded from YAML, or an object from the API server) into the
// target rules judge: converted to v1, validated, defaulted, with source positions, and a typed view when valid.
import {
  convertToV1,
  findCrd,
  isKarpenterKind,
  isRecord,
  validateManifest,
  validateObject,
  type EC2NodeClass,
  type FieldError,
  type Manifest,
  type NodePool,
  type SourcePosition,
} from "../api/index.ts";
import type { PolicyTarget, PreparedTarget } from "./target.ts";

/** One object to judge: a manifest from a file, or a plain object (e.g. from an AdmissionReview). */
export interface PolicyObject {
  manifest?: Manifest;
  object?: unknown;
  /** Its previous version, in any supported shape: a pull request's base, or the webhook's oldObject. */
  previous?: unknown;
}

// A manifest judged again with the same previous version (the Git gate re-judges a repository whose files mostly
// did not change) is prepared once: a target is immutable and depends only on these two.
const prepared = new WeakMap<Manifest, { previous: unknown; target: PreparedTarget }>();

export function prepareTarget(input: PolicyObject): PreparedTarget | undefined {
  if (input.manifest) {
    const cached = prepared.get(input.manifest);
    if (cached && cached.previous === input.previous) return cached.target;
    const target = fromManifest(input.manifest, input.previous);
    prepared.set(input.manifest, { previous: input.previous, target });
    return target;
  }
  return fromObject(input.object, input.previous);
}

function fromManifest(manifest: Manifest, previous: unknown): PreparedTarget {
  const { object, errors } = validateManifest(manifest);
  const converted = findCrd(manifest.apiVersion, manifest.kind) === undefined;
  return build({
    object,
    written: manifest.object,
    errors,
    // A manifest that could not be converted to a served version carries that as an error.
    validated: true,
    conversion: manifest.conversion,
    repairs: () => manifest.repairs,
    converted,
    ...(converted ? { writtenAs: { apiVersion: manifest.apiVersion, kind: manifest.kind } } : {}),
    previous,
    source: manifest.source,
    position: (path) => manifest.position(path),
  });
}

function fromObject(value: unknown, previous: unknown): PreparedTarget | undefined {
  // A served version validates (validateObject answers undefined for any other); only the rest is looked up.
  const result = validateObject(value);
  if (!isRecord(value) || (result === undefined && !isKarpenterKind(value.apiVersion, value.kind))) return undefined;
  const served = result !== undefined;
  // Conversion copies the object: for a served version it only explains unknown fields, so run it only then.
  const needsNotes = !served || (result?.errors.some((e) => e.type === "Unknown field") ?? false);
  const { object: v1, notes } = needsNotes ? convertToV1(value) : { object: value, notes: [] };
  const written = served || !isRecord(v1) ? value : v1;
  const validated = served ? result : validateObject(written);
  return build({
    object: validated?.object ?? written,
    written,
    errors: validated?.errors ?? [],
    validated: validated !== undefined,
    conversion: served ? [] : notes,
    repairs: () => (served ? notes : []),
    converted: !served,
    ...(served ? {} : { writtenAs: { apiVersion: String(value.apiVersion), kind: String(value.kind) } }),
    previous,
    source: undefined,
    position: () => undefined,
  });
}

interface Parts {
  object: Record<string, unknown>;
  written: Record<string, unknown>;
  errors: FieldError[];
  /** False when no served version's schema judged it (a conversion that gave no object). */
  validated: boolean;
  conversion: PolicyTarget["conversion"];
  /** Computed only when a rule asks (it converts, which copies the object). */
  repairs: () => PolicyTarget["repairs"];
  converted: boolean;
  writtenAs?: PolicyTarget["writtenAs"];
  previous: unknown;
  source: SourcePosition | undefined;
  position: PolicyTarget["position"];
}

function build(parts: Parts): PreparedTarget {
  const { object } = parts;
  // Rules never see a typed view of an invalid object: its fields may not have the types the view promises.
  const valid = parts.validated && parts.errors.length === 0;
  const kind = String(object.kind);
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const name = typeof metadata.name === "string" ? metadata.name : "";
  const labels = isRecord(metadata.labels) ? (metadata.labels as Record<string, string>) : {};
  const ref: PreparedTarget["ref"] = { apiVersion: String(object.apiVersion), kind, name };
  if (parts.source) ref.source = parts.source;
  // Built whole, then the optional fields set: spreads of conditional literals cost an object and a copy each, on
  // every object judged.
  const target: Writable<PreparedTarget> = {
    ref,
    kind,
    name,
    labels,
    object,
    written: parts.written,
    // `object` is validateObject's defaulted copy of `written`, or `written` itself when no served version judged it.
    defaultsOfWritten: true,
    previous: previousVersion(parts.previous),
    validation: parts.errors,
    conversion: parts.conversion,
    get repairs() {
      return parts.repairs();
    },
    converted: parts.converted,
    position: parts.position,
  };
  if (valid && kind === "NodePool") target.nodePool = object as unknown as NodePool;
  if (valid && kind === "EC2NodeClass") target.nodeClass = object as unknown as EC2NodeClass;
  if (parts.writtenAs) target.writtenAs = parts.writtenAs;
  return target;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

// A previous version given again as the same object (the webhook hands back the stored version it keeps for a
// content digest; the Git gate the last good state's manifests) is converted and defaulted once.
const previousVersions = new WeakMap<object, Record<string, unknown> | undefined>();

// The previous version in v1 shape with defaults, so a change is judged field against field.
function previousVersion(previous: unknown): Record<string, unknown> | undefined {
  if (!isRecord(previous)) return undefined;
  if (previousVersions.has(previous)) return previousVersions.get(previous);
  const version = computePreviousVersion(previous);
  previousVersions.set(previous, version);
  return version;
}

function computePreviousVersion(previous: Record<string, unknown>): Record<string, unknown> | undefined {
  const served = findCrd(previous.apiVersion, previous.kind) !== undefined;
  const v1 = served ? previous : convertToV1(previous).object;
  if (!isRecord(v1)) return undefined;
  return validateObject(v1)?.object ?? v1;
}
