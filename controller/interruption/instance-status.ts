// What SQS does not deliver, polled once a minute (aws:pkg/controllers/interruption/instancestatus): an instance
// whose own or system status check is impaired is terminated forcefully (Karpenter sets the NodeClaim's
// termination timestamp to now, skipping the graceful drain and the volume wait); one with a scheduled event
// still to come is cordoned and drained. The source is the EC2-shaped port's DescribeInstanceStatus (the SDK
// adapter, or the simulated cloud in process); `run` hands the controller its Ec2Port.
import type { Ec2Port, InstanceStatus } from "../../api/index.ts";

export type { InstanceStatus };

/** What the poll needs of the EC2-shaped port. */
export type InstanceStatusSource = Pick<Ec2Port, "describeInstanceStatus">;

export type InstanceStatusVerdict =
  | { readonly instanceId: string; readonly action: "forceful"; readonly check: "instance" | "system" }
  | { readonly instanceId: string; readonly action: "drain"; readonly code: string };

/** EC2 keeps a finished or cancelled event in the list, its description prefixed so. */
const SETTLED_EVENT = /^\[(Completed|Canceled)\]/;

/** The action each unhealthy instance calls for; healthy ones are left out. Pure. */
export function instanceStatusVerdicts(statuses: readonly InstanceStatus[]): InstanceStatusVerdict[] {
  const verdicts: InstanceStatusVerdict[] = [];
  for (const status of statuses) {
    if (status.systemStatus === "impaired") {
      verdicts.push({ instanceId: status.instanceId, action: "forceful", check: "system" });
    } else if (status.instanceStatus === "impaired") {
      verdicts.push({ instanceId: status.instanceId, action: "forceful", check: "instance" });
    } else {
      const event = status.events.find((e) => !SETTLED_EVENT.test(e.description ?? ""));
      if (event !== undefined) verdicts.push({ instanceId: status.instanceId, action: "drain", code: event.code });
    }
  }
  return verdicts;
}
