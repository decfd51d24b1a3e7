// Strategic merge patch as the API server applies it to built-in kinds (k8s.io/apimachinery/pkg/util/strategicpatch
// StrategicMergePatch): maps merge, null deletes, lists with a patch merge key merge item by item (`$patch:
// delete` removes one, `$patch: replace` replaces the list), primitive lists with strategy merge are unions,
// other lists are replaced; `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>` and `$retainKeys` are
// honoured. The merge keys come from the kind's schema (x-kubernetes-patch-merge-key), as the server takes them
// from the Go types' patchMergeKey tags.
import { cloneJson, isRecord } from "../../../api/index.ts";
import { badRequest } from "../store/status.ts";
import type { KubeSchema } from "../store/schema.ts";

type Json = unknown;
type JsonMap = Record<string, Json>;

const SET_ORDER = "$setElementOrder/";
const DELETE_FROM = "$deleteFromPrimitiveList/";

export function applyStrategicMergePatch(original: JsonMap, patch: Json, schema: KubeSchema | undefined): JsonMap {
  if (!isRecord(patch))
    throw badRequest(
      'unable to find api field in struct Unstructured for the json field "": the patch is not a JSON object',
    );
  const merged = mergeMap(original, patch, schema);
  return merged ?? {};
}

function childSchema(schema: KubeSchema | undefined, key: string): KubeSchema | undefined {
  if (!schema) return undefined;
  return (
    schema.properties?.[key] ??
    (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined)
  );
}

function mergeMap(original: JsonMap | undefined, patch: JsonMap, schema: KubeSchema | undefined): JsonMap | undefined {
  const directive = patch.$patch;
  if (directive === "delete") return undefined;
  if (directive === "replace") return stripDirectives(patch) as JsonMap;
  const result: JsonMap = original ? cloneJson(original) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys" || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      const remove = new Set((Array.isArray(value) ? value : []).map((v) => JSON.stringify(v)));
      if (Array.isArray(result[field]))
        result[field] = (result[field] as Json[]).filter((v) => !remove.has(JSON.stringify(v)));
      continue;
    }
    if (value === null) {
      Reflect.deleteProperty(result, key);
      continue;
    }
    const child = childSchema(schema, key);
    if (isRecord(value)) {
      const merged = mergeMap(isRecord(result[key]) ? (result[key] as JsonMap) : undefined, value, child);
      if (merged === undefined) Reflect.deleteProperty(result, key);
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = mergeList(Array.isArray(result[key]) ? (result[key] as Json[]) : [], value, child);
    } else {
      result[key] = value;
    }
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER) || !Array.isArray(order)) continue;
    const field = key.slice(SET_ORDER.length);
    if (Array.isArray(result[field]))
      result[field] = reorder(
        result[field] as Json[],
        order,
        childSchema(schema, field)?.["x-kubernetes-patch-merge-key"],
      );
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) if (!retain.includes(key)) Reflect.deleteProperty(result, key);
  }
  return result;
}

function mergeList(original: Json[], patch: Json[], schema: KubeSchema | undefined): Json[] {
  const strategy = schema?.["x-kubernetes-patch-strategy"] ?? "";
  const mergeKey = schema?.["x-kubernetes-patch-merge-key"];
  if (!strategy.split(",").includes("merge")) {
    if (patch.some((item) => isRecord(item) && item.$patch === "replace")) {
      return patch.filter((item) => !(isRecord(item) && item.$patch === "replace")).map(stripDirectives);
    }
    return patch.map(stripDirectives);
  }
  if (patch.some((item) => isRecord(item) && item.$patch === "replace")) {
    return patch.filter((item) => !(isRecord(item) && item.$patch === "replace")).map(stripDirectives);
  }
  if (!mergeKey) {
    // A list of primitives with strategy merge: the union, in order.
    const result = original.slice();
    const seen = new Set(result.map((v) => JSON.stringify(v)));
    for (const value of patch) {
      if (!seen.has(JSON.stringify(value))) result.push(value);
      seen.add(JSON.stringify(value));
    }
    return result;
  }
  const result = original.map((item) => cloneJson(item));
  for (const item of patch) {
    if (!isRecord(item))
      throw badRequest(`unable to merge list: an item of a list merged by "${mergeKey}" is not an object`);
    const keyValue = item[mergeKey];
    const index = result.findIndex((existing) => isRecord(existing) && existing[mergeKey] === keyValue);
    if (item.$patch === "delete") {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      const merged = mergeMap(result[index] as JsonMap, item, schema?.items);
      if (merged === undefined) result.splice(index, 1);
      else result[index] = merged;
    } else {
      result.push(stripDirectives(item));
    }
  }
  return result;
}

// $setElementOrder: the listed items first, in the given order; items it does not name keep their place after.
function reorder(list: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  const keyOf = (item: Json): string => JSON.stringify(mergeKey && isRecord(item) ? item[mergeKey] : item);
  const position = new Map(order.map((item, i) => [keyOf(item), i]));
  const named = list
    .filter((item) => position.has(keyOf(item)))
    .sort((a, b) => (position.get(keyOf(a)) ?? 0) - (position.get(keyOf(b)) ?? 0));
  return [...named, ...list.filter((item) => !position.has(keyOf(item)))];
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isRecord(value)) return value;
  const out: JsonMap = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "$patch" || key === "$retainKeys" || key.startsWith(SET_ORDER) || key.startsWith(DELETE_FROM)) continue;
    out[key] = stripDirectives(child);
  }
  return out;
}
