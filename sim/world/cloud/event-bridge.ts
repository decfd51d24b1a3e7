// EventBridge as Karpenter's getting-started guide sets it up: five rules (aws:website/.../cloudformation.yaml) that
// send EC2's and AWS Health's events to the interruption queue the scenario names. The world emits the envelopes
// Karpenter's interruption controller parses (aws:pkg/controllers/interruption/messages/*: `version`, `id`,
// `detail-type`, `source`, `account`, `time`, `region`, `resources`, `detail`):
//   - EC2 Instance State-change Notification for every transition (pending, running, shutting-down, terminated),
//     on the world's clock;
//   - EC2 Spot Instance Interruption Warning (`instance-action: terminate`), and the instance terminated two
//     minutes later by the spot service (state reason Server.SpotInstanceTermination);
//   - EC2 Instance Rebalance Recommendation;
//   - AWS Health Event, a scheduledChange of service EC2 naming several instances (also recorded as a scheduled
//     event that DescribeInstanceStatus shows);
//   - EC2 Capacity Reservation Instance Interruption Warning, and the instance terminated two minutes later.
// Without a queue named, state changes are not followed at all; before the queue exists, events go nowhere (a
// rule whose target is missing).
import type { TimerClock } from "../../../api/index.ts";
import type { Cloud } from "./cloud.ts";
import type { Instance, InstanceStateName } from "./instance.ts";
import type { ScheduledEventCode } from "./instance-health.ts";
import type { Queues } from "./queues.ts";

export interface EventBridgeScenario {
  /** The SQS queue (name) the rules target: Karpenter's `--interruption-queue`. */
  interruptionQueue?: string;
}

