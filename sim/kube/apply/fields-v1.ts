// The `fieldsV1` encoding of a field set in `metadata.managedFields` (structured-merge-diff's
// fieldpath/serialize.go, Set.ToJSON / FromJSON): an object whose keys are serialized path elements; `{}` for a
// member, an object of its children for an element with paths below it, with `".": {}` first when the element
// is a member as well. Keys are written in path-element order.
import { FieldSet } from "./field-set.ts";
import { comparePathElements, parsePathElement, serializePathElement } from "./path-element.ts";

export type FieldsV1 = Record<string, unknown>;

export function toFieldsV1(set: FieldSet): FieldsV1 {
  return emit(set, false);
}

function emit(set: FieldSet, includeSelf: boolean): FieldsV1 {
  const members = set.members();
  const children = set.children();
  const out: FieldsV1 = {};
  if (includeSelf && (members.length > 0 || children.length > 0)) out["."] = {};
  // Members and children merged in element order; an element in both is written once, with ".".
  const childSets = new Map(children.map((c) => [serializePathElement(c.pe), c.set]));
  const memberKeys = new Set(members.map(serializePathElement));
  const elements = [...members, ...children.map((c) => c.pe).filter((pe) => !memberKeys.has(serializePathElement(pe)))];
  for (const pe of elements.sort(comparePathElements)) {
    const key = serializePathElement(pe);
    const child = childSets.get(key);
    out[key] = child ? emit(child, memberKeys.has(key)) : {};
  }
  return out;
}

/** Reads a fieldsV1 object; throws an Error naming the bad key. */
export function fromFieldsV1(value: unknown): FieldSet {
  const set = new FieldSet();
  read(value, set);
  return set;
}

function read(value: unknown, set: FieldSet): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new Error("fieldsV1 must be a JSON object");
  let isMember = false;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key === ".") {
      isMember = true;
      continue;
    }
    const pe = parsePathElement(key);
    const sub = new FieldSet();
    const childIsMember = read(child, sub);
    if (sub.empty() || childIsMember) set.insertMember(pe);
    set.setChild(pe, sub);
  }
  return isMember;
}
