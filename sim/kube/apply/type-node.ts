// How structured-merge-diff sees a value through the kind's OpenAPI schema (its schema.Atom): a scalar; a map
// (a struct with declared fields, or string-keyed entries), separable field by field unless
// `x-kubernetes-map-type: atomic`; or a list that is atomic, a set of scalars (`x-kubernetes-list-type: set`)
// or associative by key fields (`map` with `x-kubernetes-list-map-keys`). Built-in kinds' lists declared with
// a strategic-merge patch strategy and no list type are read as upstream's Go types declare them: merged by
// their merge key, or a set. A schema that says nothing (`x-kubernetes-preserve-unknown-fields`, or no schema)
// is deduced from the value as upstream's DeducedParseableType: maps are separable, lists atomic.
import { isRecord } from "../../../api/index.ts";
import type { KubeSchema } from "../store/schema.ts";

export interface ScalarType {
  kind: "scalar";
}

export interface MapType {
  kind: "map";
  atomic: boolean;
  /** The schema of a field or entry, undefined when it is to be deduced. */
  childSchema(name: string): KubeSchema | undefined;
  /** Whether `name` is a declared field of a struct (not an entry of a map). */
  declares(name: string): boolean;
}

export interface ListType {
  kind: "list";
  relationship: "atomic" | "set" | "map";
  keys: readonly string[];
  items: KubeSchema | undefined;
}

export type TypeNode = ScalarType | MapType | ListType;

const SCALAR: ScalarType = { kind: "scalar" };
const DEDUCED_MAP: MapType = { kind: "map", atomic: false, childSchema: () => undefined, declares: () => false };
const DEDUCED_LIST: ListType = { kind: "list", relationship: "atomic", keys: [], items: undefined };

function deduce(value: unknown): TypeNode {
  if (isRecord(value)) return DEDUCED_MAP;
  if (Array.isArray(value)) return DEDUCED_LIST;
  return SCALAR;
}

/** The type of `value` under `schema`; the value decides where the schema leaves it open or disagrees. */
export function resolveType(schema: KubeSchema | undefined, value: unknown): TypeNode {
  const declared = schemaType(schema);
  if (declared === undefined) return deduce(value);
  // A value of another shape than declared (which validation reports) is handled as what it is.
  if (value !== undefined && value !== null) {
    if (declared.kind === "map" && !isRecord(value)) return deduce(value);
    if (declared.kind === "list" && !Array.isArray(value)) return deduce(value);
    if (declared.kind === "scalar" && (isRecord(value) || Array.isArray(value))) return deduce(value);
  }
  return declared;
}

/** The type a schema declares, or undefined when it leaves the value's shape open. */
export function schemaType(schema: KubeSchema | undefined): TypeNode | undefined {
  if (!schema || schema["x-kubernetes-int-or-string"] === true) return schema ? SCALAR : undefined;
  const { properties, additionalProperties, items } = schema;
  if (schema.type === "array" || items !== undefined) {
    let relationship = schema["x-kubernetes-list-type"];
    const mergeKey = schema["x-kubernetes-patch-merge-key"];
    if (relationship === undefined) {
      const merges = (schema["x-kubernetes-patch-strategy"] ?? "").split(",").includes("merge");
      relationship = merges ? (mergeKey ? "map" : "set") : "atomic";
    }
    const keys = schema["x-kubernetes-list-map-keys"] ?? (mergeKey ? [mergeKey] : []);
    return { kind: "list", relationship, keys: relationship === "map" ? keys : [], items };
  }
  if (schema.type === "object" || properties !== undefined || additionalProperties !== undefined) {
    const atomic = schema["x-kubernetes-map-type"] === "atomic";
    const entries = typeof additionalProperties === "object" ? additionalProperties : undefined;
    if (!properties && !entries && !atomic) return DEDUCED_MAP;
    return {
      kind: "map",
      atomic,
      childSchema: (name) => (properties && Object.hasOwn(properties, name) ? properties[name] : entries),
      declares: (name) => properties !== undefined && Object.hasOwn(properties, name),
    };
  }
  if (schema.type === undefined && schema["x-kubernetes-preserve-unknown-fields"] === true) return undefined;
  return SCALAR;
}

/** The schema below one path element: a field's or entry's, or a list's items'. */
export function childSchemaOf(
  schema: KubeSchema | undefined,
  step: "items" | { field: string },
): KubeSchema | undefined {
  const type = schemaType(schema);
  if (!type) return undefined;
  if (step === "items") return type.kind === "list" ? type.items : undefined;
  return type.kind === "map" ? type.childSchema(step.field) : undefined;
}

function isEmptyContainer(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.keys(value).length === 0;
  return false;
}

/**
 * The type two values (either absent) are walked as, and whether it is a leaf: a scalar, an atomic list or map,
 * values of different shapes, or two empty containers (which keeps `{}` apart from null, as upstream's
 * emptyPromoteToLeaf). Undefined when both are absent.
 */
export function walkedType(
  schema: KubeSchema | undefined,
  lhs: unknown,
  rhs: unknown,
): { type: TypeNode; leaf: boolean } | undefined {
  const lt = lhs === undefined ? undefined : resolveType(schema, lhs);
  const rt = rhs === undefined ? undefined : resolveType(schema, rhs);
  const type = rt ?? lt;
  if (!type) return undefined;
  const leaf =
    (lt !== undefined && rt !== undefined && lt.kind !== rt.kind) ||
    type.kind === "scalar" ||
    (type.kind === "list" && type.relationship === "atomic") ||
    (type.kind === "map" && type.atomic) ||
    (isEmptyContainer(lhs) && isEmptyContainer(rhs));
  return { type, leaf };
}
