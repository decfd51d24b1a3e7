// What DescribeInstanceStatus reports beyond the state: impaired status checks (the instance's own reachability
// check, or the system's — the host under it) and scheduled events (retirement, reboots, stops), set on demand by a
// test or the world. Karpenter polls it once a minute (aws:pkg/controllers/interruption/instancestatus): an impaired
// check makes it terminate the node forcefully, a scheduled event makes it cordon and drain.
export type StatusCheck = "instance" | "system";

/** EC2's event codes (InstanceStatusEvent.Code). */
export type ScheduledEventCode =
  "instance-reboot" | "system-reboot" | "system-maintenance" | "instance-retirement" | "instance-stop";

export interface ScheduledEvent {
  id: string;
  code: ScheduledEventCode;
  description: string;
  notBefore: number;
  notAfter?: number;
}

export class InstanceHealth {
  readonly #impaired = new Map<string, Set<StatusCheck>>();
  readonly #events = new Map<string, ScheduledEvent[]>();
  #serial = 0;

  impair(instanceId: string, check: StatusCheck): void {
    const checks = this.#impaired.get(instanceId) ?? new Set();
    checks.add(check);
    this.#impaired.set(instanceId, checks);
  }

  heal(instanceId: string): void {
    this.#impaired.delete(instanceId);
  }

  isImpaired(instanceId: string, check: StatusCheck): boolean {
    return this.#impaired.get(instanceId)?.has(check) ?? false;
  }

  /** Schedules an event for an instance; returns it with its id (`instance-event-` and 17 hex digits, as EC2's). */
  schedule(instanceId: string, event: Omit<ScheduledEvent, "id">): ScheduledEvent {
    const scheduled = { id: `instance-event-${(++this.#serial).toString(16).padStart(17, "0")}`, ...event };
    this.#events.set(instanceId, [...(this.#events.get(instanceId) ?? []), scheduled]);
    return scheduled;
  }

  events(instanceId: string): readonly ScheduledEvent[] {
    return this.#events.get(instanceId) ?? [];
  }
}
