// What the engine says about one field of one object: the same record drives the CLI report, the webhook's
// denial or warning, the Git gate's verdict and the JSONPatch that `fix` and the mutating webhook apply.
import type { Operation } from "fast-json-patch";
import type { SourcePosition } from "../api/index.ts";

/** How a finding is enforced: `deny` blocks, `warn` is shown, `audit` is only recorded. */
export type Severity = "deny" | "warn" | "audit";

/** A rule's enforcement in a policy: a severity, or `off`. */
export type Enforcement = Severity | "off";

export const SEVERITIES: readonly Severity[] = ["deny", "warn", "audit"];

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Where the object starts, when it was loaded from YAML. */
  source?: SourcePosition;
}

export interface Finding {
  /** Rule id, `family.name` (e.g. `imds.http-tokens`), or `custom.<id>` for a policy's CEL rule. */
  rule: string;
  severity: Severity;
  object: ObjectRef;
  /** RFC 6901 pointer to the field, in the object as judged (v1 shape). */
  pointer: string;
  /** Where the field is in the file, when the object was loaded from YAML. */
  source?: SourcePosition;
  /** One sentence: what is wrong and why it matters. */
  message: string;
  /** How to fix it. */
  hint?: string;
  /** RFC 6902 operations that fix it, against the object as judged. */
  patch?: Operation[];
  /** Set when an exemption matched: the finding is reported at `audit`, with the exemption's reason. */
  exemptedBy?: string;
}

/** Stable order for reports: by file and position, then object, then rule. */
export function compareFindings(a: Finding, b: Finding): number {
  const fa = a.source?.file ?? a.object.source?.file ?? "";
  const fb = b.source?.file ?? b.object.source?.file ?? "";
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.source?.line ?? 0;
  const lb = b.source?.line ?? 0;
  if (la !== lb) return la - lb;
  const ca = a.source?.col ?? 0;
  const cb = b.source?.col ?? 0;
  if (ca !== cb) return ca - cb;
  const oa = `${a.object.kind}/${a.object.name}`;
  const ob = `${b.object.kind}/${b.object.name}`;
  if (oa !== ob) return oa < ob ? -1 : 1;
  return a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0;
}
