// The Status errors of webhook admission, as k8s.io/apiserver pkg/admission/plugin/webhook/errors words them: a
// denial carries the webhook's own status with its message prefixed (ToStatusErr), a failed call is an internal
// error naming the webhook (ErrCallingWebhook), and a dry run is refused by a webhook that may have side effects.
import { isRecord } from "../../../api/index.ts";
import type { ResourceKind } from "../store/resource-kind.ts";
import { ApiError, badRequest, groupResourceString, type StatusDetails } from "../store/status.ts";

/** webhookerrors.ToStatusErr: the webhook's status, at least 400, its message after "denied the request". */
export function webhookDenied(webhook: string, result: unknown): ApiError {
  const status = isRecord(result) ? result : {};
  const deniedBy = `admission webhook ${JSON.stringify(webhook)} denied the request`;
  const code = typeof status.code === "number" && status.code >= 400 ? status.code : 400;
  const reason = typeof status.reason === "string" ? status.reason : "";
  const message =
    typeof status.message === "string" && status.message !== ""
      ? `${deniedBy}: ${status.message}`
      : reason !== ""
        ? `${deniedBy}: ${reason}`
        : `${deniedBy} without explanation`;
  const details = isRecord(status.details) ? (status.details as StatusDetails) : undefined;
  return new ApiError(code, reason, message, details);
}

/** ErrCallingWebhook under failurePolicy Fail: apierrors.NewInternalError of `failed calling webhook "NAME": …`. */
export function webhookCallFailed(webhook: string, reason: string): ApiError {
  const message = `failed calling webhook ${JSON.stringify(webhook)}: ${reason}`;
  return new ApiError(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** webhookerrors.NewDryRunUnsupportedErr. */
export function dryRunUnsupported(webhook: string): ApiError {
  return badRequest(`admission webhook ${JSON.stringify(webhook)} does not support dry run`);
}

/** Match conditions that fail to evaluate under failurePolicy Fail: ShouldCallHook's apierrors.NewForbidden. */
export function matchConditionsFailed(kind: ResourceKind, name: string, errors: readonly string[]): ApiError {
  const aggregate = errors.length === 1 ? (errors[0] ?? "") : `[${errors.join(", ")}]`;
  const resource = groupResourceString({ group: kind.group, resource: kind.plural });
  return new ApiError(403, "Forbidden", `${resource} "${name}" is forbidden: ${aggregate}`, {
    name,
    group: kind.group,
    kind: kind.plural,
  });
}
