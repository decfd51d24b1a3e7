/**
 * An EC2NodeClass selector term as EC2 Describe filters (aws:pkg/providers/subnet, securitygroup, amifamily
 * `DescribeImageQueries`): each term is one query; within it, `tags` become `tag:<key>` filters (`*` as the value
 * means "has the key": `tag-key`), and the id or name its own filter. Terms are ORed, so each is asked alone.
 */
import type { DescribeQuery, Filter } from "../../api/index.ts";

export interface SelectorTerm {
  readonly id?: string | undefined;
  readonly name?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

export function tagFilters(tags: Readonly<Record<string, string>> | undefined): Filter[] {
  return Object.keys(tags ?? {})
    .sort()
    .map((key) => {
      const value = tags?.[key] ?? "";
      return value === "*" ? { name: "tag-key", values: [key] } : { name: `tag:${key}`, values: [value] };
    });
}

/** The query for one term; `nameFilter` is the filter a `name` is matched by (`group-name`, `name`). */
export function termQuery(term: SelectorTerm, nameFilter?: string): DescribeQuery {
  if (term.id !== undefined && term.id !== "") return { ids: [term.id] };
  const filters = tagFilters(term.tags);
  if (nameFilter !== undefined && term.name !== undefined && term.name !== "") {
    filters.push({ name: nameFilter, values: [term.name] });
  }
  return { filters };
}
