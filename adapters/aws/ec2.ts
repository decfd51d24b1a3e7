/**
 * The EC2 part of the EC2-shaped port over `@aws-sdk/client-ec2`: one SDK command per call, every page followed
 * with the SDK's paginators, the answers reduced to the port's plain shapes and failures mapped to its typed
 * errors. No decisions: what to launch and how to retry a launch are cloudprovider/aws's.
 */
import type {
  _InstanceType,
  EC2Client as SdkEc2Client,
  Filter as SdkFilter,
  Instance as SdkInstance,
  Tag as SdkTag,
  VolumeType,
} from "@aws-sdk/client-ec2";
import { ec2Sdk } from "./ec2-sdk.ts";
import type {
  DescribeQuery,
  Ec2Port,
  Filter,
  FleetRequest,
  FleetResult,
  Image,
  Instance,
  InstanceStateName,
  InstanceStatus,
  InstanceTypeInfo,
  InstanceTypeOffering,
  LaunchTemplate,
  LaunchTemplateData,
  SecurityGroup,
  SpotPrice,
  Subnet,
  Tag,
  TerminatedInstance,
} from "../../api/index.ts";
import { mapped } from "./aws-errors.ts";
import { awsClientConfig, type AwsClientOptions } from "./client-config.ts";

const {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteLaunchTemplateCommand,
  EC2Client,
  paginateDescribeImages,
  paginateDescribeInstanceStatus,
  paginateDescribeInstanceTypeOfferings,
  paginateDescribeInstanceTypes,
  paginateDescribeInstances,
  paginateDescribeLaunchTemplates,
  paginateDescribeSecurityGroups,
  paginateDescribeSpotPriceHistory,
  paginateDescribeSubnets,
  TerminateInstancesCommand,
} = ec2Sdk;

const PAGE = { pageSize: 100 } as const;

// EC2 refuses MaxResults beside a list of ids (InvalidParameterCombination): ids are answered in one page.
const pageFor = (query: DescribeQuery) => (query.ids === undefined ? PAGE : {});

function sdkFilters(filters: readonly Filter[] | undefined): SdkFilter[] | undefined {
  return filters?.map((f) => ({ Name: f.name, Values: [...f.values] }));
}

function sdkTags(tags: readonly Tag[]): SdkTag[] {
  return tags.map((t) => ({ Key: t.key, Value: t.value }));
}

function tagsOf(tags: readonly SdkTag[] | undefined): Tag[] {
  return (tags ?? []).map((t) => ({ key: t.Key ?? "", value: t.Value ?? "" }));
}

async function collect<P, T>(pages: AsyncIterable<P>, items: (page: P) => readonly T[] | undefined): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
}

function instanceOf(i: SdkInstance): Instance {
  return {
    id: i.InstanceId ?? "",
    instanceType: i.InstanceType ?? "",
    zone: i.Placement?.AvailabilityZone ?? "",
    subnetId: i.SubnetId,
    imageId: i.ImageId ?? "",
    state: (i.State?.Name ?? "pending") as InstanceStateName,
    capacityType: i.InstanceLifecycle === "spot" ? "spot" : "on-demand",
    launchTime: i.LaunchTime ?? new Date(0),
    securityGroupIds: (i.SecurityGroups ?? []).map((g) => g.GroupId ?? ""),
    tags: tagsOf(i.Tags),
  };
}

export class SdkEc2 implements Ec2Port {
  readonly client: SdkEc2Client;

  constructor(options: AwsClientOptions = {}) {
    this.client = new EC2Client(awsClientConfig(options));
  }

  describeInstanceTypes(): Promise<InstanceTypeInfo[]> {
    return mapped(() =>
      collect(paginateDescribeInstanceTypes({ client: this.client, ...PAGE }, {}), (page) =>
        page.InstanceTypes?.map((t) => ({
          instanceType: t.InstanceType ?? "",
          vcpus: t.VCpuInfo?.DefaultVCpus ?? 0,
          memoryMiB: t.MemoryInfo?.SizeInMiB ?? 0,
          architectures: t.ProcessorInfo?.SupportedArchitectures ?? [],
          supportedUsageClasses: t.SupportedUsageClasses ?? [],
          maxNetworkInterfaces: t.NetworkInfo?.MaximumNetworkInterfaces ?? 0,
          ipv4AddressesPerInterface: t.NetworkInfo?.Ipv4AddressesPerInterface ?? 0,
          bareMetal: t.BareMetal ?? false,
          burstable: t.BurstablePerformanceSupported ?? false,
          gpus: (t.GpuInfo?.Gpus ?? []).reduce((sum, g) => sum + (g.Count ?? 0), 0),
        })),
      ),
    );
  }

  describeInstanceTypeOfferings(): Promise<InstanceTypeOffering[]> {
    return mapped(() =>
      collect(
        paginateDescribeInstanceTypeOfferings(
          { client: this.client, pageSize: 1000 },
          { LocationType: "availability-zone" },
        ),
        (page) =>
          page.InstanceTypeOfferings?.map((o) => ({ instanceType: o.InstanceType ?? "", zone: o.Location ?? "" })),
      ),
    );
  }

