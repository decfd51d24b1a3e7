// The interruption notice a NodeClaim is terminated for, written on it (with the deadline, before the deletion)
// so that it survives the process that acted on it: a controller restarted mid-drain, or handling the message again
// because it died before deleting it, still knows the NodeClaim is terminating for an interruption — to report it
// once, and to report the drain at its end. Karpenter keeps no such record (its interruption report is an Event).
import type { NodeClaim } from "../../api/index.ts";
import type { MessageKind } from "./messages.ts";

export const ANNOTATION_INTERRUPTION = "poolkeeper.dev/interruption";

export interface Notice {
  kind: MessageKind;
  noticeAt: number;
  instanceId: string;
}

/** `<kind> <instance id> <notice time, RFC 3339>`. */
export function noticeAnnotation(notice: Notice): Record<string, string> {
  return {
    [ANNOTATION_INTERRUPTION]: `${notice.kind} ${notice.instanceId} ${new Date(notice.noticeAt).toISOString()}`,
  };
}

/** The notice a NodeClaim carries, or undefined (none, or not one this version wrote). */
export function noticeOf(claim: NodeClaim): Notice | undefined {
  return noticeIn(claim.metadata.annotations);
}

/** The notice in a NodeClaim's annotations (as termination's report keeps them), or undefined. */
export function noticeIn(annotations: Readonly<Record<string, string>> | undefined): Notice | undefined {
  const value = annotations?.[ANNOTATION_INTERRUPTION];
  const [kind, instanceId, time] = value?.split(" ") ?? [];
  const noticeAt = Date.parse(time ?? "");
  if (kind === undefined || instanceId === undefined || Number.isNaN(noticeAt)) return undefined;
  return { kind: kind as MessageKind, instanceId, noticeAt };
}