export interface EventEnvelope {
  version: "0";
  id: string;
  "detail-type": string;
  source: "aws.ec2" | "aws.health";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** EC2 gives two minutes between an interruption warning and the interruption. */
export const INTERRUPTION_NOTICE_MS = 120_000;

const SPOT_TERMINATION = {
  code: "Server.SpotInstanceTermination",
  message: "Server.SpotInstanceTermination: Spot instance termination",
};

/** EventBridge's `time`: ISO 8601 to the second. */
const eventTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export class EventBridge {
  readonly #cloud: Cloud;
  readonly #queues: Queues;
  readonly #clock: TimerClock;
  /** The latest envelopes emitted (up to 10,000), delivered or not, oldest first: what a test inspects. */
  readonly emitted: EventEnvelope[] = [];

  constructor(options: { cloud: Cloud; queues: Queues; clock: TimerClock }) {
    this.#cloud = options.cloud;
    this.#queues = options.queues;
    this.#clock = options.clock;
    options.cloud.subscribe(({ instance, current }) => this.#transition(instance, current));
  }

  /** A state change now, and the timed one that follows it (pending → running, shutting-down → terminated). */
  #transition(instance: Instance, current: InstanceStateName): void {
    // Without a queue there is no rule to serve, and no timers are armed (a test's clock sees only its own).
    if (this.#cloud.scenario.interruptionQueue === undefined) return;
    this.#stateChange(instance, current);
    const { pendingMs, shuttingDownMs } = this.#cloud.scenario;
    if (current === "pending") {
      this.#clock.afterFunc(pendingMs, () => {
        if (this.#cloud.stateOf(instance) === "running") this.#stateChange(instance, "running");
      });
    } else if (current === "shutting-down") {
      this.#clock.afterFunc(shuttingDownMs, () => this.#stateChange(instance, "terminated"));
    }
  }

  #stateChange(instance: Instance, state: InstanceStateName): void {
    this.#emit("aws.ec2", "EC2 Instance State-change Notification", [this.#instanceArn(instance.id)], {
      "instance-id": instance.id,
      state,
    });
  }

  /** A spot interruption warning; the spot service terminates the instance two minutes later. */
  spotInterruption(instanceId: string): EventEnvelope {
    const instance = this.#cloud.instance(instanceId);
    if (instance.capacityType !== "spot") throw new Error(`${instanceId} is not a spot instance`);
    const envelope = this.#emit(
      "aws.ec2",
      "EC2 Spot Instance Interruption Warning",
      [`arn:aws:ec2:${instance.zone}:instance/${instanceId}`],
      { "instance-id": instanceId, "instance-action": "terminate" },
    );
    this.#clock.afterFunc(INTERRUPTION_NOTICE_MS, () => this.#cloud.terminate([instanceId], SPOT_TERMINATION));
    return envelope;
  }

  rebalanceRecommendation(instanceId: string): EventEnvelope {
    const instance = this.#cloud.instance(instanceId);
    return this.#emit(
      "aws.ec2",
      "EC2 Instance Rebalance Recommendation",
      [`arn:aws:ec2:${instance.zone}:instance/${instanceId}`],
      { "instance-id": instanceId },
    );
  }

  /** A capacity-reservation interruption warning; the instance is terminated two minutes later. */
  capacityReservationInterruption(instanceId: string): EventEnvelope {
    this.#cloud.instance(instanceId);
    const envelope = this.#emit(
      "aws.ec2",
      "EC2 Capacity Reservation Instance Interruption Warning",
      [this.#instanceArn(instanceId)],
      { "instance-id": instanceId, "instance-action": "terminate" },
    );
    this.#clock.afterFunc(INTERRUPTION_NOTICE_MS, () =>
      this.#cloud.terminate([instanceId], {
        code: "Server.ScheduledStop",
        message: "Server.ScheduledStop: Stopped due to capacity reservation interruption",
      }),
    );
    return envelope;
  }

  /**
   * An AWS Health scheduled change for EC2 affecting `instanceIds` (retirement by default), starting `startInMs`
   * from now; each instance also gets the matching scheduled event in DescribeInstanceStatus.
   */
  scheduledChange(
    instanceIds: readonly string[],
    options: { eventTypeCode?: string; eventCode?: ScheduledEventCode; startInMs?: number; durationMs?: number } = {},
  ): EventEnvelope {
    for (const id of instanceIds) this.#cloud.instance(id);
    const { region } = this.#cloud.scenario;
    const typeCode = options.eventTypeCode ?? "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED";
    const start = this.#cloud.now + (options.startInMs ?? 7 * 24 * 3_600_000);
    const end = start + (options.durationMs ?? 3_600_000);
    const description = `EC2 has detected degradation of the underlying hardware hosting your instances in ${region}. Your instances will be retired after ${new Date(start).toUTCString()}.`;
    for (const id of instanceIds) {
      this.#cloud.health.schedule(id, {
        code: options.eventCode ?? "instance-retirement",
        description,
        notBefore: start,
        notAfter: end,
      });
    }
    const eventId = this.#cloud.ids.hex17("health").slice("health-".length);
    return this.#emit("aws.health", "AWS Health Event", [...instanceIds], {
      eventArn: `arn:aws:health:${region}::event/EC2/${typeCode}/${typeCode}_${eventId}`,
      service: "EC2",
      eventTypeCode: typeCode,
      eventTypeCategory: "scheduledChange",
      startTime: new Date(start).toUTCString(),
      endTime: new Date(end).toUTCString(),
      eventDescription: [{ language: "en_US", latestDescription: description }],
      affectedEntities: instanceIds.map((id) => ({ entityValue: id })),
    });
  }

  #instanceArn(instanceId: string): string {
    const { region, accountId } = this.#cloud.scenario;
    return `arn:aws:ec2:${region}:${accountId}:instance/${instanceId}`;
  }

  #emit(
    source: EventEnvelope["source"],
    detailType: string,
    resources: string[],
    detail: Record<string, unknown>,
  ): EventEnvelope {
    const { accountId, region, interruptionQueue } = this.#cloud.scenario;
    const envelope: EventEnvelope = {
      version: "0",
      id: this.#cloud.ids.uuid("event").slice("event-".length),
      "detail-type": detailType,
      source,
      account: accountId,
      time: eventTime(this.#cloud.now),
      region,
      resources,
      detail,
    };
    this.emitted.push(envelope);
    if (this.emitted.length > 10_000) this.emitted.shift();
    if (interruptionQueue !== undefined && this.#queues.has(interruptionQueue)) {
      this.#queues.byName(interruptionQueue).send(JSON.stringify(envelope), 0);
    }
    return envelope;
  }
}
