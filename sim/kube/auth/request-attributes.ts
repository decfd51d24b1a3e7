// What a request asks to do, in the terms authorization decides on (authorizer.AttributesRecord), derived from
// its method and URL as the API server's RequestInfoFactory does (k8s.io/apiserver/pkg/endpoints/request):
// resource requests get a verb from the method and the URL's shape (list or watch on a collection, get on a
// name, deletecollection…), everything else is a non-resource request whose verb is the lower-cased method.
import type { UserInfo } from "./user-info.ts";

export interface ResourceAttributes {
  resourceRequest: true;
  verb: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

export interface NonResourceAttributes {
  resourceRequest: false;
  verb: string;
  path: string;
}

export type RequestAttributes = ResourceAttributes | NonResourceAttributes;

export type Attributes = RequestAttributes & { user: UserInfo };

// The namespace's own subresources: `/api/v1/namespaces/{name}/status` is not a resource named "status".
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

const METHOD_VERBS: Record<string, string> = {
  POST: "create",
  PUT: "update",
  PATCH: "patch",
  GET: "get",
  HEAD: "get",
  DELETE: "delete",
};

/** RequestInfoFactory.NewRequestInfo for a request path and query. */
export function requestAttributes(method: string, url: URL): RequestAttributes {
  const path = url.pathname;
  const nonResource: NonResourceAttributes = { resourceRequest: false, verb: method.toLowerCase(), path };
  let parts = path
    .split("/")
    .filter((p) => p !== "")
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  let apiGroup: string;
  if (parts[0] === "api" && parts.length >= 3) {
    apiGroup = "";
    parts = parts.slice(1);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    apiGroup = parts[1] as string;
    parts = parts.slice(2);
  } else {
    return nonResource;
  }
  const apiVersion = parts[0] as string;
  parts = parts.slice(1);
  let verb = METHOD_VERBS[method.toUpperCase()] ?? "";
  // The deprecated `/watch/` (and `/proxy/`) prefix is the verb itself.
  if ((parts[0] === "watch" || parts[0] === "proxy") && parts.length >= 2) {
    verb = parts[0];
    parts = parts.slice(1);
  }
  let namespace = "";
  if (parts[0] === "namespaces") {
    // A server-side apply creating a namespace PATCHes /namespaces/{name}: not a request in that namespace.
    if (parts.length === 2 && verb === "patch") namespace = "";
    else if (parts.length > 1) {
      namespace = parts[1] as string;
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] as string)) parts = parts.slice(2);
    }
  }
  const [resource = "", name = ""] = parts;
  // `proxy` takes the rest of the path as its own, not as a subresource.
  const subresource = verb === "proxy" ? "" : (parts[2] ?? "");
  let requestName = name;
  // No name and a get: a list or a watch (any `watch` value but false or 0), narrowed to one object by a
  // `metadata.name` field selector.
  if (requestName === "" && verb === "get") {
    const q = url.searchParams;
    const watch = q.get("watch");
    verb = watch !== null && !["false", "0"].includes(watch.toLowerCase()) ? "watch" : "list";
    requestName = exactName(q.get("fieldSelector"));
  }
  if (requestName === "" && verb === "delete") verb = "deletecollection";
  return { resourceRequest: true, verb, apiGroup, apiVersion, namespace, resource, subresource, name: requestName };
}

/** fields.Selector.RequiresExactMatch("metadata.name") of a selector that parses; "" otherwise. */
function exactName(selector: string | null): string {
  if (selector === null || selector === "") return "";
  let name = "";
  for (const term of selector.split(",")) {
    const match = /^\s*([^=!\s]+)\s*(==|=|!=)\s*([^=!,]*?)\s*$/.exec(term);
    if (!match) return "";
    if (match[1] === "metadata.name" && match[2] !== "!=") name = match[3] as string;
  }
  // Only a name that could be a path segment (path.IsValidPathSegmentName).
  if (name === "." || name === ".." || name.includes("/") || name.includes("%")) return "";
  return name;
}
