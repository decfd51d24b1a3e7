// The 403 a request no authorizer allows gets: responsewriters.Forbidden's message (forbiddenMessage) wrapped by
// apierrors.NewForbidden, e.g. `pods is forbidden: User "system:serviceaccount:ns:sa" cannot list resource "pods"
// in API group "" in the namespace "ns"`.
import { ApiError, groupResourceString } from "../store/status.ts";
import type { Attributes } from "./request-attributes.ts";

export function forbidden(attributes: Attributes, reason: string): ApiError {
  const why = reason === "" ? forbiddenMessage(attributes) : `${forbiddenMessage(attributes)}: ${reason}`;
  if (!attributes.resourceRequest) return new ApiError(403, "Forbidden", `forbidden: ${why}`, {});
  const gr = { group: attributes.apiGroup, resource: attributes.resource };
  const subject =
    attributes.name === "" ? groupResourceString(gr) : `${groupResourceString(gr)} ${JSON.stringify(attributes.name)}`;
  const details: { group: string; kind: string; name?: string } = { group: gr.group, kind: gr.resource };
  if (attributes.name !== "") details.name = attributes.name;
  return new ApiError(403, "Forbidden", `${subject} is forbidden: ${why}`, details);
}

function forbiddenMessage(a: Attributes): string {
  const user = JSON.stringify(a.user.name);
  if (!a.resourceRequest) return `User ${user} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  const resource = JSON.stringify(a.subresource === "" ? a.resource : `${a.resource}/${a.subresource}`);
  const where = a.namespace === "" ? "at the cluster scope" : `in the namespace ${JSON.stringify(a.namespace)}`;
  return `User ${user} cannot ${a.verb} resource ${resource} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
}
