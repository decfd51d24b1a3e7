// Reading an operation's parameters out of the parsed query, with EC2's errors for what is missing or malformed
// (MissingParameter, InvalidParameterValue), each naming the parameter as the caller spelled it.
import { CloudError } from "../../world/cloud/cloud-error.ts";
import type { Tag } from "../../world/cloud/tags.ts";
import type { QueryObject, QueryValue } from "../query-params.ts";

export function text(params: QueryObject, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw new CloudError("InvalidParameterValue", `Parameter ${name} must be a single value.`);
  return value;
}

export function required(params: QueryObject, name: string): string {
  const value = text(params, name);
  if (value === undefined || value === "") {
    throw new CloudError("MissingParameter", `The request must contain the parameter ${name}`);
  }
  return value;
}

export function structure(params: QueryObject, name: string): QueryObject | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value === "string" || Array.isArray(value)) {
    throw new CloudError("InvalidParameterValue", `Parameter ${name} must be a structure.`);
  }
  return value;
}

export function list(params: QueryObject, name: string): QueryValue[] {
  const value = params[name];
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new CloudError("InvalidParameterValue", `Parameter ${name} must be a list (${name}.1, ${name}.2, …).`);
  return value;
}

export function structures(params: QueryObject, name: string): QueryObject[] {
  return list(params, name).map((item, i) => {
    if (typeof item === "string" || Array.isArray(item)) {
      throw new CloudError("InvalidParameterValue", `Parameter ${name}.${i + 1} must be a structure.`);
    }
    return item;
  });
}

export function strings(params: QueryObject, name: string): string[] {
  return list(params, name).map((item, i) => {
    if (typeof item !== "string")
      throw new CloudError("InvalidParameterValue", `Parameter ${name}.${i + 1} must be a single value.`);
    return item;
  });
}

export function integer(params: QueryObject, name: string, min: number, max: number): number | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?[0-9]+$/.test(value) || n < min || n > max) {
    throw new CloudError(
      "InvalidParameterValue",
      `Value (${value}) for parameter ${name} is invalid. Expected an integer from ${min} to ${max}.`,
    );
  }
  return n;
}

export function boolean(params: QueryObject, name: string): boolean | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  if (value !== "true" && value !== "false") {
    throw new CloudError(
      "InvalidParameterValue",
      `Value (${value}) for parameter ${name} is invalid. Expected true or false.`,
    );
  }
  return value === "true";
}

/** `Tag.N.Key` / `Tag.N.Value` lists (CreateTags) and the tags of `TagSpecification.N` for one resource type. */
export function tags(params: QueryObject, name = "Tag"): Tag[] {
  return structures(params, name).map((tag) => ({ key: required(tag, "Key"), value: text(tag, "Value") ?? "" }));
}

export function taggedFor(params: QueryObject, resourceType: string, name = "TagSpecification"): Tag[] {
  return structures(params, name)
    .filter((spec) => text(spec, "ResourceType") === resourceType)
    .flatMap((spec) => tags(spec));
}
