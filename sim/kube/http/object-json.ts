// A stored object's JSON, encoded once: the store replaces an object on every write and never changes a stored
// one in place, so its encoding can be kept beside it (weakly: it goes when the object does). A list of 5,000
// pods is then the joining of 5,000 strings, not the encoding of 5 MiB each time (the apiserver's watch cache
// keeps its serialized objects for the same reason: cachingObject).
import type { KubeObject } from "../store/resource-kind.ts";

const encoded = new WeakMap<KubeObject, string>();

export function objectJson(object: KubeObject): string {
  let json = encoded.get(object);
  if (json === undefined) {
    json = JSON.stringify(object);
    encoded.set(object, json);
  }
  return json;
}

// The last object a watch event carried, and its encoding: the store hands one change to every watcher before the
// next, so a change is encoded once however many watch it — without keeping the encoding of every version a watch
// saw (the store's event window holds thousands of old versions; their encodings would double that memory).
let lastWatched: { object: KubeObject; json: string } | undefined;

export function watchedObjectJson(object: KubeObject): string {
  if (lastWatched?.object !== object) lastWatched = { object, json: encoded.get(object) ?? JSON.stringify(object) };
  return lastWatched.json;
}

/** `{...head, "items": [...]}` with each item's cached encoding. */
export function listJson(head: Record<string, unknown>, items: readonly KubeObject[]): string {
  const start = JSON.stringify(head).slice(0, -1);
  return `${start}${start.length > 1 ? "," : ""}"items":[${items.map(objectJson).join(",")}]}`;
}
