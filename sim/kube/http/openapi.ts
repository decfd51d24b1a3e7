// OpenAPI v3 as the API server publishes it: /openapi/v3 lists one document per group-version
// (`serverRelativeURL` with a content hash, which clients cache by), and each document has the kinds' schemas
// (with x-kubernetes-group-version-kind) and their paths and operations. kubectl reads the PATCH operation's
// `fieldValidation` parameter to decide that the server validates fields itself (so `kubectl apply` sends
// fieldValidation=Strict), and `kubectl explain` reads the schemas.
import { createHash } from "node:crypto";
import type { KindRegistry } from "../store/kind-registry.ts";
import { apiVersionOf, type ResourceKind } from "../store/resource-kind.ts";
import type { KubeSchema } from "../store/schema.ts";
import { KUBERNETES_VERSION } from "./discovery.ts";
import { PATCH_TYPES } from "./patch.ts";

export interface OpenApiDocuments {
  /** The /openapi/v3 index. */
  index: Record<string, unknown>;
  /** Documents by path below /openapi/v3/ (`api/v1`, `apis/apps/v1`). */
  documents: Map<string, { body: string; hash: string }>;
}

const BUILT_IN_PACKAGES: Record<string, string> = {
  "": "io.k8s.api.core",
  apiextensions: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
};

/** The schema name the API server uses: io.k8s.api.apps.v1.Deployment, sh.karpenter.v1.NodePool. */
export function schemaName(kind: ResourceKind): string {
  if (kind.custom) return `${kind.group.split(".").reverse().join(".")}.${kind.version}.${kind.kind}`;
  const short = kind.group.split(".")[0] ?? "";
  const pkg = BUILT_IN_PACKAGES[short] ?? `io.k8s.api.${short}`;
  return `${pkg}.${kind.version}.${kind.kind}`;
}

const query = (name: string, description: string, schema: Record<string, unknown> = { type: "string" }) => ({
  name,
  in: "query",
  description,
  schema,
  uniqueItems: true,
});

const WRITE_PARAMETERS = [
  query("dryRun", "When present, indicates that modifications should not be persisted."),
  query("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
  query(
    "fieldValidation",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn (the default) - Strict",
  ),
];

const LIST_PARAMETERS = [
  query("allowWatchBookmarks", 'allowWatchBookmarks requests watch events with type "BOOKMARK".', { type: "boolean" }),
  query("continue", "The continue option should be set when retrieving more results from the server."),
  query("fieldSelector", "A selector to restrict the list of returned objects by their fields."),
  query("labelSelector", "A selector to restrict the list of returned objects by their labels."),
  query("limit", "limit is a maximum number of responses to return for a list call.", { type: "integer" }),
  query("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."),
  query("resourceVersionMatch", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
  query("sendInitialEvents", "`sendInitialEvents=true` may be set together with `watch=true`.", { type: "boolean" }),
  query("timeoutSeconds", "Timeout for the list/watch call.", { type: "integer" }),
  query(
    "watch",
    "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.",
    { type: "boolean" },
  ),
];

function operation(
  kind: ResourceKind,
  action: string,
  verb: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const ref = { $ref: `#/components/schemas/${schemaName(kind)}` };
  return {
    description: `${verb} ${kind.kind}`,
    operationId: `${action}${kind.kind}`,
    responses: { "200": { description: "OK", content: { "application/json": { schema: ref } } } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": { group: kind.group, version: kind.version, kind: kind.kind },
    ...extra,
  };
}

function patchOperation(kind: ResourceKind): Record<string, unknown> {
  const types = kind.custom
    ? [PATCH_TYPES.json, PATCH_TYPES.merge]
    : [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic];
  return operation(kind, "patch", "partially update the specified", {
    parameters: [...WRITE_PARAMETERS, query("force", 'Force is going to "force" Apply requests.', { type: "boolean" })],
    requestBody: {
      content: Object.fromEntries(types.map((t) => [t, { schema: { type: "object" } }])),
      required: true,
    },
  });
}

function pathsFor(kind: ResourceKind): Record<string, unknown> {
  const base = kind.group === "" ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  const scope = kind.namespaced ? "/namespaces/{namespace}" : "";
  const namespaceParameter = kind.namespaced
    ? [{ name: "namespace", in: "path", required: true, schema: { type: "string" }, uniqueItems: true }]
    : [];
  const nameParameter = { name: "name", in: "path", required: true, schema: { type: "string" }, uniqueItems: true };
  const body = {
    requestBody: {
      content: { "*/*": { schema: { $ref: `#/components/schemas/${schemaName(kind)}` } } },
      required: true,
    },
  };
  const paths: Record<string, unknown> = {
    [`${base}${scope}/${kind.plural}`]: {
      get: operation(kind, "list", "list or watch objects of kind", { parameters: LIST_PARAMETERS }),
      post: operation(kind, "post", "create a", { parameters: WRITE_PARAMETERS, ...body }),
      delete: operation(kind, "deletecollection", "delete collection of", { parameters: LIST_PARAMETERS }),
      parameters: namespaceParameter,
    },
    [`${base}${scope}/${kind.plural}/{name}`]: {
      get: operation(kind, "get", "read the specified"),
      put: operation(kind, "put", "replace the specified", { parameters: WRITE_PARAMETERS, ...body }),
      patch: patchOperation(kind),
      delete: operation(kind, "delete", "delete a"),
      parameters: [nameParameter, ...namespaceParameter],
    },
  };
  if (kind.namespaced)
    paths[`${base}/${kind.plural}`] = {
      get: operation(kind, "list", "list or watch objects of kind", { parameters: LIST_PARAMETERS }),
    };
  if (kind.subresources.includes("status")) {
    paths[`${base}${scope}/${kind.plural}/{name}/status`] = {
      get: operation(kind, "get", "read status of the specified"),
      put: operation(kind, "put", "replace status of the specified", { parameters: WRITE_PARAMETERS, ...body }),
      patch: patchOperation(kind),
      parameters: [nameParameter, ...namespaceParameter],
    };
  }
  return paths;
}

function schemaFor(kind: ResourceKind): KubeSchema {
  return {
    ...kind.schema,
    description: kind.schema.description ?? `${kind.kind} (${apiVersionOf(kind)}) as the simulated cluster serves it.`,
    "x-kubernetes-group-version-kind": [{ group: kind.group, version: kind.version, kind: kind.kind }],
  };
}

export function openApiDocuments(registry: KindRegistry): OpenApiDocuments {
  const documents = new Map<string, { body: string; hash: string }>();
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of registry.groupVersions()) {
    const kinds = registry.inGroupVersion(group, version);
    const key = group === "" ? `api/${version}` : `apis/${group}/${version}`;
    const document = {
      openapi: "3.0.0",
      info: { title: "Kubernetes", version: KUBERNETES_VERSION.gitVersion },
      paths: Object.assign({}, ...kinds.map(pathsFor)) as Record<string, unknown>,
      components: { schemas: Object.fromEntries(kinds.map((k) => [schemaName(k), schemaFor(k)])) },
    };
    const body = JSON.stringify(document);
    const hash = createHash("sha512").update(body).digest("hex").toUpperCase();
    documents.set(key, { body, hash });
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { index: { paths }, documents };
}
