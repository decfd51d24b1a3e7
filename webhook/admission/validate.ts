// The validating webhook's decision. CREATE is judged on the new object; UPDATE on what the change introduces
// (ratcheting), with the stored object as the change-impact rules' previous version; DELETE only for an
// EC2NodeClass still in use. Deny findings refuse the request (403), warn findings become warnings, audit
// findings are only returned in the decision (the server logs and counts them). dryRun changes nothing here: the
// decision is the same, only the server records no side effects.
import { isRecord } from "../../api/index.ts";
import type { Finding } from "../../policies/index.ts";
import { MESSAGE_LINE_LIMIT, sanitize, truncate } from "./bounds.ts";
import { validateDelete } from "./delete.ts";
import { changesSpec, enforceable, judge, ratchetUpdate } from "./enforce.ts";
import { storedVersion } from "./stored-findings.ts";
import { boundedWarnings, denialMessage, objectLabel, warningText } from "./format.ts";
import { guarded } from "./guard.ts";
import { isJudgedKind, isObjectOfRequest, isSubresource, subjectOf, type Subject } from "./request.ts";
import { allowed, BAD_REQUEST, decision, FORBIDDEN, refused } from "./respond.ts";
import type { AdmissionContext, AdmissionDecision, AdmissionFinding, AdmissionRequest } from "./types.ts";

export function validateAdmission(request: AdmissionRequest, context: AdmissionContext): AdmissionDecision {
  return guarded(request, "validate", () => validate(request, context));
}

function validate(request: AdmissionRequest, context: AdmissionContext): AdmissionDecision {
  const subject = subjectOf(request);
  // Other kinds, subresources (status: Karpenter's own writes) and CONNECT are none of the policy's business.
  if (!isJudgedKind(request) || isSubresource(request) || request.operation === "CONNECT") {
    return decision(subject, allowed(subject.uid));
  }
  if (request.operation === "DELETE") return validateDelete(request, context, subject);
  if (request.operation !== "CREATE" && request.operation !== "UPDATE") {
    // parseAdmissionReview lets no other operation through; a direct caller gets told.
    const message = truncate(sanitize(`unknown operation ${JSON.stringify(request.operation)}`), MESSAGE_LINE_LIMIT);
    return decision(subject, refused(subject.uid, BAD_REQUEST, message));
  }
  const object = request.object;
  if (!isObjectOfRequest(object, request)) return notTheObject(subject, object);
  if (request.operation === "UPDATE") return validateUpdate(request, object, context, subject);
  const findings = judge([{ object }], context);
  return respond(subject, object, findings, enforceable(findings, context));
}

function validateUpdate(
  request: AdmissionRequest,
  object: Record<string, unknown>,
  context: AdmissionContext,
  subject: Subject,
): AdmissionDecision {
  const stored = request.oldObject;
  // Without the stored object (never from the API server) there is nothing to ratchet against: judged as new.
  if (!isObjectOfRequest(stored, request)) {
    const findings = judge([{ object }], context);
    return respond(subject, object, findings, enforceable(findings, context));
  }
  if (!changesSpec(stored, object)) return decision(subject, allowed(subject.uid));
  // The stored version first: the object it hands back is the one it keeps, which the engine has prepared before.
  const version = storedVersion(stored, context);
  const findings = judge([{ object, previous: version.object }], context);
  const before = enforceable(version.findings, context);
  return respond(subject, object, findings, ratchetUpdate(enforceable(findings, context), before, { object, stored }));
}

function respond(
  subject: Subject,
  object: Record<string, unknown>,
  findings: readonly Finding[],
  enforced: readonly AdmissionFinding[],
): AdmissionDecision {
  const denied = enforced.filter((f) => f.severity === "deny");
  // Denials held back (pre-existing, or not checkable without the cluster) first: the most serious warnings.
  const warned = enforced.filter((f) => f.severity === "warn");
  const ordered = [...warned.filter((f) => f.downgraded), ...warned.filter((f) => !f.downgraded)];
  const warnings = boundedWarnings(ordered.map((f) => warningText(f, object)));
  if (denied.length === 0) return decision(subject, allowed(subject.uid, warnings), { findings, enforced });
  const headline = `${objectLabel(subject.kind, subject.name, subject.generateName)} violates ${denied.length} poolkeeper policy rule${denied.length === 1 ? "" : "s"}:`;
  const message = denialMessage(headline, denied, object);
  return decision(subject, refused(subject.uid, FORBIDDEN, message, warnings), { findings, enforced });
}

// An object that is not what the request says (not an object, another kind): no API server sends that.
function notTheObject(subject: Subject, object: unknown): AdmissionDecision {
  const what = isRecord(object)
    ? `apiVersion ${JSON.stringify(object.apiVersion)}, kind ${JSON.stringify(object.kind)}`
    : object === undefined || object === null
      ? "no object"
      : `a ${Array.isArray(object) ? "list" : typeof object}`;
  const message = `the request is for a ${subject.kind} but carries ${what}; poolkeeper cannot judge it`;
  return decision(subject, refused(subject.uid, BAD_REQUEST, truncate(sanitize(message), MESSAGE_LINE_LIMIT)));
}
