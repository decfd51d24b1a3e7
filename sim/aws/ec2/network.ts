// DescribeAvailabilityZones, DescribeSubnets, DescribeSecurityGroups and DescribeImages over the scenario's
// resources, with the id lists, filters (tags included) and pagination each operation has on EC2.
import type { Cloud } from "../../world/cloud/cloud.ts";
import { CloudError } from "../../world/cloud/cloud-error.ts";
import type { ScenarioImage, ScenarioSecurityGroup, ScenarioSubnet, ScenarioZone } from "../../world/cloud/scenario.ts";
import type { Tag } from "../../world/cloud/tags.ts";
import type { QueryObject } from "../query-params.ts";
import type { XmlValue } from "../xml.ts";
import { applyFilters, parseFilters } from "./filters.ts";
import { paginate } from "./pagination.ts";
import { strings } from "./params.ts";

const tagSet = (tags: readonly Tag[]): XmlValue =>
  tags.length > 0 ? tags.map((t) => ({ key: t.key, value: t.value })) : undefined;

/** Keeps the resources whose id is in `ids` (all when empty); an unknown id is `code` (…NotFound). */
function byIds<T>(
  resources: readonly T[],
  ids: readonly string[],
  idOf: (r: T) => string,
  notFound: (id: string) => CloudError,
): T[] {
  if (ids.length === 0) return [...resources];
  for (const id of ids) if (!resources.some((r) => idOf(r) === id)) throw notFound(id);
  return resources.filter((r) => ids.includes(idOf(r)));
}

export function describeAvailabilityZones(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const { region } = cloud.scenario;
  let zones: ScenarioZone[] = byIds(
    cloud.scenario.zones,
    strings(params, "ZoneName"),
    (z) => z.name,
    (id) => new CloudError("InvalidParameterValue", `Invalid availability zone: [${id}]`),
  );
  zones = byIds(
    zones,
    strings(params, "ZoneId"),
    (z) => z.id,
    (id) => new CloudError("InvalidParameterValue", `Invalid availability zone: [${id}]`),
  );
  zones = applyFilters(zones, parseFilters(params), {
    "zone-name": (z) => [z.name],
    "zone-id": (z) => [z.id],
    "region-name": () => [region],
    state: () => ["available"],
    "zone-type": () => ["availability-zone"],
    "opt-in-status": () => ["opt-in-not-required"],
  });
  return {
    availabilityZoneInfo: zones.map((z) => ({
      zoneName: z.name,
      zoneId: z.id,
      zoneState: "available",
      optInStatus: "opt-in-not-required",
      messageSet: [],
      regionName: region,
      groupName: region,
      networkBorderGroup: region,
      zoneType: "availability-zone",
    })),
  };
}

