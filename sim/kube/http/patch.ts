// The three patch types the API server takes besides server-side apply (sim/kube/apply/): JSON patch (RFC 6902,
// with fast-json-patch), JSON merge patch (RFC 7386) and, for built-in kinds only, strategic merge patch.
import jsonPatch from "fast-json-patch";
import { cloneJson, isRecord } from "../../../api/index.ts";
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import { ApiError, badRequest } from "../store/status.ts";
import { applyStrategicMergePatch } from "./strategic-merge-patch.ts";

export const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

/** RFC 7386. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = isRecord(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(result, key);
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

export function applyPatch(kind: ResourceKind, contentType: string, current: KubeObject, patch: unknown): KubeObject {
  switch (contentType) {
    case PATCH_TYPES.json: {
      if (!Array.isArray(patch))
        throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
      try {
        const result = jsonPatch.applyPatch(cloneJson(current), patch as jsonPatch.Operation[], true, false);
        return result.newDocument as KubeObject;
      } catch (error) {
        throw new ApiError(
          422,
          "Invalid",
          `the server rejected our request due to an error in our request: ${(error as Error).message.split("\n")[0] ?? ""}`,
        );
      }
    }
    case PATCH_TYPES.merge:
      if (!isRecord(patch))
        throw badRequest("json: cannot unmarshal into a merge patch: the patch is not a JSON object");
      return applyMergePatch(current, patch) as KubeObject;
    case PATCH_TYPES.strategic:
      if (kind.custom) throw unsupportedPatch(contentType, kind);
      return applyStrategicMergePatch(current, patch, kind.schema) as KubeObject;
    default:
      throw unsupportedPatch(contentType, kind);
  }
}

function unsupportedPatch(contentType: string, kind: ResourceKind): ApiError {
  const accepted = kind.custom
    ? "application/json-patch+json, application/merge-patch+json"
    : "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json";
  return new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted}, application/apply-patch+yaml`,
  );
}
