// The API server's error vocabulary: every failure is a meta/v1 Status with the reason, code and message the real
// server uses (k8s.io/apimachinery/pkg/api/errors), so kubectl and client libraries print and branch on it as
// they would against a cluster.

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, unknown>;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A request the API server refuses, carrying the Status it answers with. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: KubeStatus;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
    if (details) this.status.details = details;
  }
  get code(): number {
    return this.status.code;
  }
}

/** What a message names a resource by: `pods`, `nodepools.karpenter.sh` (schema.GroupResource.String()). */
export interface GroupResource {
  group: string;
  resource: string;
}

export function groupResourceString(gr: GroupResource): string {
  return gr.group === "" ? gr.resource : `${gr.resource}.${gr.group}`;
}

export function successStatus(details?: StatusDetails): KubeStatus {
  const status: KubeStatus = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 200 };
  if (details) status.details = details;
  return status;
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(404, "NotFound", `${groupResourceString(gr)} "${name}" not found`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${groupResourceString(gr)} "${name}" already exists`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });
}

/** errors.NewConflict with the registry's optimistic-concurrency message. */
export function conflict(gr: GroupResource, name: string, why = OPTIMISTIC_LOCK_MESSAGE): ApiError {
  return new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${groupResourceString(gr)} "${name}": ${why}`,
    {
      name,
      group: gr.group,
      kind: gr.resource,
    },
  );
}

export const OPTIMISTIC_LOCK_MESSAGE =
  "the object has been modified; please apply your changes to the latest version and try again";

/** One field error as errors.NewInvalid takes it: the path and the body (`Invalid value: "x": why`). */
export interface InvalidCause {
  field: string;
  /** field.ErrorType's cause type: FieldValueInvalid, FieldValueRequired, … */
  type: string;
  body: string;
}

/** errors.NewInvalid: `Kind.group "name" is invalid: <one error>` or `[<error>, <error>]`. */
export function invalid(group: string, kind: string, name: string, causes: InvalidCause[]): ApiError {
  const unique: InvalidCause[] = [];
  const seen = new Set<string>();
  for (const cause of causes) {
    const text = `${cause.field}: ${cause.body}`;
    if (!seen.has(text)) unique.push(cause);
    seen.add(text);
  }
  const texts = unique.map((c) => (c.field === "" ? c.body : `${c.field}: ${c.body}`));
  const aggregate = texts.length === 1 ? (texts[0] ?? "") : `[${texts.join(", ")}]`;
  const qualified = group === "" ? kind : `${kind}.${group}`;
  return new ApiError(422, "Invalid", `${qualified} "${name}" is invalid: ${aggregate}`, {
    name,
    group,
    kind,
    causes: unique.map((c) => ({ reason: c.type, message: c.body, field: c.field })),
  });
}

/** The NamespaceLifecycle plugin's 403 (admission.NewForbidden with the NamespaceTerminating cause). */
export function namespaceTerminating(gr: GroupResource, name: string, namespace: string): ApiError {
  return new ApiError(
    403,
    "Forbidden",
    `${groupResourceString(gr)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
    {
      name,
      group: gr.group,
      kind: gr.resource,
      causes: [
        {
          reason: "NamespaceTerminating",
          message: `namespace ${namespace} is being terminated`,
          field: "metadata.namespace",
        },
      ],
    },
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

/** 410 for a resourceVersion or continue token older than the retained window (errors.NewResourceExpired). */
export function expired(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

export function methodNotSupported(gr: GroupResource, verb: string): ApiError {
  return new ApiError(
    405,
    "MethodNotAllowed",
    `${verb} is not supported on resources of kind "${groupResourceString(gr)}"`,
    {
      group: gr.group,
      kind: gr.resource,
    },
  );
}

export function unauthorized(): ApiError {
  return new ApiError(401, "Unauthorized", "Unauthorized");
}

export function tooManyRequests(message: string, retryAfterSeconds = 1): ApiError {
  return new ApiError(429, "TooManyRequests", message, { retryAfterSeconds });
}

export function requestEntityTooLarge(message: string): ApiError {
  return new ApiError(413, "RequestEntityTooLarge", message);
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json; got ${contentType}`,
  );
}

export function notAcceptable(message: string): ApiError {
  return new ApiError(406, "NotAcceptable", message);
}

export function internalError(message: string): ApiError {
  return new ApiError(500, "InternalError", `Internal error occurred: ${message}`);
}
