// What makes a status event one action on one node, so that it is recorded once however often a producer reports
// it: a controller restarted after a crash re-derives its reports from the cluster's state (a NodeClaim launched,
// one being terminated, an interruption message delivered again) and reports again what it may have reported
// before the crash. The key is read from what the trailers keep (kind, pool, node), so the status branch's history
// seeds it. A node is interrupted (tainted and deleted) once however many notices name it, but a rebalance
// replacement held is no termination: a later interruption of the node is another happening. Events about no node
// (a sync, a rejection, a pause) are never deduplicated.
import type { StatusEventKind } from "./status-model.ts";

const NODE_ACTIONS = new Set<StatusEventKind>([
  "provisioned",
  "interrupted",
  "drained",
  "consolidated",
  "drifted",
  "expired",
]);

const INSTANCE_ACTIONS = new Set<StatusEventKind>(["interrupted", "drained"]);

export interface ActionEvent {
  kind: StatusEventKind;
  pool?: string;
  node?: string;
  reason: string;
}

/** The action's key, or undefined for an event that is not one action on one node. */
export function statusActionKey(event: ActionEvent): string | undefined {
  if (!NODE_ACTIONS.has(event.kind) || event.node === undefined || event.node === "") return undefined;
  const held = event.kind === "interrupted" && /: replacement held/.test(event.reason) ? " held" : "";
  // An interruption and its drain are about an instance, which their reason names: a report made again after a
  // restart may name the node by its NodeClaim (no status.nodeName to read) where the first named its Node — the
  // crash-safety run recorded one interruption so twice.
  const instance = INSTANCE_ACTIONS.has(event.kind) ? /for instance (i-[0-9a-f]+)/.exec(event.reason)?.[1] : undefined;
  return `${event.kind} ${event.pool ?? "-"} ${instance === undefined ? event.node : `instance ${instance}`}${held}`;
}
