// RunInstances, TerminateInstances, DescribeInstances and CreateTags, in EC2's wire shapes (Reservation,
// Instance, InstanceStateChange). Instance ids are checked for EC2's format before they are looked up, as EC2
// tells InvalidInstanceID.Malformed from InvalidInstanceID.NotFound.
import type { Cloud, Placement } from "../../world/cloud/cloud.ts";
import { CloudError } from "../../world/cloud/cloud-error.ts";
import { type Instance, type InstanceStateName, STATE_CODES } from "../../world/cloud/instance.ts";
import type { QueryObject } from "../query-params.ts";
import type { XmlValue } from "../xml.ts";
import { applyFilters, parseFilters } from "./filters.ts";
import { blockDevicesOf, launchSpecOf, templateOf } from "./launch-templates.ts";
import { paginate } from "./pagination.ts";
import { integer, required, strings, structure, tags, text } from "./params.ts";

const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

export function instanceIds(params: QueryObject, name = "InstanceId"): string[] {
  const ids = strings(params, name);
  for (const id of ids) {
    if (!INSTANCE_ID.test(id)) throw new CloudError("InvalidInstanceID.Malformed", `Invalid id: "${id}"`);
  }
  return ids;
}

export const stateXml = (name: InstanceStateName) => ({ code: STATE_CODES[name], name });

/** The profile's ARN (with its path) when IAM has it; else the ARN its name would have at the root path. */
export function instanceProfileArn(cloud: Cloud, profile: string): string {
  if (profile.startsWith("arn:")) return profile;
  return (
    cloud.iam.findInstanceProfile(profile)?.arn ??
    `arn:aws:iam::${cloud.scenario.accountId}:instance-profile/${profile}`
  );
}

export function instanceXml(cloud: Cloud, instance: Instance): Record<string, XmlValue> {
  const state = cloud.stateOf(instance);
  const { region } = cloud.scenario;
  const groups = cloud.scenario.securityGroups;
  return {
    instanceId: instance.id,
    imageId: instance.imageId,
    instanceState: stateXml(state),
    privateDnsName: `ip-${instance.privateIp.replaceAll(".", "-")}.${region}.compute.internal`,
    dnsName: "",
    reason:
      instance.terminatedAt === undefined
        ? ""
        : instance.terminationReason
          ? `Service initiated (${new Date(instance.terminatedAt).toISOString()})`
          : `User initiated (${new Date(instance.terminatedAt).toISOString()})`,
    amiLaunchIndex: instance.launchIndex,
    productCodes: [],
    instanceType: instance.instanceType,
    launchTime: new Date(instance.launchedAt),
    placement: { availabilityZone: instance.zone, groupName: "", tenancy: "default" },
    monitoring: { state: "disabled" },
    subnetId: instance.subnetId,
    vpcId: instance.vpcId,
    privateIpAddress: instance.privateIp,
    groupSet: instance.securityGroupIds.map((id) => ({
      groupId: id,
      groupName: groups.find((g) => g.id === id)?.name,
    })),
    stateReason:
      instance.terminatedAt === undefined
        ? undefined
        : (instance.terminationReason ?? {
            code: "Client.UserInitiatedShutdown",
            message: "Client.UserInitiatedShutdown: User initiated shutdown",
          }),
    architecture: instance.architecture,
    rootDeviceType: "ebs",
    rootDeviceName: "/dev/xvda",
    instanceLifecycle: instance.capacityType === "spot" ? "spot" : undefined,
    iamInstanceProfile:
      instance.instanceProfile === undefined
        ? undefined
        : {
            arn: instanceProfileArn(cloud, instance.instanceProfile),
            id: `AIPA${instance.id.slice(2, 19).toUpperCase()}`,
          },
    clientToken: instance.clientToken,
    tagSet: instance.tags.length > 0 ? instance.tags.map((t) => ({ key: t.key, value: t.value })) : undefined,
    hypervisor: "xen",
    virtualizationType: "hvm",
  };
}

function reservations(cloud: Cloud, instances: readonly Instance[]): XmlValue[] {
  const byReservation = new Map<string, Instance[]>();
  for (const instance of instances) {
    const group = byReservation.get(instance.reservationId) ?? [];
    group.push(instance);
    byReservation.set(instance.reservationId, group);
  }
  return [...byReservation.entries()].map(([reservationId, members]) => reservationXml(cloud, reservationId, members));
}

function reservationXml(cloud: Cloud, reservationId: string, members: readonly Instance[]): Record<string, XmlValue> {
  return {
    reservationId,
    ownerId: cloud.scenario.accountId,
    groupSet: [],
    instancesSet: members.map((i) => instanceXml(cloud, i)),
  };
}

