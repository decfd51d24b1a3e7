// The same review, asked twice: `kubectl apply --dry-run=server` and then the apply, Argo CD's diff (a dry run) and
// then its sync, a client retrying after a timeout. The API server sends each with a new uid, its dryRun flag and
// the request's options (CreateOptions.dryRun), and nothing else differs: the decision is a function of the rest
// (validate.ts: "dryRun changes nothing here"), so the second one is answered from the first, with its own uid.
// Kept by what the decision depends on: the digest of the request's content without uid, dryRun and options
// (content-digest.ts: never by what the caller says the object is), the webhook, the compiled policy, the catalog,
// the cluster view and the day (exemptions and time-reading rules change by day at the finest, as in
// stored-findings.ts). Bounded: the most recently used entries, up to a count and a total size; a decision the core
// failed on is never kept, so the next ask is judged (and logged) again.
import { digestOf } from "./content-digest.ts";
import type { AdmissionContext, AdmissionDecision, AdmissionRequest } from "./types.ts";

/** Most decisions kept per compiled policy: a fleet's objects, each asked about by both webhooks. */
export const REMEMBERED_DECISIONS = 1024;
/** Most JSON text of kept decisions per compiled policy (their responses and findings, counted as written). */
export const REMEMBERED_CHARS = 4 * 1024 * 1024;

type Webhook = "validate" | "mutate";

interface Entry {
  catalog: AdmissionContext["catalog"];
  cluster: AdmissionContext["cluster"];
  day: string;
  decision: AdmissionDecision;
  chars: number;
}

interface Remembered {
  entries: Map<string, Entry>;
  chars: number;
}

const byPolicy = new WeakMap<AdmissionContext["policy"], Remembered>();

/** `decide`'s decision on `request`, or the one it made on a request of the same content, with this uid. */
export function rememberedDecision(
  webhook: Webhook,
  request: AdmissionRequest,
  context: AdmissionContext,
  decide: () => AdmissionDecision,
): AdmissionDecision {
  const { uid: _uid, dryRun: _dryRun, options: _options, ...content } = request;
  const digest = digestOf({ webhook, content });
  if (digest === undefined) return decide();
  let remembered = byPolicy.get(context.policy);
  if (!remembered) {
    remembered = { entries: new Map(), chars: 0 };
    byPolicy.set(context.policy, remembered);
  }
  const day = context.now.toISOString().slice(0, 10);
  const hit = remembered.entries.get(digest.hex);
  if (hit) {
    forget(remembered, digest.hex, hit);
    if (hit.catalog === context.catalog && hit.cluster === context.cluster && hit.day === day) {
      // Most recently used last: the Map's order is the eviction order.
      remember(remembered, digest.hex, hit);
      return { ...hit.decision, response: { ...hit.decision.response, uid: request.uid } };
    }
  }
  const decision = decide();
  if (decision.error !== undefined) return decision;
  const chars = sizeOf(decision);
  if (chars === undefined || chars > REMEMBERED_CHARS) return decision;
  while (
    remembered.entries.size >= REMEMBERED_DECISIONS ||
    (remembered.entries.size > 0 && remembered.chars + chars > REMEMBERED_CHARS)
  ) {
    const [oldest, entry] = remembered.entries.entries().next().value as [string, Entry];
    forget(remembered, oldest, entry);
  }
  remember(remembered, digest.hex, { catalog: context.catalog, cluster: context.cluster, day, decision, chars });
  return decision;
}

/** The decision's JSON text length; undefined (not kept) if a finding holds what JSON cannot write. */
function sizeOf(decision: AdmissionDecision): number | undefined {
  try {
    return JSON.stringify(decision).length;
  } catch {
    return undefined;
  }
}

function remember(remembered: Remembered, key: string, entry: Entry): void {
  remembered.entries.set(key, entry);
  remembered.chars += entry.chars;
}

function forget(remembered: Remembered, key: string, entry: Entry): void {
  remembered.entries.delete(key);
  remembered.chars -= entry.chars;
}

/** How many decisions are kept for `policy`, and their size: for tests of the bounds. */
export function rememberedSize(policy: AdmissionContext["policy"]): { decisions: number; chars: number } {
  const remembered = byPolicy.get(policy);
  return { decisions: remembered?.entries.size ?? 0, chars: remembered?.chars ?? 0 };
}
