// EventBridge envelopes from the interruption queue as typed events (aws:pkg/controllers/interruption/parser.go
// and messages/*): the envelope `{version, id, detail-type, source, account, time, region, resources, detail}`,
// dispatched on (source, detail-type, version). A kind Karpenter does not act on is `noop` (counted and deleted);
// a body that is not such an envelope is `malformed` with the field at fault (logged once, never the body). Pure.

/** Karpenter's message kinds (`messages.Kind`), the `message_type` label of the metrics. */
export type MessageKind =
  | "spot_interrupted"
  | "rebalance_recommendation"
  | "scheduled_change"
  | "instance_stopped"
  | "instance_terminated"
  | "capacity_reservation_interrupted";

export interface InterruptionEvent {
  readonly kind: MessageKind;
  /** The envelope's id. */
  readonly id: string;
  /** The envelope's `time`: when AWS gave the notice (ms since the epoch). */
  readonly noticeAt: number;
  /** The instances it names: one, or several for a Health scheduled change. */
  readonly instanceIds: readonly string[];
  /** The state for a state change, the Health event's type code for a scheduled change. */
  readonly detail?: string;
}

export type ParsedMessage =
  | { readonly type: "event"; readonly event: InterruptionEvent }
  | { readonly type: "noop"; readonly reason: string }
  | { readonly type: "malformed"; readonly problem: string };

/** SQS's largest message (256 KiB): a longer body is not parsed. */
export const MAX_BODY_BYTES = 262_144;

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

function malformed(problem: string): ParsedMessage {
  return { type: "malformed", problem };
}

function text(record: Record<string, unknown>, field: string, where: string): string | ParsedMessage {
  const value = record[field];
  return typeof value === "string" && value !== ""
    ? value
    : malformed(`${where}${field}: a non-empty string is required`);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function instanceId(detail: Record<string, unknown>): string | ParsedMessage {
  const id = text(detail, "instance-id", "detail.");
  if (typeof id !== "string") return id;
  return INSTANCE_ID.test(id) ? id : malformed(`detail.instance-id: "${id.slice(0, 40)}" is not an EC2 instance id`);
}

/** The kind and instances of one envelope body. */
export function parseMessage(body: string): ParsedMessage {
  if (Buffer.byteLength(body, "utf8") > MAX_BODY_BYTES)
    return malformed(`the body is larger than ${MAX_BODY_BYTES} bytes`);
  let envelope: unknown;
  try {
    envelope = JSON.parse(body);
  } catch (error) {
    return malformed(`the body is not JSON: ${(error as Error).message.slice(0, 120)}`);
  }
  if (!isRecord(envelope)) return malformed("the body is not a JSON object (an EventBridge envelope)");
  const fields: Record<string, string> = {};
  for (const field of ["version", "id", "source", "detail-type", "time"]) {
    const value = text(envelope, field, "");
    if (typeof value !== "string") return value;
    fields[field] = value;
  }
  const noticeAt = Date.parse(fields["time"] ?? "");
  if (Number.isNaN(noticeAt))
    return malformed(`time: "${(fields["time"] ?? "").slice(0, 40)}" is not an RFC 3339 time`);
  const detail = envelope["detail"];
  if (!isRecord(detail)) return malformed("detail: an object is required");
  const source = fields["source"] ?? "";
  const detailType = fields["detail-type"] ?? "";
  const version = fields["version"] ?? "";
  const base = { id: fields["id"] ?? "", noticeAt };
  const single = (kind: MessageKind, extra: { detail?: string } = {}): ParsedMessage => {
    const id = instanceId(detail);
    return typeof id === "string" ? { type: "event", event: { ...base, kind, instanceIds: [id], ...extra } } : id;
  };
  if (version !== "0") return { type: "noop", reason: `version ${version.slice(0, 20)} of ${source}/${detailType}` };
  if (source === "aws.ec2") {
    switch (detailType) {
      case "EC2 Spot Instance Interruption Warning":
        return single("spot_interrupted");
      case "EC2 Instance Rebalance Recommendation":
        return single("rebalance_recommendation");
      case "EC2 Capacity Reservation Instance Interruption Warning":
        return single("capacity_reservation_interrupted");
      case "EC2 Instance State-change Notification": {
        const state = text(detail, "state", "detail.");
        if (typeof state !== "string") return state;
        if (state === "stopping" || state === "stopped") return single("instance_stopped", { detail: state });
        if (state === "shutting-down" || state === "terminated")
          return single("instance_terminated", { detail: state });
        return { type: "noop", reason: `instance state ${state.slice(0, 20)}` };
      }
    }
  } else if (source === "aws.health" && detailType === "AWS Health Event") {
    // Only EC2's scheduled changes (messages/scheduledchange): other services and categories are no-ops.
    if (detail["service"] !== "EC2" || detail["eventTypeCategory"] !== "scheduledChange") {
      return { type: "noop", reason: "an AWS Health event that is not an EC2 scheduled change" };
    }
    const entities = detail["affectedEntities"];
    if (!Array.isArray(entities)) return malformed("detail.affectedEntities: a list is required");
    const ids: string[] = [];
    for (const [i, entity] of entities.entries()) {
      const value = isRecord(entity) ? entity["entityValue"] : undefined;
      if (typeof value !== "string" || !INSTANCE_ID.test(value)) {
        return malformed(`detail.affectedEntities[${i}].entityValue: an EC2 instance id is required`);
      }
      ids.push(value);
    }
    const code = typeof detail["eventTypeCode"] === "string" ? detail["eventTypeCode"] : undefined;
    return {
      type: "event",
      event: { ...base, kind: "scheduled_change", instanceIds: ids, ...(code ? { detail: code } : {}) },
    };
  }
  return { type: "noop", reason: `${source.slice(0, 40)} / ${detailType.slice(0, 80)}` };
}
