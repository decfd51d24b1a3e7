// SSM's JSON protocol as @aws-sdk/client-ssm v3 and awscli send it (awsJson1_1): POST with
// `X-Amz-Target: AmazonSSM.<Operation>` and `Content-Type: application/x-amz-json-1.1`, JSON in and out, errors as
// `{"__type": "<Code>", "message": …}`. The reads Karpenter and the CLI make of Parameter Store: GetParameter (what
// aws pkg/providers/ssm/provider.go calls for every alias path), GetParameters and GetParametersByPath.
// `ParameterNotFound` has no message, as SSM sends it (awscli prints "…GetParameter operation: " and nothing).
import { CloudError } from "../../world/cloud/cloud-error.ts";
import type { ParameterStore, SsmParameter } from "../../world/cloud/parameter-store.ts";

export interface SsmAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type Json = Record<string, unknown>;

const CONTENT_TYPE = "application/x-amz-json-1.1";

function validation(field: string, value: unknown, constraint: string): CloudError {
  return new CloudError(
    "ValidationException",
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

function name(body: Json, member: string, field: string): string {
  const value = body[member];
  if (typeof value !== "string") throw validation(field, value, "Member must not be null");
  if (value.length < 1 || value.length > 2048) {
    throw validation(field, value, "Member must have length less than or equal to 2048");
  }
  return value;
}

function flag(body: Json, member: string): boolean {
  const value = body[member];
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new CloudError("SerializationException", `${member} must be a boolean.`);
  return value;
}

function parameterJson(parameter: SsmParameter, selector?: string): Json {
  return {
    Name: parameter.name,
    Type: parameter.type,
    Value: parameter.value,
    Version: parameter.version,
    ...(selector === undefined ? {} : { Selector: selector }),
    LastModifiedDate: parameter.lastModified / 1000,
    ARN: parameter.arn,
    DataType: parameter.dataType,
  };
}

/** `name`, `name:3` (a version) or `name:label`: the store keeps one version of each parameter. */
function lookup(store: ParameterStore, requested: string): { parameter: SsmParameter; selector?: string } | undefined {
  const colon = requested.lastIndexOf(":");
  const base = colon > 0 ? requested.slice(0, colon) : requested;
  const selector = colon > 0 ? requested.slice(colon) : undefined;
  const parameter = store.get(base);
  if (!parameter) return undefined;
  if (selector === undefined) return { parameter };
  if (/^:[0-9]+$/.test(selector)) {
    if (Number(selector.slice(1)) !== parameter.version) {
      throw new CloudError(
        "ParameterVersionNotFound",
        `Systems Manager could not find version ${selector.slice(1)} of ${base}. Verify the version and try again.`,
      );
    }
    return { parameter, selector };
  }
  throw new CloudError(
    "ParameterVersionLabelNotFound",
    `Systems Manager could not find label ${selector.slice(1)} of ${base}. Verify the label and try again.`,
  );
}

function getParameter(store: ParameterStore, body: Json): Json {
  const requested = name(body, "Name", "name");
  flag(body, "WithDecryption");
  const found = lookup(store, requested);
  if (!found) throw new CloudError("ParameterNotFound", "");
  return { Parameter: parameterJson(found.parameter, found.selector) };
}

function getParameters(store: ParameterStore, body: Json): Json {
  const names = body.Names;
  if (!Array.isArray(names)) throw validation("names", names, "Member must not be null");
  if (names.length < 1 || names.length > 10) {
    throw validation("names", `[${names.join(", ")}]`, "Member must have length less than or equal to 10");
  }
  flag(body, "WithDecryption");
  const parameters: Json[] = [];
  const invalid: string[] = [];
  for (const requested of names) {
    if (typeof requested !== "string") throw validation("names", requested, "Member must be a string");
    const found = lookup(store, requested);
    if (found) parameters.push(parameterJson(found.parameter, found.selector));
    else invalid.push(requested);
  }
  return { Parameters: parameters, InvalidParameters: invalid };
}

/** A page's continuation: the path, the mode and the last name returned, so a token cannot change the query. */
function nextToken(path: string, recursive: boolean, after: string): string {
  return Buffer.from(JSON.stringify([path, recursive, after]), "utf8").toString("base64");
}

function afterToken(token: unknown, path: string, recursive: boolean): string | undefined {
  if (token === undefined) return undefined;
  const invalid = new CloudError("InvalidNextToken", "The specified token isn't valid.");
  if (typeof token !== "string") throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(decoded) || decoded[0] !== path || decoded[1] !== recursive || typeof decoded[2] !== "string") {
    throw invalid;
  }
  return decoded[2];
}

function getParametersByPath(store: ParameterStore, body: Json): Json {
  const path = name(body, "Path", "path");
  if (!path.startsWith("/")) {
    throw validation("path", path, "Member must satisfy regular expression pattern: ^/.*");
  }
  const recursive = flag(body, "Recursive");
  flag(body, "WithDecryption");
  if (body.ParameterFilters !== undefined) {
    // Refused rather than ignored: an ignored filter would answer more than was asked for.
    throw new CloudError("ValidationException", "The simulated SSM does not apply ParameterFilters.");
  }
  const max = body.MaxResults ?? 10;
  if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > 10) {
    throw validation("maxResults", max, "Member must have value less than or equal to 10");
  }
  const after = afterToken(body.NextToken, path, recursive);
  const all = store.byPath(path, recursive).filter((p) => after === undefined || p.name > after);
  const page = all.slice(0, max);
  const last = page.at(-1);
  return {
    Parameters: page.map((p) => parameterJson(p)),
    ...(all.length > max && last ? { NextToken: nextToken(path, recursive, last.name) } : {}),
  };
}

export const SSM_OPERATIONS: Record<string, (store: ParameterStore, body: Json) => Json> = {
  GetParameter: getParameter,
  GetParameters: getParameters,
  GetParametersByPath: getParametersByPath,
};

export function handleSsm(store: ParameterStore, target: string, text: string): SsmAnswer {
  const operation = target.slice("AmazonSSM.".length);
  try {
    let body: unknown;
    try {
      body = text === "" ? {} : JSON.parse(text);
    } catch {
      throw new CloudError("SerializationException", "The request body is not valid JSON.");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new CloudError("SerializationException", "The request body must be a JSON object.");
    }
    const run = Object.hasOwn(SSM_OPERATIONS, operation) ? SSM_OPERATIONS[operation] : undefined;
    if (!run) throw new CloudError("UnknownOperationException", `The simulated SSM does not serve ${operation}.`);
    return { status: 200, headers: { "content-type": CONTENT_TYPE }, body: JSON.stringify(run(store, body as Json)) };
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    const payload: Json = { __type: error.code };
    if (error.message !== "") payload.message = error.message;
    return { status: error.status, headers: { "content-type": CONTENT_TYPE }, body: JSON.stringify(payload) };
  }
}