/** A request's parameters without its client token: what a repeat with the same token must match. */
export function fingerprint(params: QueryObject): string {
  const { ClientToken: _token, ...rest } = params;
  return JSON.stringify(rest);
}

export function runInstances(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const maxCount = integer(params, "MaxCount", 1, 1000);
  const minCount = integer(params, "MinCount", 1, 1000);
  if (maxCount === undefined)
    throw new CloudError("MissingParameter", "The request must contain the parameter MaxCount");
  if (minCount === undefined)
    throw new CloudError("MissingParameter", "The request must contain the parameter MinCount");
  if (minCount > maxCount) {
    throw new CloudError(
      "InvalidParameterValue",
      `MinCount (${minCount}) must be less than or equal to MaxCount (${maxCount}).`,
    );
  }
  const clientToken = text(params, "ClientToken");
  const launched = cloud.idempotent(clientToken, fingerprint(params), () => {
    const templateRef = structure(params, "LaunchTemplate");
    const fromTemplate = templateRef ? templateOf(cloud, templateRef).spec : {};
    const spec = { ...fromTemplate, ...launchSpecOf(params) };
    const market = structure(params, "InstanceMarketOptions");
    const placement: Placement = {
      instanceType: spec.instanceType ?? "m1.small",
      subnetId: text(params, "SubnetId") ?? cloud.defaultSubnet().id,
      imageId: spec.imageId ?? required(params, "ImageId"),
      capacityType: market && text(market, "MarketType") === "spot" ? "spot" : "on-demand",
      securityGroupIds: spec.securityGroupIds ?? [],
      userData: spec.userData,
      instanceProfile: spec.instanceProfile,
      // The request's TagSpecifications (read into spec by launchSpecOf) replace the template's.
      tags: spec.instanceTags ?? [],
      clientToken,
      blockDevices: blockDevicesOf(spec),
    };
    return cloud.launch(placement, maxCount);
  });
  return reservationXml(
    cloud,
    launched[0]?.reservationId ?? "",
    launched.map((i) => cloud.instance(i.id)),
  );
}

export function terminateInstances(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const ids = instanceIds(params);
  if (ids.length === 0) throw new CloudError("MissingParameter", "The request must contain the parameter InstanceId");
  return {
    instancesSet: cloud.terminate(ids).map((change) => ({
      instanceId: change.instanceId,
      currentState: stateXml(change.current),
      previousState: stateXml(change.previous),
    })),
  };
}

/**
 * The instances a Describe call names (`InstanceId.N`, which EC2 refuses beside `MaxResults`), or every one it
 * can see; the Describe lag applies to both.
 */
export function describedInstances(cloud: Cloud, params: QueryObject): Instance[] {
  const ids = instanceIds(params);
  if (ids.length > 0 && text(params, "MaxResults") !== undefined) {
    throw new CloudError(
      "InvalidParameterCombination",
      "The parameter instancesSet cannot be used with the parameter maxResults",
    );
  }
  return ids.length > 0 ? ids.map((id) => cloud.describableInstance(id)) : cloud.describableInstances();
}

export function describeInstances(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  let instances = describedInstances(cloud, params);
  instances = applyFilters(
    instances,
    parseFilters(params),
    {
      "instance-id": (i) => [i.id],
      "instance-type": (i) => [i.instanceType],
      "instance-state-name": (i) => [cloud.stateOf(i)],
      "instance-state-code": (i) => [String(STATE_CODES[cloud.stateOf(i)])],
      "availability-zone": (i) => [i.zone],
      "subnet-id": (i) => [i.subnetId],
      "vpc-id": (i) => [i.vpcId],
      "image-id": (i) => [i.imageId],
      "instance-lifecycle": (i) => [i.capacityType === "spot" ? "spot" : undefined],
      "private-ip-address": (i) => [i.privateIp],
      "client-token": (i) => [i.clientToken],
      "reservation-id": (i) => [i.reservationId],
      architecture: (i) => [i.architecture],
      "iam-instance-profile.arn": (i) => [i.instanceProfile && instanceProfileArn(cloud, i.instanceProfile)],
    },
    (i) => i.tags,
  );
  const page = paginate("DescribeInstances", instances, params, { min: 5, max: 1000 });
  return { reservationSet: reservations(cloud, page.items), nextToken: page.nextToken };
}

export function createTags(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const resources = strings(params, "ResourceId");
  if (resources.length === 0)
    throw new CloudError("MissingParameter", "The request must contain the parameter ResourceId");
  cloud.createTags(resources, tags(params));
  return { return: true };
}
