// EC2's Describe filters: `Filter.N.Name` with `Filter.N.Value.M`; filters are ANDed, a filter's values ORed, and
// values may use the wildcards `*` (any run) and `?` (one character). `tag:<key>` matches a tag's value and
// `tag-key` a tag's key, on every taggable resource. An unknown filter name is EC2's InvalidParameterValue.
import { CloudError } from "../../world/cloud/cloud-error.ts";
import type { Tag } from "../../world/cloud/tags.ts";
import type { QueryObject } from "../query-params.ts";
import { required, strings, structures } from "./params.ts";

export interface Filter {
  name: string;
  values: string[];
}

/** Each filter name a resource supports, and the resource's values for it. */
export type FilterFields<T> = Record<string, (resource: T) => readonly (string | undefined)[]>;

export function parseFilters(params: QueryObject): Filter[] {
  return structures(params, "Filter").map((filter) => ({
    name: required(filter, "Name"),
    values: strings(filter, "Value"),
  }));
}

function pattern(value: string): RegExp {
  const escaped = value
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "s");
}

/** Keeps the resources every filter matches. */
export function applyFilters<T>(
  resources: readonly T[],
  filters: readonly Filter[],
  fields: FilterFields<T>,
  tagsOf?: (resource: T) => readonly Tag[],
): T[] {
  const matchers = filters.map((filter) => {
    let read: (resource: T) => readonly (string | undefined)[];
    if (filter.name.startsWith("tag:") && tagsOf) {
      const key = filter.name.slice("tag:".length);
      read = (resource) =>
        tagsOf(resource)
          .filter((t) => t.key === key)
          .map((t) => t.value);
    } else if (filter.name === "tag-key" && tagsOf) {
      read = (resource) => tagsOf(resource).map((t) => t.key);
    } else if (filter.name === "tag-value" && tagsOf) {
      read = (resource) => tagsOf(resource).map((t) => t.value);
    } else {
      const field = fields[filter.name];
      if (!field) throw new CloudError("InvalidParameterValue", `The filter '${filter.name}' is invalid`);
      read = field;
    }
    const patterns = filter.values.map(pattern);
    return (resource: T) => read(resource).some((v) => v !== undefined && patterns.some((p) => p.test(v)));
  });
  return resources.filter((resource) => matchers.every((matches) => matches(resource)));
}
