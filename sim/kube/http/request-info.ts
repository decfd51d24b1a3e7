// What a request path asks for, as the API server's RequestInfoFactory reads it: discovery and OpenAPI paths, or
// a resource request `/api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]` and its `/apis/{group}/…`
// twin. `/api/v1/namespaces/{name}` is the namespace itself, not a namespace scope.
export type RequestInfo =
  | {
      type: "resource";
      group: string;
      version: string;
      namespace?: string;
      resource: string;
      name?: string;
      subresource?: string;
    }
  | { type: "other"; path: string };

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

export function parseRequestPath(pathname: string): RequestInfo {
  const parts = pathname
    .split("/")
    .filter((p) => p !== "")
    .map(decodeURIComponent);
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === "api" && parts.length >= 3) {
    group = "";
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else {
    return { type: "other", path: pathname };
  }
  let namespace: string | undefined;
  // `/namespaces/{name}/status` and `/finalize` are the namespace's own subresources, not resources in it.
  if (rest[0] === "namespaces" && rest.length >= 3 && !NAMESPACE_SUBRESOURCES.has(rest[2] as string)) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (resource === undefined || extra.length > 0) return { type: "other", path: pathname };
  const info: RequestInfo = { type: "resource", group, version, resource };
  if (namespace !== undefined) info.namespace = namespace;
  if (name !== undefined) info.name = name;
  if (subresource !== undefined) info.subresource = subresource;
  return info;
}
