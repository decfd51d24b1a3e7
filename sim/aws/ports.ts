// The EC2-shaped port (api/ports/ec2.ts: EC2, SSM, IAM) in process over the simulated cloud, for fast tests. Each
// call runs the very operation the simulated endpoint runs for the SDK (sim/aws/ec2/, ssm/, iam/), given the
// parameters the SDK would send as the parsed data the endpoint would have made of them, and reads its answer from
// the structure the endpoint would have written as XML or JSON. So EC2's behaviour (filters, Describe lag,
// idempotency, capacity errors) has one implementation, and one contract suite (test/support/aws-ports-contract.ts)
// runs against this and against adapters/aws over HTTP. Errors are the port's typed errors by the service's code
// (`portErrorOf`), as the adapters map the SDK's. Not here: the endpoint's injected faults, which act on requests.
import {
  type AwsPorts,
  type DescribeQuery,
  type Ec2Port,
  type Filter,
  type FleetRequest,
  type FleetResult,
  type IamPort,
  type Image,
  type Instance,
  type InstanceProfile,
  type InstanceStateName,
  type InstanceStatus,
  type InstanceTypeInfo,
  type InstanceTypeOffering,
  type LaunchTemplate,
  type LaunchTemplateData,
  NotFound,
  portErrorOf,
  type SecurityGroup,
  type SpotPrice,
  type SsmPort,
  type Subnet,
  type Tag,
  type TerminatedInstance,
} from "../../api/index.ts";
import type { Cloud } from "../world/cloud/cloud.ts";
import { CloudError } from "../world/cloud/cloud-error.ts";
import { EC2_OPERATIONS } from "./ec2/handler.ts";
import { IAM_OPERATIONS } from "./iam/handler.ts";
import type { QueryObject, QueryValue } from "./query-params.ts";
import { SSM_OPERATIONS } from "./ssm/handler.ts";
import type { XmlValue } from "./xml.ts";

type XmlRecord = { [name: string]: XmlValue };

/** Runs `call`, turning the simulator's CloudError into the port's typed error, as the adapters do the SDK's. */
async function typed<T>(call: () => T): Promise<T> {
  // A macrotask boundary, as a network call has: callers must not rely on an answer within the same tick.
  await Promise.resolve();
  try {
    return call();
  } catch (error) {
    if (error instanceof CloudError) throw portErrorOf(error.code, error.message, undefined, error);
    throw error;
  }
}

// The reading side: the answer structures hold strings, numbers, booleans, Dates, lists and records.
const record = (value: XmlValue): XmlRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date) ? value : {};
const list = (value: XmlValue): XmlValue[] => (Array.isArray(value) ? value : []);
const str = (value: XmlValue): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
const num = (value: XmlValue): number => (typeof value === "number" ? value : Number(value ?? 0));
const date = (value: XmlValue): Date => (value instanceof Date ? value : new Date(String(value ?? 0)));
const tagsOf = (value: XmlValue): Tag[] =>
  list(value).map((t) => ({ key: str(record(t).key) ?? "", value: str(record(t).value) ?? "" }));

// The writing side: the parameter names the SDK's EC2 Query serializer uses (`Filter.N.Value.M`, `InstanceId.N`).
const queryList = (values: readonly string[] | undefined): QueryValue[] | undefined =>
  values === undefined ? undefined : [...values];
const queryFilters = (filters: readonly Filter[] | undefined): QueryObject[] | undefined =>
  filters?.map((f) => ({ Name: f.name, Value: [...f.values] }));
const queryTags = (tags: readonly Tag[]): QueryObject[] => tags.map((t) => ({ Key: t.key, Value: t.value }));
const flag = (value: boolean | undefined): string | undefined => (value === undefined ? undefined : String(value));
const number = (value: number | undefined): string | undefined => (value === undefined ? undefined : String(value));

/** Drops undefined members: the parsed query of a request has no member for a parameter it did not send. */
function query(members: Record<string, QueryValue | undefined>): QueryObject {
  const out: QueryObject = {};
  for (const [name, value] of Object.entries(members)) if (value !== undefined) out[name] = value;
  return out;
}

