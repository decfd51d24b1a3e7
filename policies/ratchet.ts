// Ratcheting: an update is not refused for a problem its previous version already had and the update leaves
// alone, so an old object can still be changed elsewhere after a policy tightened; anything the update touches
// is judged in full. The rule of the API server's CRD validation ratcheting (KEP-4008; k8s.io/apiextensions-
// apiserver, pkg/apiserver/validation/ratcheting.go): an error is ratcheted only where the value is unchanged,
// deep-equal to the old object's value at the same path; a value the old object did not have is new. List items
// are matched by index here (the API server matches items of map-type lists by key): an item that moves counts as
// changed, which errs toward judging.
//
// The CRD rule can rest on the value alone because a schema's checks at a path read only the value there. A
// policy rule may read other fields (a GPU taint finding sits on the taints but is caused by the requirements; a
// cost finding sits on limits.cpu but depends on the instance types), so here a deny finding is pre-existing only
// when, besides the unchanged value at its pointer, the previous version judged under the same policy had the
// same finding: the same rule at the same pointer saying the same thing, as a denial. A different message means
// a different verdict (a higher cost, other GPU types): the change's own.
//
// One function for every place that judges a change: the admission webhook's UPDATE (the stored object), the
// Git gate (the last good state) and `check --base` (the base ref).
import { isDeepStrictEqual } from "node:util";
import { isRecord } from "../api/index.ts";
import type { Finding } from "./finding.ts";
import { prepareTarget, type PolicyObject } from "./prepare-target.ts";
import { runToEnd, type Stepwise } from "./stepwise.ts";

/** A ratcheted denial as reports show it: a warning that says why. The webhook marks its own way. */
export function preExistingWarning<F extends Finding>(finding: F): F {
  return {
    ...finding,
    severity: "warn",
    message: `pre-existing, unchanged since the previous version: ${finding.message}`,
  };
}

/**
 * One object's findings with its pre-existing denials turned into warnings by `downgrade`. `findings` are the
 * object's, judged with its previous version; `previousFindings` are the previous version's own, judged alone
 * under the same policy, catalog, scope and time; `versions` names the object and its previous version as the
 * engine was given them (the values are compared in the shape the engine judged: v1, defaults applied).
 */
export function ratchet<F extends Finding>(
  findings: readonly F[],
  previousFindings: readonly Finding[],
  versions: PolicyObject,
  downgrade: (finding: F) => F = preExistingWarning,
): F[] {
  const before = new Set(previousFindings.filter((f) => f.severity === "deny").map(sameFinding));
  const candidates = findings.filter((f) => f.severity === "deny" && before.has(sameFinding(f)));
  if (candidates.length === 0 || versions.previous === undefined) return [...findings];
  const target = prepareTarget(versions);
  if (!target?.previous) return [...findings];
  const { object, previous } = target;
  const unchanged = new Set(candidates.filter((f) => unchangedAt(f.pointer, previous, object)));
  return findings.map((f) => (unchanged.has(f) ? downgrade(f) : f));
}

/**
 * `ratchet` for a bundle judged at once (a commit, a pull request's files): each object with a previous version
 * against that version's findings. `previousFindings` judges the previous bundle under the same policy, catalog
 * and time; it is called only when some denial falls on an object that has a previous version.
 */
export function ratchetBundle(
  findings: readonly Finding[],
  objects: readonly PolicyObject[],
  previousFindings: () => readonly Finding[],
  downgrade: (finding: Finding) => Finding = preExistingWarning,
): Finding[] {
  return runToEnd(ratchetBundleStepwise(findings, objects, () => atOnce(previousFindings), downgrade));
}

/** `ratchetBundle` with the previous bundle judged stepwise (evaluateStepwise), pausing where it pauses. */
export function* ratchetBundleStepwise(
  findings: readonly Finding[],
  objects: readonly PolicyObject[],
  previousFindings: () => Stepwise<readonly Finding[]>,
  downgrade: (finding: Finding) => Finding = preExistingWarning,
): Stepwise<Finding[]> {
  const denied = new Set(findings.filter((f) => f.severity === "deny").map((f) => objectKey(f.object)));
  if (denied.size === 0) return [...findings];
  const changed = new Map<string, PolicyObject>();
  for (const object of objects) {
    if (object.previous === undefined) continue;
    const ref = prepareTarget(object)?.ref;
    if (ref && denied.has(objectKey(ref))) changed.set(objectKey(ref), object);
  }
  if (changed.size === 0) return [...findings];
  const before = byObject(yield* previousFindings());
  const current = byObject(findings);
  const ratcheted = new Map<Finding, Finding>();
  for (const [key, object] of changed) {
    const own = current.get(key) ?? [];
    ratchet(own, before.get(key) ?? [], object, downgrade).forEach((f, i) => ratcheted.set(own[i] as Finding, f));
  }
  return findings.map((f) => ratcheted.get(f) ?? f);
}

/** Work done in one step, as a Stepwise that never pauses. */
// eslint-disable-next-line require-yield -- it has no step to pause after
function* atOnce<T>(work: () => T): Stepwise<T> {
  return work();
}

const objectKey = (ref: { kind: string; name: string }) => `${ref.kind}/${ref.name}`;

function byObject(findings: readonly Finding[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = objectKey(f.object);
    const list = out.get(key);
    if (list) list.push(f);
    else out.set(key, [f]);
  }
  return out;
}

const sameFinding = (f: Finding) => JSON.stringify([f.rule, f.pointer, f.message]);

/** Whether both versions have a value at the pointer, and the same one. */
function unchangedAt(pointer: string, previous: unknown, current: unknown): boolean {
  const before = valueAt(previous, pointer);
  const after = valueAt(current, pointer);
  return before.found && after.found && isDeepStrictEqual(before.value, after.value);
}

/** RFC 6901: the value at a pointer, found only through the document's own members (never an inherited one). */
function valueAt(document: unknown, pointer: string): { found: boolean; value?: unknown } {
  if (pointer === "") return { found: true, value: document };
  if (!pointer.startsWith("/")) return { found: false };
  let node = document;
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= node.length) return { found: false };
      node = node[Number(token)];
    } else if (isRecord(node) && Object.hasOwn(node, token)) {
      node = node[token];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: node };
}
