// EC2's pagination: `MaxResults` bounds a page (each operation has its own range) and `NextToken` continues where
// the previous page ended. Tokens are opaque to callers; here they carry the operation and the offset, so a
// token from another operation or a made-up one is refused as EC2 refuses it.
import { CloudError } from "../../world/cloud/cloud-error.ts";
import type { QueryObject } from "../query-params.ts";
import { integer, text } from "./params.ts";

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function paginate<T>(
  action: string,
  items: readonly T[],
  params: QueryObject,
  range: { min: number; max: number },
): Page<T> {
  const maxResults = integer(params, "MaxResults", range.min, range.max);
  const token = text(params, "NextToken");
  let start = 0;
  if (token !== undefined && token !== "") {
    const [tokenAction, offset] = Buffer.from(token, "base64url").toString("utf8").split(":");
    start = Number(offset);
    if (tokenAction !== action || !Number.isInteger(start) || start < 0) {
      throw new CloudError("InvalidParameterValue", `The token '${token}' is invalid.`);
    }
  }
  if (maxResults === undefined && start === 0) return { items: [...items] };
  const end = maxResults === undefined ? items.length : start + maxResults;
  const page: Page<T> = { items: items.slice(start, end) };
  if (end < items.length) page.nextToken = Buffer.from(`${action}:${end}`, "utf8").toString("base64url");
  return page;
}