  describeSpotPriceHistory(input: { startTime: Date; instanceTypes?: readonly string[] }): Promise<SpotPrice[]> {
    return mapped(() =>
      collect(
        paginateDescribeSpotPriceHistory(
          { client: this.client, pageSize: 1000 },
          {
            StartTime: input.startTime,
            ProductDescriptions: ["Linux/UNIX"],
            ...(input.instanceTypes === undefined
              ? {}
              : { InstanceTypes: [...input.instanceTypes] as _InstanceType[] }),
          },
        ),
        (page) =>
          page.SpotPriceHistory?.map((p) => ({
            instanceType: p.InstanceType ?? "",
            zone: p.AvailabilityZone ?? "",
            price: Number(p.SpotPrice ?? "NaN"),
            timestamp: p.Timestamp ?? new Date(0),
          })),
      ),
    );
  }

  describeSubnets(query: DescribeQuery): Promise<Subnet[]> {
    return mapped(() =>
      collect(
        paginateDescribeSubnets(
          { client: this.client, ...pageFor(query) },
          { SubnetIds: query.ids === undefined ? undefined : [...query.ids], Filters: sdkFilters(query.filters) },
        ),
        (page) =>
          page.Subnets?.map((s) => ({
            id: s.SubnetId ?? "",
            zone: s.AvailabilityZone ?? "",
            zoneId: s.AvailabilityZoneId,
            availableIpAddressCount: s.AvailableIpAddressCount ?? 0,
            tags: tagsOf(s.Tags),
          })),
      ),
    );
  }

  describeSecurityGroups(query: DescribeQuery): Promise<SecurityGroup[]> {
    return mapped(() =>
      collect(
        paginateDescribeSecurityGroups(
          { client: this.client, ...pageFor(query) },
          { GroupIds: query.ids === undefined ? undefined : [...query.ids], Filters: sdkFilters(query.filters) },
        ),
        (page) =>
          page.SecurityGroups?.map((g) => ({ id: g.GroupId ?? "", name: g.GroupName ?? "", tags: tagsOf(g.Tags) })),
      ),
    );
  }

  describeImages(query: DescribeQuery & { readonly owners?: readonly string[] }): Promise<Image[]> {
    return mapped(() =>
      collect(
        paginateDescribeImages(
          { client: this.client, ...pageFor(query) },
          {
            ImageIds: query.ids === undefined ? undefined : [...query.ids],
            Owners: query.owners === undefined ? undefined : [...query.owners],
            Filters: sdkFilters(query.filters),
          },
        ),
        (page) =>
          page.Images?.map((i) => ({
            id: i.ImageId ?? "",
            name: i.Name ?? "",
            architecture: i.Architecture ?? "",
            creationDate: i.CreationDate ?? "",
            ownerId: i.OwnerId ?? "",
            tags: tagsOf(i.Tags),
          })),
      ),
    );
  }

  describeInstances(query: DescribeQuery): Promise<Instance[]> {
    return mapped(() =>
      collect(
        paginateDescribeInstances(
          { client: this.client, ...pageFor(query) },
          { InstanceIds: query.ids === undefined ? undefined : [...query.ids], Filters: sdkFilters(query.filters) },
        ),
        (page) => page.Reservations?.flatMap((r) => (r.Instances ?? []).map(instanceOf)),
      ),
    );
  }

