// The AWS Query protocol's request body (EC2 flavour): form-encoded `Action=…&Version=…` pairs whose keys flatten
// nested data as dotted paths, numbers indexing lists from 1 — `Filter.1.Name`, `Filter.1.Value.2`,
// `LaunchTemplateConfigs.1.Overrides.2.InstanceType`, `TagSpecification.1.Tag.1.Key`. Parsed generically into
// nested plain data so that each operation reads fields, not key strings. Mirrors what the SDK's
// AwsEc2QueryProtocol serializer writes (and botocore's ec2 query serializer, for awscli).

export type QueryValue = string | QueryValue[] | QueryObject;
export interface QueryObject {
  [member: string]: QueryValue;
}

/** A request that does not parse: the message names the key. Answered as EC2's `InvalidParameter` error. */
export class QueryParseError extends Error {}

/** Marks, while parsing, whether a node's members are list indexes or structure members. */
const KIND = Symbol("kind");
const INDEX = /^[1-9][0-9]{0,5}$/;

/** Parses a form-encoded body into nested data; lists come back dense, in index order. */
export function parseQuery(body: string): QueryObject {
  // Sparse lists are built as index → value maps first, then compacted once every key is in.
  const root: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.split(".");
    if (path.some((segment) => segment === "" || segment === "__proto__")) {
      throw new QueryParseError(`parameter "${key}": malformed name`);
    }
    let node: Record<string, unknown> = root;
    for (const [at, segment] of path.entries()) {
      const last = at === path.length - 1;
      const isIndex = INDEX.test(segment);
      const kind = (node as { [KIND]?: string })[KIND];
      if (kind !== undefined && kind !== (isIndex ? "list" : "object")) {
        throw new QueryParseError(
          `parameter "${key}": "${path.slice(0, at).join(".")}" is both a list and a structure`,
        );
      }
      (node as { [KIND]?: string })[KIND] = isIndex ? "list" : "object";
      if (last) {
        if (segment in node)
          throw new QueryParseError(`parameter "${key}": given twice or both as value and structure`);
        node[segment] = value;
      } else {
        const next = node[segment];
        if (typeof next === "string")
          throw new QueryParseError(`parameter "${key}": "${path.slice(0, at + 1).join(".")}" is a value`);
        node =
          (next as Record<string, unknown> | undefined) ??
          (node[segment] = Object.create(null) as Record<string, unknown>);
      }
    }
  }
  return compact(root) as QueryObject;
}

function compact(node: unknown): QueryValue {
  if (typeof node === "string") return node;
  const record = node as Record<string, unknown> & { [KIND]?: string };
  if (record[KIND] === "list") {
    return Object.keys(record)
      .sort((a, b) => Number(a) - Number(b))
      .map((index) => compact(record[index]));
  }
  const out: QueryObject = {};
  for (const [member, value] of Object.entries(record)) out[member] = compact(value);
  return out;
}
