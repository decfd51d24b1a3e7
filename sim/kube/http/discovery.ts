// Discovery as the API server serves it without aggregation: /api (APIVersions), /apis (APIGroupList) and one
// APIResourceList per group-version, with each resource's verbs, short names, categories and subresources. kubectl
// asks for aggregated discovery first and reads these when the answer is plain JSON.
import type { KindRegistry } from "../store/kind-registry.ts";
import { apiVersionOf, type ResourceKind } from "../store/resource-kind.ts";

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export const KUBERNETES_VERSION = { major: "1", minor: "35", gitVersion: "v1.35.0+poolkeeper-sim" };

export function versionInfo(): Record<string, string> {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-01-01T00:00:00Z",
    goVersion: "go1.25.0",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export function apiGroupList(registry: KindRegistry): Record<string, unknown> {
  const groups = new Map<string, string[]>();
  for (const { group, version } of registry.groupVersions()) {
    if (group === "") continue;
    groups.set(group, [...(groups.get(group) ?? []), version]);
  }
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...groups].map(([name, versions]) => apiGroup(name, versions)),
  };
}

export function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { kind: "APIGroup", apiVersion: "v1", name, versions: list, preferredVersion: list[0] };
}

function subresourceEntry(kind: ResourceKind, subresource: string): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    name: `${kind.plural}/${subresource}`,
    singularName: "",
    namespaced: kind.namespaced,
  };
  if (subresource === "binding") return { ...entry, kind: "Binding", verbs: ["create"] };
  // kubectl drain evicts only when discovery names the Eviction's group and version (CheckEvictionSupport).
  if (subresource === "eviction")
    return { ...entry, group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] };
  if (subresource === "finalize") return { ...entry, kind: kind.kind, verbs: ["update"] };
  return { ...entry, kind: kind.kind, verbs: ["get", "patch", "update"] };
}

export function apiResourceList(
  registry: KindRegistry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const kinds = registry.inGroupVersion(group, version);
  if (kinds.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const kind of kinds) {
    const entry: Record<string, unknown> = {
      name: kind.plural,
      singularName: kind.singular,
      namespaced: kind.namespaced,
      kind: kind.kind,
      verbs: VERBS,
    };
    if (kind.shortNames.length > 0) entry.shortNames = kind.shortNames;
    if (kind.categories.length > 0) entry.categories = kind.categories;
    resources.push(entry);
    for (const subresource of kind.subresources) resources.push(subresourceEntry(kind, subresource));
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf({ group, version }), resources };
}