  async createFleet(request: FleetRequest): Promise<FleetResult> {
    const spot = request.capacityType === "spot";
    const tagged = (type: "instance" | "volume" | "fleet") => ({ ResourceType: type, Tags: sdkTags(request.tags) });
    const answer = await mapped(() =>
      this.client.send(
        new CreateFleetCommand({
          Type: "instant",
          ClientToken: request.clientToken,
          TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: request.capacityType },
          ...(spot
            ? { SpotOptions: { AllocationStrategy: request.allocationStrategy as "price-capacity-optimized" } }
            : { OnDemandOptions: { AllocationStrategy: request.allocationStrategy as "lowest-price" } }),
          LaunchTemplateConfigs: request.launchTemplates.map((config) => ({
            LaunchTemplateSpecification: { LaunchTemplateName: config.launchTemplateName, Version: "$Latest" },
            Overrides: config.overrides.map((o) => ({
              InstanceType: o.instanceType as _InstanceType,
              SubnetId: o.subnetId,
              ...(o.priority === undefined ? {} : { Priority: o.priority }),
              ...(o.imageId === undefined ? {} : { ImageId: o.imageId }),
            })),
          })),
          TagSpecifications: [tagged("instance"), tagged("volume"), tagged("fleet")],
        }),
      ),
    );
    return {
      instances: (answer.Instances ?? []).flatMap((i) =>
        (i.InstanceIds ?? []).map((id) => ({
          id,
          instanceType: i.InstanceType ?? i.LaunchTemplateAndOverrides?.Overrides?.InstanceType ?? "",
          subnetId: i.LaunchTemplateAndOverrides?.Overrides?.SubnetId,
          zone: i.LaunchTemplateAndOverrides?.Overrides?.AvailabilityZone,
        })),
      ),
      errors: (answer.Errors ?? []).map((e) => {
        const overrides = e.LaunchTemplateAndOverrides?.Overrides;
        return {
          code: e.ErrorCode ?? "",
          message: e.ErrorMessage ?? "",
          instanceType: overrides?.InstanceType,
          subnetId: overrides?.SubnetId,
          zone: overrides?.AvailabilityZone,
        };
      }),
    };
  }

  terminateInstances(ids: readonly string[]): Promise<TerminatedInstance[]> {
    return mapped(async () => {
      const answer = await this.client.send(new TerminateInstancesCommand({ InstanceIds: [...ids] }));
      return (answer.TerminatingInstances ?? []).map((c) => ({
        id: c.InstanceId ?? "",
        previousState: (c.PreviousState?.Name ?? "pending") as InstanceStateName,
        currentState: (c.CurrentState?.Name ?? "shutting-down") as InstanceStateName,
      }));
    });
  }

  createTags(resourceIds: readonly string[], tags: readonly Tag[]): Promise<void> {
    return mapped(async () => {
      await this.client.send(new CreateTagsCommand({ Resources: [...resourceIds], Tags: sdkTags(tags) }));
    });
  }

  createLaunchTemplate(name: string, data: LaunchTemplateData, tags: readonly Tag[]): Promise<LaunchTemplate> {
    return mapped(async () => {
      const answer = await this.client.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: name,
          LaunchTemplateData: {
            ImageId: data.imageId,
            SecurityGroupIds: [...data.securityGroupIds],
            UserData: data.userData,
            IamInstanceProfile: { Name: data.instanceProfileName },
            ...(data.blockDeviceMappings === undefined || data.blockDeviceMappings.length === 0
              ? {}
              : {
                  BlockDeviceMappings: data.blockDeviceMappings.map((m) => ({
                    DeviceName: m.deviceName,
                    Ebs: {
                      DeleteOnTermination: m.ebs.deleteOnTermination,
                      Encrypted: m.ebs.encrypted,
                      VolumeType: m.ebs.volumeType as VolumeType | undefined,
                      Iops: m.ebs.iops,
                      Throughput: m.ebs.throughput,
                      KmsKeyId: m.ebs.kmsKeyId,
                      SnapshotId: m.ebs.snapshotId,
                      VolumeInitializationRate: m.ebs.volumeInitializationRate,
                      VolumeSize: m.ebs.volumeSizeGiB,
                    },
                  })),
                }),
            ...(data.metadataOptions === undefined
              ? {}
              : {
                  MetadataOptions: {
                    HttpEndpoint: data.metadataOptions.httpEndpoint,
                    HttpProtocolIpv6: data.metadataOptions.httpProtocolIpv6,
                    HttpPutResponseHopLimit: data.metadataOptions.httpPutResponseHopLimit,
                    HttpTokens: data.metadataOptions.httpTokens,
                  },
                }),
            ...(data.detailedMonitoring === undefined ? {} : { Monitoring: { Enabled: data.detailedMonitoring } }),
            TagSpecifications: [
              { ResourceType: "instance", Tags: sdkTags(data.instanceTags) },
              { ResourceType: "volume", Tags: sdkTags(data.instanceTags) },
            ],
          },
          TagSpecifications: [{ ResourceType: "launch-template", Tags: sdkTags(tags) }],
        }),
      );
      const t = answer.LaunchTemplate;
      return {
        id: t?.LaunchTemplateId ?? "",
        name: t?.LaunchTemplateName ?? name,
        createTime: t?.CreateTime ?? new Date(0),
        tags: tagsOf(t?.Tags),
      };
    });
  }

  describeLaunchTemplates(query: {
    names?: readonly string[];
    filters?: readonly Filter[];
  }): Promise<LaunchTemplate[]> {
    return mapped(() =>
      collect(
        paginateDescribeLaunchTemplates(
          { client: this.client, ...PAGE },
          {
            LaunchTemplateNames: query.names === undefined ? undefined : [...query.names],
            Filters: sdkFilters(query.filters),
          },
        ),
        (page) =>
          page.LaunchTemplates?.map((t) => ({
            id: t.LaunchTemplateId ?? "",
            name: t.LaunchTemplateName ?? "",
            createTime: t.CreateTime ?? new Date(0),
            tags: tagsOf(t.Tags),
          })),
      ),
    );
  }

  deleteLaunchTemplate(name: string): Promise<void> {
    return mapped(async () => {
      await this.client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: name }));
    });
  }

  describeInstanceStatus(): Promise<InstanceStatus[]> {
    return mapped(() =>
      collect(paginateDescribeInstanceStatus({ client: this.client, pageSize: 1000 }, {}), (page) =>
        page.InstanceStatuses?.map((s) => ({
          instanceId: s.InstanceId ?? "",
          instanceStatus: s.InstanceStatus?.Status ?? "",
          systemStatus: s.SystemStatus?.Status ?? "",
          events: (s.Events ?? []).map((e) => ({ code: e.Code ?? "", description: e.Description ?? "" })),
        })),
      ),
    );
  }

  destroy(): void {
    this.client.destroy();
  }
}
