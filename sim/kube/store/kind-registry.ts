// The kinds a server serves, looked up by (group, version, resource) for requests and by (apiVersion, kind) for
// bodies; discovery lists them by group-version in registration order.
import { apiVersionOf, type ResourceKind } from "./resource-kind.ts";

export class KindRegistry {
  readonly #byResource = new Map<string, ResourceKind>();
  readonly #byKind = new Map<string, ResourceKind>();
  readonly #kinds: ResourceKind[] = [];

  constructor(kinds: readonly ResourceKind[] = []) {
    for (const kind of kinds) this.register(kind);
  }

  register(kind: ResourceKind): void {
    const key = `${kind.group}/${kind.version}/${kind.plural}`;
    if (this.#byResource.has(key)) throw new Error(`kind registry: ${key} is registered twice`);
    this.#byResource.set(key, kind);
    this.#byKind.set(`${apiVersionOf(kind)}/${kind.kind}`, kind);
    this.#kinds.push(kind);
  }

  resource(group: string, version: string, plural: string): ResourceKind | undefined {
    return this.#byResource.get(`${group}/${version}/${plural}`);
  }

  /** The kind of a resource the caller knows is served; throws otherwise. */
  get(group: string, version: string, plural: string): ResourceKind {
    const kind = this.resource(group, version, plural);
    if (!kind) throw new Error(`kind registry: ${group}/${version}/${plural} is not served`);
    return kind;
  }

  byKind(apiVersion: string, kind: string): ResourceKind | undefined {
    return this.#byKind.get(`${apiVersion}/${kind}`);
  }

  all(): readonly ResourceKind[] {
    return this.#kinds;
  }

  /** Served group-versions, core first, each group's versions in registration order. */
  groupVersions(): { group: string; version: string }[] {
    const seen = new Set<string>();
    const out: { group: string; version: string }[] = [];
    for (const kind of this.#kinds) {
      const key = apiVersionOf(kind);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ group: kind.group, version: kind.version });
    }
    return out.sort((a, b) => Number(a.group !== "") - Number(b.group !== ""));
  }

  inGroupVersion(group: string, version: string): ResourceKind[] {
    return this.#kinds.filter((k) => k.group === group && k.version === version);
  }
}
