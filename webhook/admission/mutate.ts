// The mutating webhook: on CREATE, applies the fixes that deny findings carry, so an object that would be refused
// is admitted fixed instead. Only deny findings: a warn finding is advice the policy chose not to enforce, and
// rewriting the object for it would make the cluster differ from Git for something nobody required (a policy
// that wants a warn rule fixed at admission sets it to deny). Each fix is named in a warning, so the author knows
// to bring Git in line.
//
// Never on UPDATE: a patch there would change the stored object under its author, and a change to a hashed field
// replaces every node of the pool (change-impact rules). Nor on DELETE or CONNECT, nor for subresources.
//
// The patch applies to the object as the API server sent it (defaults applied), as the engine's patches do, and
// is checked by applying it: a fix that conflicts with an earlier one waits for the next round, which judges the
// object fixed so far. Rounds stop when nothing is left to fix (so a second call on the result yields no patch),
// when a round would introduce a deny finding that no patch fixes (the round is dropped: the validating webhook
// judges the object as sent), or after three rounds. Fixes may touch only `spec`.
import jsonpatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import { cloneJson, findCrd } from "../../api/index.ts";
import type { Finding } from "../../policies/index.ts";
import { enforceable, judge } from "./enforce.ts";
import { boundedWarnings, warningText } from "./format.ts";
import { guarded } from "./guard.ts";
import { isJudgedKind, isObjectOfRequest, isSubresource, subjectOf } from "./request.ts";
import { allowed, decision, withPatch } from "./respond.ts";
import type { AdmissionContext, AdmissionDecision, AdmissionFinding, AdmissionRequest } from "./types.ts";

const MAX_ROUNDS = 3;
const PATCHED = "patched (update Git to match): ";
const EDITS = new Set(["add", "remove", "replace"]);

export function mutateAdmission(request: AdmissionRequest, context: AdmissionContext): AdmissionDecision {
  return guarded(request, "mutate", () => mutate(request, context));
}

function mutate(request: AdmissionRequest, context: AdmissionContext): AdmissionDecision {
  const subject = subjectOf(request);
  const object = request.object;
  if (
    !isJudgedKind(request) ||
    isSubresource(request) ||
    request.operation !== "CREATE" ||
    !isObjectOfRequest(object, request) ||
    // An older shape is judged converted to v1, and the engine's patches would not apply to it as sent.
    findCrd(object.apiVersion, object.kind) === undefined
  ) {
    return decision(subject, allowed(subject.uid));
  }
  const findings = judge([{ object }], context);
  const { operations, patched } = fixes(object, enforceable(findings, context), context);
  const warnings = boundedWarnings(patched.map((f) => warningText(f, object, PATCHED)));
  return decision(subject, withPatch(allowed(subject.uid, warnings), operations), { findings, patched });
}

const key = (f: Finding) => `${f.rule}\u0000${f.pointer}`;

function isFixable(f: AdmissionFinding): f is AdmissionFinding & { patch: Operation[] } {
  return (
    f.severity === "deny" &&
    f.patch !== undefined &&
    f.patch.length > 0 &&
    f.patch.every((op) => EDITS.has(op.op) && (op.path === "/spec" || op.path.startsWith("/spec/")))
  );
}

function fixes(
  object: Record<string, unknown>,
  initial: readonly AdmissionFinding[],
  context: AdmissionContext,
): { operations: Operation[]; patched: Finding[] } {
  const operations: Operation[] = [];
  const patched: Finding[] = [];
  let current: unknown = object;
  let findings = initial;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const fixable = findings.filter(isFixable);
    if (fixable.length === 0) break;
    let next = current;
    const roundOperations: Operation[] = [];
    const roundPatched: Finding[] = [];
    for (const finding of fixable) {
      // Copies: applying inserts an operation's value into the document, and a later operation could change it.
      const ops = cloneJson(finding.patch);
      try {
        next = jsonpatch.applyPatch(next, cloneJson(ops), true, false).newDocument;
      } catch (error) {
        if (!(error instanceof jsonpatch.JsonPatchError)) throw error;
        continue; // does not apply to the object fixed so far: judged again next round
      }
      roundOperations.push(...ops);
      roundPatched.push(finding);
    }
    if (roundOperations.length === 0) break;
    const after = enforceable(judge([{ object: next }], context), context);
    const before = new Set(findings.filter((f) => f.severity === "deny").map(key));
    if (after.some((f) => f.severity === "deny" && !before.has(key(f)) && !isFixable(f))) break;
    operations.push(...roundOperations);
    patched.push(...roundPatched);
    current = next;
    findings = after;
  }
  return { operations, patched };
}
