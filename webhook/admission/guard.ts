// The core never throws: the engine turns a rule's failure into a finding, and everything here reads the request
// defensively, but a bug must still end in an answer the API server understands rather than a dropped
// connection. The validating webhook then refuses with 500 (what `failurePolicy: Fail` would do with an
// unreachable webhook, which is how poolkeeper's webhooks are meant to be configured); the mutating webhook
// allows without a patch and says so, since the validating webhook still judges the object after it.
import { MESSAGE_LINE_LIMIT, sanitize, truncate, WARNING_LIMIT } from "./bounds.ts";
import { subjectOf } from "./request.ts";
import { allowed, decision, INTERNAL_ERROR, refused } from "./respond.ts";
import type { AdmissionDecision, AdmissionRequest } from "./types.ts";

export function guarded(
  request: AdmissionRequest,
  webhook: "validate" | "mutate",
  decide: () => AdmissionDecision,
): AdmissionDecision {
  try {
    return decide();
  } catch (error) {
    let subject;
    try {
      subject = subjectOf(request);
    } catch {
      // Already answering a failure: whatever else fails here, the request still gets its answer.
      subject = { uid: "", kind: "", name: "", operation: "" };
    }
    const reason = describeError(error);
    const text = truncate(
      sanitize(`poolkeeper could not judge this request (${reason}); see the webhook's log`),
      MESSAGE_LINE_LIMIT,
    );
    const response =
      webhook === "validate"
        ? refused(subject.uid, INTERNAL_ERROR, text)
        : allowed(subject.uid, [truncate(text, WARNING_LIMIT)]);
    return { ...decision(subject, response), error: reason };
  }
}

function describeError(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    // Anything may be thrown, with getters or a toString that throw in turn: describing it must not fail.
    return "an error that cannot be described";
  }
}
