// The object a rule judges, prepared once by the engine: its v1 shape with the API server's defaults, typed
// views, its validation result, its previous version when known, and where its fields are in the file.
import type { ConversionNote, EC2NodeClass, FieldError, FieldPath, NodePool, SourcePosition } from "../api/index.ts";
import type { ObjectRef } from "./finding.ts";

export interface PolicyTarget {
  ref: ObjectRef;
  kind: string;
  name: string;
  /** Labels of the object itself (metadata.labels), for policy `match` and exemptions. */
  labels: Readonly<Record<string, string>>;
  /** v1 shape with the API server's defaults applied. */
  object: Record<string, unknown>;
  /** v1 shape as written (no defaults): patches apply here. */
  written: Record<string, unknown>;
  /** Typed views of `object`, set for its kind (valid or not: check fields before trusting them). */
  nodePool?: NodePool;
  nodeClass?: EC2NodeClass;
  /** The previous version (v1, defaulted), when known: a pull request's base, or the webhook's oldObject. */
  previous?: Record<string, unknown>;
  /** Schema and CEL errors, as the API server would report them. */
  validation: readonly FieldError[];
  /** Changes made converting an older shape to v1 (empty for objects written as v1). */
  conversion: readonly ConversionNote[];
  /** Whether the object was written in an older shape and converted. */
  converted: boolean;
  /** For objects written as v1: how to repair older-shape leftovers (paths as written). */
  repairs: readonly ConversionNote[];
  /** Source position of a field by its path in the judged object, when loaded from YAML. */
  position(path: FieldPath): SourcePosition | undefined;
}

/** The objects in scope besides the one judged, and whether a kind's set is complete enough to judge references. */
export interface Scope {
  nodePools: readonly PolicyTarget[];
  nodeClasses: readonly PolicyTarget[];
  /**
   * Whether every object of this kind that could be referenced is known (the cluster's view, or a bundle that
   * holds objects of that kind). A dangling reference is certain only then.
   */
  covers(kind: string): boolean;
}
