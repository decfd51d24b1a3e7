// The object a rule judges, prepared once by the engine: its v1 shape with the API server's defaults, its
// validation result, its previous version when known, where its fields are in the file — and, only when it
// passed validation, a typed view (a rule must declare that it needs one: `view: "typed"` in rule.ts).
import type { ConversionNote, EC2NodeClass, FieldError, FieldPath, NodePool, SourcePosition } from "../api/index.ts";
import type { ObjectRef } from "./finding.ts";

/** What every rule reads, valid object or not: its fields are `unknown` until checked. */
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
  /**
   * Whether `object` is `written` with the API server's defaults and nothing else (every target `prepareTarget`
   * makes): a field of `object` is then a function of the kind and the same field of `written`, where that is
   * present, so a cache keyed by field values may key both by the written one (memoized-rule.ts).
   */
  defaultsOfWritten?: boolean;
  /** The previous version (v1, defaulted), when known: a pull request's base, or the webhook's oldObject. */
  previous?: Record<string, unknown>;
  /** Schema and CEL errors, as the API server would report them. */
  validation: readonly FieldError[];
  /** Changes made converting an older shape to v1 (empty for objects written as v1). */
  conversion: readonly ConversionNote[];
  /** Whether the object was written in an older shape and converted. */
  converted: boolean;
  /** When converted: the apiVersion and kind it was written in (a version Karpenter no longer serves). */
  writtenAs?: { apiVersion: string; kind: string };
  /** For objects written as v1: how to repair older-shape leftovers (paths as written). */
  repairs: readonly ConversionNote[];
  /** Source position of a field by its path in the judged object, when loaded from YAML. */
  position(path: FieldPath): SourcePosition | undefined;
}

/** A NodePool that passed validation: `nodePool` is `object`, typed. */
export interface NodePoolTarget extends PolicyTarget {
  kind: "NodePool";
  nodePool: NodePool;
}

/** An EC2NodeClass that passed validation: `nodeClass` is `object`, typed. */
export interface NodeClassTarget extends PolicyTarget {
  kind: "EC2NodeClass";
  nodeClass: EC2NodeClass;
}

/** The typed target of each kind, for the rules that need one. */
export interface TypedTargets {
  NodePool: NodePoolTarget;
  EC2NodeClass: NodeClassTarget;
}

/**
 * A target as the engine and the scope hold it. The typed view is there only when the object has no validation
 * error at all (schema, CEL, unknown field, metadata): a view of an invalid object would promise types its fields
 * do not have. Whoever reads it checks first, or asks `typedTarget`.
 */
export interface PreparedTarget extends PolicyTarget {
  readonly nodePool?: NodePool;
  readonly nodeClass?: EC2NodeClass;
}

/** The target with its typed view, or undefined when the object failed validation. */
export function typedTarget(target: PreparedTarget): NodePoolTarget | NodeClassTarget | undefined {
  if (target.kind === "NodePool" && target.nodePool !== undefined) return target as NodePoolTarget;
  if (target.kind === "EC2NodeClass" && target.nodeClass !== undefined) return target as NodeClassTarget;
  return undefined;
}

/** The objects in scope besides the one judged, and whether a kind's set is complete enough to judge references. */
export interface Scope {
  nodePools: readonly PreparedTarget[];
  nodeClasses: readonly PreparedTarget[];
  /**
   * Whether every object of this kind that could be referenced is known (the cluster's view, or a bundle that
   * holds objects of that kind). A dangling reference is certain only then.
   */
  covers(kind: string): boolean;
}
