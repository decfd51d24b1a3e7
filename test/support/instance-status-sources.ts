// DescribeInstanceStatus as the interruption controller's InstanceStatusSource: over the AWS SDK (every page, the
// fields Karpenter's instance-status controller reads), and in process over the world's EC2 (what the simulated
// endpoint serves, without the wire). The SDK one is the shape adapters/aws will take when `poolkeeper run` wires it.
import { DescribeInstanceStatusCommand, type EC2Client } from "@aws-sdk/client-ec2";
import type { InstanceStatus, InstanceStatusSource } from "../../controller/index.ts";
import type { Cloud } from "../../sim/world/cloud/index.ts";

export function sdkInstanceStatus(ec2: EC2Client): InstanceStatusSource {
  return {
    async describeInstanceStatus() {
      const statuses: InstanceStatus[] = [];
      let token: string | undefined;
      do {
        const page = await ec2.send(new DescribeInstanceStatusCommand({ MaxResults: 1000, NextToken: token }));
        for (const s of page.InstanceStatuses ?? []) {
          statuses.push({
            instanceId: s.InstanceId ?? "",
            instanceStatus: s.InstanceStatus?.Status ?? "",
            systemStatus: s.SystemStatus?.Status ?? "",
            events: (s.Events ?? []).map((e) => ({ code: e.Code ?? "", description: e.Description ?? "" })),
          });
        }
        token = page.NextToken;
      } while (token);
      return statuses;
    },
  };
}

export function worldInstanceStatus(cloud: Cloud): InstanceStatusSource {
  return {
    async describeInstanceStatus() {
      return cloud
        .describableInstances()
        .filter((i) => cloud.stateOf(i) === "running")
        .map((i) => ({
          instanceId: i.id,
          instanceStatus: cloud.health.isImpaired(i.id, "instance") ? "impaired" : "ok",
          systemStatus: cloud.health.isImpaired(i.id, "system") ? "impaired" : "ok",
          events: cloud.health.events(i.id).map((e) => ({ code: e.code, description: e.description })),
        }));
    },
  };
}