export class WorldEc2 implements Ec2Port {
  readonly #cloud: Cloud;

  constructor(cloud: Cloud) {
    this.#cloud = cloud;
  }

  #run(action: string, params: QueryObject): XmlRecord {
    const operation = EC2_OPERATIONS[action];
    if (!operation) throw new Error(`the simulated EC2 has no ${action}`);
    return operation(this.#cloud, params);
  }

  describeInstanceTypes(): Promise<InstanceTypeInfo[]> {
    return typed(() =>
      list(this.#run("DescribeInstanceTypes", {}).instanceTypeSet).map((item) => {
        const t = record(item);
        return {
          instanceType: str(t.instanceType) ?? "",
          vcpus: num(record(t.vCpuInfo).defaultVCpus),
          memoryMiB: num(record(t.memoryInfo).sizeInMiB),
          architectures: list(record(t.processorInfo).supportedArchitectures).map((a) => str(a) ?? ""),
          supportedUsageClasses: list(t.supportedUsageClasses).map((c) => str(c) ?? ""),
          maxNetworkInterfaces: num(record(t.networkInfo).maximumNetworkInterfaces),
          ipv4AddressesPerInterface: num(record(t.networkInfo).ipv4AddressesPerInterface),
          bareMetal: t.bareMetal === true,
          burstable: t.burstablePerformanceSupported === true,
          gpus: list(record(t.gpuInfo).gpus).reduce<number>((sum, g) => sum + num(record(g).count), 0),
        };
      }),
    );
  }

  describeInstanceTypeOfferings(): Promise<InstanceTypeOffering[]> {
    return typed(() =>
      list(
        this.#run("DescribeInstanceTypeOfferings", { LocationType: "availability-zone" }).instanceTypeOfferingSet,
      ).map((o) => ({ instanceType: str(record(o).instanceType) ?? "", zone: str(record(o).location) ?? "" })),
    );
  }

  describeSpotPriceHistory(input: { startTime: Date; instanceTypes?: readonly string[] }): Promise<SpotPrice[]> {
    const params = query({
      StartTime: input.startTime.toISOString(),
      ProductDescription: ["Linux/UNIX"],
      InstanceType: queryList(input.instanceTypes),
    });
    return typed(() =>
      list(this.#run("DescribeSpotPriceHistory", params).spotPriceHistorySet).map((item) => {
        const p = record(item);
        return {
          instanceType: str(p.instanceType) ?? "",
          zone: str(p.availabilityZone) ?? "",
          price: Number(str(p.spotPrice) ?? "NaN"),
          timestamp: date(p.timestamp),
        };
      }),
    );
  }

  describeSubnets(q: DescribeQuery): Promise<Subnet[]> {
    const params = query({ SubnetId: queryList(q.ids), Filter: queryFilters(q.filters) });
    return typed(() =>
      list(this.#run("DescribeSubnets", params).subnetSet).map((item) => {
        const s = record(item);
        return {
          id: str(s.subnetId) ?? "",
          zone: str(s.availabilityZone) ?? "",
          zoneId: str(s.availabilityZoneId),
          availableIpAddressCount: num(s.availableIpAddressCount),
          tags: tagsOf(s.tagSet),
        };
      }),
    );
  }

  describeSecurityGroups(q: DescribeQuery): Promise<SecurityGroup[]> {
    const params = query({ GroupId: queryList(q.ids), Filter: queryFilters(q.filters) });
    return typed(() =>
      list(this.#run("DescribeSecurityGroups", params).securityGroupInfo).map((item) => {
        const g = record(item);
        return { id: str(g.groupId) ?? "", name: str(g.groupName) ?? "", tags: tagsOf(g.tagSet) };
      }),
    );
  }

  describeImages(q: DescribeQuery & { readonly owners?: readonly string[] }): Promise<Image[]> {
    const params = query({ ImageId: queryList(q.ids), Owner: queryList(q.owners), Filter: queryFilters(q.filters) });
    return typed(() =>
      list(this.#run("DescribeImages", params).imagesSet).map((item) => {
        const i = record(item);
        return {
          id: str(i.imageId) ?? "",
          name: str(i.name) ?? "",
          architecture: str(i.architecture) ?? "",
          creationDate: str(i.creationDate) ?? "",
          ownerId: str(i.imageOwnerId) ?? "",
          tags: tagsOf(i.tagSet),
        };
      }),
    );
  }

  describeInstances(q: DescribeQuery): Promise<Instance[]> {
    const params = query({ InstanceId: queryList(q.ids), Filter: queryFilters(q.filters) });
    return typed(() =>
      list(this.#run("DescribeInstances", params).reservationSet).flatMap((reservation) =>
        list(record(reservation).instancesSet).map((item): Instance => {
          const i = record(item);
          return {
            id: str(i.instanceId) ?? "",
            instanceType: str(i.instanceType) ?? "",
            zone: str(record(i.placement).availabilityZone) ?? "",
            subnetId: str(i.subnetId),
            imageId: str(i.imageId) ?? "",
            state: (str(record(i.instanceState).name) ?? "pending") as InstanceStateName,
            capacityType: i.instanceLifecycle === "spot" ? "spot" : "on-demand",
            launchTime: date(i.launchTime),
            securityGroupIds: list(i.groupSet).map((g) => str(record(g).groupId) ?? ""),
            tags: tagsOf(i.tagSet),
          };
        }),
      ),
    );
  }

  createFleet(request: FleetRequest): Promise<FleetResult> {
    const spot = request.capacityType === "spot";
    const tagged = (type: string) => ({ ResourceType: type, Tag: queryTags(request.tags) });
    const params = query({
      Type: "instant",
      ClientToken: request.clientToken,
      TargetCapacitySpecification: { TotalTargetCapacity: "1", DefaultTargetCapacityType: request.capacityType },
      [spot ? "SpotOptions" : "OnDemandOptions"]: { AllocationStrategy: request.allocationStrategy },
      LaunchTemplateConfigs: request.launchTemplates.map((config) => ({
        LaunchTemplateSpecification: { LaunchTemplateName: config.launchTemplateName, Version: "$Latest" },
        Overrides: config.overrides.map((o) =>
          query({
            InstanceType: o.instanceType,
            SubnetId: o.subnetId,
            Priority: o.priority === undefined ? undefined : String(o.priority),
            ImageId: o.imageId,
          }),
        ),
      })),
      TagSpecification: [tagged("instance"), tagged("volume"), tagged("fleet")],
    });
    return typed(() => {
      const answer = this.#run("CreateFleet", params);
      const overridesOf = (item: XmlValue) => record(record(record(item).launchTemplateAndOverrides).overrides);
      return {
        instances: list(answer.fleetInstanceSet).flatMap((item) =>
          list(record(item).instanceIds).map((id) => ({
            id: str(id) ?? "",
            instanceType: str(record(item).instanceType) ?? str(overridesOf(item).instanceType) ?? "",
            subnetId: str(overridesOf(item).subnetId),
            zone: str(overridesOf(item).availabilityZone),
          })),
        ),
        errors: list(answer.errorSet).map((item) => ({
          code: str(record(item).errorCode) ?? "",
          message: str(record(item).errorMessage) ?? "",
          instanceType: str(overridesOf(item).instanceType),
          subnetId: str(overridesOf(item).subnetId),
          zone: str(overridesOf(item).availabilityZone),
        })),
      };
    });
  }

  terminateInstances(ids: readonly string[]): Promise<TerminatedInstance[]> {
    return typed(() =>
      list(this.#run("TerminateInstances", { InstanceId: [...ids] }).instancesSet).map((item) => {
        const c = record(item);
        return {
          id: str(c.instanceId) ?? "",
          previousState: (str(record(c.previousState).name) ?? "pending") as InstanceStateName,
          currentState: (str(record(c.currentState).name) ?? "shutting-down") as InstanceStateName,
        };
      }),
    );
  }

  createTags(resourceIds: readonly string[], tags: readonly Tag[]): Promise<void> {
    return typed(() => {
      this.#run("CreateTags", { ResourceId: [...resourceIds], Tag: queryTags(tags) });
    });
  }

  createLaunchTemplate(name: string, data: LaunchTemplateData, tags: readonly Tag[]): Promise<LaunchTemplate> {
    const params = query({
      LaunchTemplateName: name,
      LaunchTemplateData: query({
        ImageId: data.imageId,
        SecurityGroupId: [...data.securityGroupIds],
        UserData: data.userData,
        IamInstanceProfile: { Name: data.instanceProfileName },
        BlockDeviceMapping: data.blockDeviceMappings?.length
          ? data.blockDeviceMappings.map((m) => ({
              DeviceName: m.deviceName,
              Ebs: query({
                DeleteOnTermination: flag(m.ebs.deleteOnTermination),
                Encrypted: flag(m.ebs.encrypted),
                VolumeType: m.ebs.volumeType,
                Iops: number(m.ebs.iops),
                Throughput: number(m.ebs.throughput),
                KmsKeyId: m.ebs.kmsKeyId,
                SnapshotId: m.ebs.snapshotId,
                VolumeInitializationRate: number(m.ebs.volumeInitializationRate),
                VolumeSize: number(m.ebs.volumeSizeGiB),
              }),
            }))
          : undefined,
        MetadataOptions: data.metadataOptions
          ? query({
              HttpEndpoint: data.metadataOptions.httpEndpoint,
              HttpProtocolIpv6: data.metadataOptions.httpProtocolIpv6,
              HttpPutResponseHopLimit: String(data.metadataOptions.httpPutResponseHopLimit),
              HttpTokens: data.metadataOptions.httpTokens,
            })
          : undefined,
        Monitoring: data.detailedMonitoring === undefined ? undefined : { Enabled: String(data.detailedMonitoring) },
        TagSpecification: [
          { ResourceType: "instance", Tag: queryTags(data.instanceTags) },
          { ResourceType: "volume", Tag: queryTags(data.instanceTags) },
        ],
      }),
      TagSpecification: [{ ResourceType: "launch-template", Tag: queryTags(tags) }],
    });
    return typed(() => launchTemplateOf(record(this.#run("CreateLaunchTemplate", params).launchTemplate)));
  }

  describeLaunchTemplates(q: { names?: readonly string[]; filters?: readonly Filter[] }): Promise<LaunchTemplate[]> {
    const params = query({ LaunchTemplateName: queryList(q.names), Filter: queryFilters(q.filters) });
    return typed(() =>
      list(this.#run("DescribeLaunchTemplates", params).launchTemplates).map((t) => launchTemplateOf(record(t))),
    );
  }

  deleteLaunchTemplate(name: string): Promise<void> {
    return typed(() => {
      this.#run("DeleteLaunchTemplate", { LaunchTemplateName: name });
    });
  }

  describeInstanceStatus(): Promise<InstanceStatus[]> {
    return typed(() =>
      list(this.#run("DescribeInstanceStatus", {}).instanceStatusSet).map((item) => {
        const s = record(item);
        return {
          instanceId: str(s.instanceId) ?? "",
          instanceStatus: str(record(s.instanceStatus).status) ?? "",
          systemStatus: str(record(s.systemStatus).status) ?? "",
          events: list(s.eventsSet).map((e) => ({
            code: str(record(e).code) ?? "",
            description: str(record(e).description) ?? "",
          })),
        };
      }),
    );
  }
}

function launchTemplateOf(t: XmlRecord): LaunchTemplate {
  return {
    id: str(t.launchTemplateId) ?? "",
    name: str(t.launchTemplateName) ?? "",
    createTime: date(t.createTime),
    tags: tagsOf(t.tagSet),
  };
}

const SSM_MAX_NAMES = 10;

export class WorldSsm implements SsmPort {
  readonly #cloud: Cloud;

  constructor(cloud: Cloud) {
    this.#cloud = cloud;
  }

  #run(operation: "GetParameter" | "GetParameters", body: Record<string, unknown>): Record<string, unknown> {
    return SSM_OPERATIONS[operation]?.(this.#cloud.ssm, body) ?? {};
  }

  getParameter(name: string): Promise<string> {
    return typed(() => {
      const value = (this.#run("GetParameter", { Name: name }).Parameter as { Value?: string } | undefined)?.Value;
      if (value === undefined) throw new NotFound("ParameterNotFound", `parameter ${name} has no value`);
      return value;
    });
  }

  getParameters(names: readonly string[]): Promise<Map<string, string>> {
    return typed(() => {
      const values = new Map<string, string>();
      // SSM takes at most ten names a call, as the adapter asks them.
      for (let start = 0; start < names.length; start += SSM_MAX_NAMES) {
        const answer = this.#run("GetParameters", { Names: names.slice(start, start + SSM_MAX_NAMES) });
        for (const p of (answer.Parameters ?? []) as { Name?: string; Value?: string }[]) {
          if (p.Name !== undefined && p.Value !== undefined) values.set(p.Name, p.Value);
        }
      }
      return values;
    });
  }
}

export class WorldIam implements IamPort {
  readonly #cloud: Cloud;

  constructor(cloud: Cloud) {
    this.#cloud = cloud;
  }

  #run(action: string, params: QueryObject): XmlRecord {
    const operation = IAM_OPERATIONS[action];
    if (!operation) throw new Error(`the simulated IAM has no ${action}`);
    return operation(this.#cloud, params) ?? {};
  }

  getInstanceProfile(name: string): Promise<InstanceProfile> {
    return typed(() =>
      profileOf(record(this.#run("GetInstanceProfile", { InstanceProfileName: name }).InstanceProfile)),
    );
  }

  createInstanceProfile(input: { name: string; path: string; tags: readonly Tag[] }): Promise<InstanceProfile> {
    // The SDK sends no Tags member for an empty list, as the adapter relies on.
    const params = query({
      InstanceProfileName: input.name,
      Path: input.path,
      Tags: input.tags.length > 0 ? { member: queryTags(input.tags) } : undefined,
    });
    return typed(() => profileOf(record(this.#run("CreateInstanceProfile", params).InstanceProfile)));
  }

  addRoleToInstanceProfile(profileName: string, roleName: string): Promise<void> {
    return typed(() => {
      this.#run("AddRoleToInstanceProfile", { InstanceProfileName: profileName, RoleName: roleName });
    });
  }

  removeRoleFromInstanceProfile(profileName: string, roleName: string): Promise<void> {
    return typed(() => {
      this.#run("RemoveRoleFromInstanceProfile", { InstanceProfileName: profileName, RoleName: roleName });
    });
  }

  tagInstanceProfile(profileName: string, tags: readonly Tag[]): Promise<void> {
    return typed(() => {
      this.#run("TagInstanceProfile", { InstanceProfileName: profileName, Tags: { member: queryTags(tags) } });
    });
  }

  deleteInstanceProfile(name: string): Promise<void> {
    return typed(() => {
      this.#run("DeleteInstanceProfile", { InstanceProfileName: name });
    });
  }
}

function profileOf(p: XmlRecord): InstanceProfile {
  return {
    name: str(p.InstanceProfileName) ?? "",
    arn: str(p.Arn) ?? "",
    path: str(p.Path) ?? "",
    roles: list(p.Roles).map((r) => str(record(r).RoleName) ?? ""),
    tags: list(p.Tags).map((t) => ({ key: str(record(t).Key) ?? "", value: str(record(t).Value) ?? "" })),
  };
}

/** The EC2-shaped port over `cloud`, in process. */
export function worldAwsPorts(cloud: Cloud): AwsPorts {
  return { ec2: new WorldEc2(cloud), ssm: new WorldSsm(cloud), iam: new WorldIam(cloud) };
}
