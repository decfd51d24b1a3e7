// DescribeInstanceStatus in EC2's wire shape (InstanceStatus: state, the instance and system status checks with
// their `reachability` detail, scheduled events). Running instances only unless `IncludeAllInstances`, whose other
// states report `not-applicable` checks, as EC2 does. Impairments and events are the world's (cloud.health), set on
// demand; a new instance is missing for the Describe lag as in DescribeInstances. Karpenter's instance-status
// controller reads exactly these fields (aws:pkg/controllers/interruption/instancestatus).
import type { Cloud } from "../../world/cloud/cloud.ts";
import { type Instance, STATE_CODES } from "../../world/cloud/instance.ts";
import type { StatusCheck } from "../../world/cloud/instance-health.ts";
import type { QueryObject } from "../query-params.ts";
import type { XmlValue } from "../xml.ts";
import { applyFilters, parseFilters } from "./filters.ts";
import { describedInstances, stateXml } from "./instances.ts";
import { paginate } from "./pagination.ts";
import { boolean } from "./params.ts";

type CheckStatus = "ok" | "impaired" | "not-applicable";

function checkStatus(cloud: Cloud, instance: Instance, check: StatusCheck): CheckStatus {
  if (cloud.stateOf(instance) !== "running") return "not-applicable";
  return cloud.health.isImpaired(instance.id, check) ? "impaired" : "ok";
}

function summaryXml(status: CheckStatus): Record<string, XmlValue> {
  if (status === "not-applicable") return { status };
  return { status, details: [{ name: "reachability", status: status === "ok" ? "passed" : "failed" }] };
}

export function describeInstanceStatus(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const includeAll = boolean(params, "IncludeAllInstances") ?? false;
  let instances = describedInstances(cloud, params);
  if (!includeAll) instances = instances.filter((i) => cloud.stateOf(i) === "running");
  instances = applyFilters(instances, parseFilters(params), {
    "availability-zone": (i) => [i.zone],
    "instance-state-name": (i) => [cloud.stateOf(i)],
    "instance-state-code": (i) => [String(STATE_CODES[cloud.stateOf(i)])],
    "instance-status.status": (i) => [checkStatus(cloud, i, "instance")],
    "system-status.status": (i) => [checkStatus(cloud, i, "system")],
    "event.code": (i) => cloud.health.events(i.id).map((e) => e.code),
    "event.description": (i) => cloud.health.events(i.id).map((e) => e.description),
  });
  const page = paginate("DescribeInstanceStatus", instances, params, { min: 5, max: 1000 });
  return {
    instanceStatusSet: page.items.map((instance) => {
      const events = cloud.health.events(instance.id);
      return {
        instanceId: instance.id,
        availabilityZone: instance.zone,
        instanceState: stateXml(cloud.stateOf(instance)),
        systemStatus: summaryXml(checkStatus(cloud, instance, "system")),
        instanceStatus: summaryXml(checkStatus(cloud, instance, "instance")),
        eventsSet:
          events.length === 0
            ? undefined
            : events.map((e) => ({
                instanceEventId: e.id,
                code: e.code,
                description: e.description,
                notBefore: new Date(e.notBefore),
                notAfter: e.notAfter === undefined ? undefined : new Date(e.notAfter),
              })),
      };
    }),
    nextToken: page.nextToken,
  };
}