export function describeSubnets(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const { vpcId, accountId, region, zones } = cloud.scenario;
  let subnets = byIds(
    cloud.scenario.subnets,
    strings(params, "SubnetId"),
    (s) => s.id,
    (id) => new CloudError("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`),
  );
  subnets = applyFilters(
    subnets,
    parseFilters(params),
    {
      "subnet-id": (s) => [s.id],
      "availability-zone": (s) => [s.zone],
      "availability-zone-id": (s) => [zones.find((z) => z.name === s.zone)?.id],
      "vpc-id": () => [vpcId],
      "cidr-block": (s) => [s.cidr],
      state: () => ["available"],
      "owner-id": () => [accountId],
    },
    (s) => s.tags,
  );
  const page = paginate("DescribeSubnets", subnets, params, { min: 5, max: 1000 });
  return {
    subnetSet: page.items.map((s: ScenarioSubnet) => ({
      subnetId: s.id,
      subnetArn: `arn:aws:ec2:${region}:${accountId}:subnet/${s.id}`,
      state: "available",
      ownerId: accountId,
      vpcId,
      cidrBlock: s.cidr,
      availableIpAddressCount: s.availableIps,
      availabilityZone: s.zone,
      availabilityZoneId: zones.find((z) => z.name === s.zone)?.id,
      defaultForAz: false,
      mapPublicIpOnLaunch: false,
      tagSet: tagSet(s.tags),
    })),
    nextToken: page.nextToken,
  };
}

export function describeSecurityGroups(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const { vpcId, accountId } = cloud.scenario;
  let groups = byIds(
    cloud.scenario.securityGroups,
    strings(params, "GroupId"),
    (g) => g.id,
    (id) => new CloudError("InvalidGroup.NotFound", `The security group '${id}' does not exist`),
  );
  groups = byIds(
    groups,
    strings(params, "GroupName"),
    (g) => g.name,
    (name) =>
      new CloudError("InvalidGroup.NotFound", `The security group '${name}' does not exist in default VPC '${vpcId}'`),
  );
  groups = applyFilters(
    groups,
    parseFilters(params),
    {
      "group-id": (g) => [g.id],
      "group-name": (g) => [g.name],
      description: (g) => [g.description],
      "vpc-id": () => [vpcId],
      "owner-id": () => [accountId],
    },
    (g) => g.tags,
  );
  const page = paginate("DescribeSecurityGroups", groups, params, { min: 5, max: 1000 });
  return {
    securityGroupInfo: page.items.map((g: ScenarioSecurityGroup) => ({
      ownerId: accountId,
      groupId: g.id,
      groupName: g.name,
      groupDescription: g.description,
      vpcId,
      ipPermissions: [],
      ipPermissionsEgress: [{ ipProtocol: "-1", ipRanges: [{ cidrIp: "0.0.0.0/0" }] }],
      tagSet: tagSet(g.tags),
    })),
    nextToken: page.nextToken,
  };
}

export function describeImages(cloud: Cloud, params: QueryObject): Record<string, XmlValue> {
  const { accountId } = cloud.scenario;
  // Unlike the other Describe calls, an unknown image id is not an error when filters narrow the answer anyway;
  // EC2 answers InvalidAMIID.NotFound only for ids that do not exist at all, which is what this does.
  let images = byIds(
    cloud.scenario.images,
    strings(params, "ImageId"),
    (i) => i.id,
    (id) => new CloudError("InvalidAMIID.NotFound", `The image id '[${id}]' does not exist`),
  );
  const owners = strings(params, "Owner");
  if (owners.length > 0) {
    images = images.filter((i) =>
      owners.some((o) => o === i.ownerId || o === i.ownerAlias || (o === "self" && i.ownerId === accountId)),
    );
  }
  images = applyFilters(
    images,
    parseFilters(params),
    {
      "image-id": (i) => [i.id],
      name: (i) => [i.name],
      architecture: (i) => [i.architecture],
      "owner-id": (i) => [i.ownerId],
      "owner-alias": (i) => [i.ownerAlias],
      state: () => ["available"],
      "image-type": () => ["machine"],
      "is-public": () => ["true"],
      description: (i) => [i.description],
    },
    (i) => i.tags,
  );
  const page = paginate("DescribeImages", images, params, { min: 5, max: 1000 });
  return {
    imagesSet: page.items.map((i: ScenarioImage) => ({
      imageId: i.id,
      imageLocation: `${i.ownerAlias ?? i.ownerId}/${i.name}`,
      imageState: "available",
      imageOwnerId: i.ownerId,
      creationDate: i.creationDate,
      isPublic: true,
      architecture: i.architecture,
      imageType: "machine",
      platform: i.platform,
      imageOwnerAlias: i.ownerAlias,
      name: i.name,
      description: i.description,
      rootDeviceType: "ebs",
      rootDeviceName: "/dev/xvda",
      virtualizationType: "hvm",
      hypervisor: "xen",
      enaSupport: true,
      tagSet: tagSet(i.tags),
    })),
    nextToken: page.nextToken,
  };
}
