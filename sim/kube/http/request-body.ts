// Reading a request body as the API server does: bounded (3 MiB, the server's limit on a write), JSON or YAML.
import type { IncomingMessage } from "node:http";
import { parse } from "yaml";
import { yamlNestingProblem } from "../../../api/index.ts";
import { ApiError, badRequest, requestEntityTooLarge } from "../store/status.ts";

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Collections a YAML body may nest: the yaml parser recurses per level, so deeper text is refused before parsing. */
const MAX_YAML_DEPTH = 100;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) throw requestEntityTooLarge(`Request entity too large: limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw requestEntityTooLarge(`Request entity too large: limit is ${limit}`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The body as data: JSON, or YAML when the content type says so. An empty body is undefined. */
export function parseBody(body: Buffer, contentType: string): unknown {
  const text = body.toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    if (contentType.includes("yaml")) {
      const tooDeep = yamlNestingProblem(text, MAX_YAML_DEPTH);
      if (tooDeep) throw badRequest(`the body of the request nests deeper than ${MAX_YAML_DEPTH} levels`);
      return parse(text, { maxAliasCount: 100 }) as unknown;
    }
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const what = contentType.includes("yaml") ? "yaml" : "json";
    throw badRequest(
      `the body of the request could not be decoded as ${what}: ${(error as Error).message.split("\n")[0] ?? ""}`,
    );
  }
}
