/**
 * The EC2-shaped port: the EC2, SSM and IAM operations karpenter-provider-aws makes (aws:pkg/providers/*), as plain
 * typed calls over plain data. `adapters/aws/` implements it over the SDK v3 (paginating, retrying, mapping errors
 * to `ec2-errors.ts`); tests implement it in memory. `cloudprovider/aws/` is written against it alone, so its
 * decisions never see an SDK shape. Lists are whole: the implementation follows every page.
 */

/** An EC2 tag. */
export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** An EC2 Describe filter (`Filter.N.Name`, `Filter.N.Value.M`): e.g. `tag:karpenter.sh/nodeclaim`, `instance-state-name`. */
export interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

/** What to describe: by id, by filters, or both (EC2 ANDs them). */
export interface DescribeQuery {
  readonly ids?: readonly string[];
  readonly filters?: readonly Filter[];
}

/** The part of DescribeInstanceTypes' `InstanceTypeInfo` the capacity math reads. */
export interface InstanceTypeInfo {
  readonly instanceType: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  /** EC2's spelling: `x86_64`, `arm64`, `i386`, … */
  readonly architectures: readonly string[];
  /** `on-demand`, `spot`, `capacity-block`. */
  readonly supportedUsageClasses: readonly string[];
  readonly maxNetworkInterfaces: number;
  readonly ipv4AddressesPerInterface: number;
  readonly bareMetal: boolean;
  readonly burstable: boolean;
  readonly gpus: number;
}

/** One DescribeInstanceTypeOfferings row, `LocationType=availability-zone`. */
export interface InstanceTypeOffering {
  readonly instanceType: string;
  readonly zone: string;
}

/** One DescribeSpotPriceHistory row (`Linux/UNIX`). */
export interface SpotPrice {
  readonly instanceType: string;
  readonly zone: string;
  /** USD per hour. */
  readonly price: number;
  readonly timestamp: Date;
}

export interface Subnet {
  readonly id: string;
  readonly zone: string;
  readonly zoneId: string | undefined;
  readonly availableIpAddressCount: number;
  readonly tags: readonly Tag[];
}

export interface SecurityGroup {
  readonly id: string;
  readonly name: string;
  readonly tags: readonly Tag[];
}

export interface Image {
  readonly id: string;
  readonly name: string;
  /** EC2's spelling: `x86_64` or `arm64`. */
  readonly architecture: string;
  /** ISO 8601, as EC2 answers it. */
  readonly creationDate: string;
  readonly ownerId: string;
  readonly tags: readonly Tag[];
}

export type InstanceStateName = "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped";

export interface Instance {
  readonly id: string;
  readonly instanceType: string;
  readonly zone: string;
  readonly subnetId: string | undefined;
  readonly imageId: string;
  readonly state: InstanceStateName;
  /** `spot` when `InstanceLifecycle` says so, else `on-demand`. */
  readonly capacityType: "spot" | "on-demand";
  readonly launchTime: Date;
  readonly securityGroupIds: readonly string[];
  readonly tags: readonly Tag[];
}

/** An EBS volume of a launch template (EC2's LaunchTemplateEbsBlockDeviceRequest); unset members are EC2's defaults. */
export interface EbsBlockDevice {
  readonly deleteOnTermination?: boolean;
  readonly encrypted?: boolean;
  readonly volumeType?: string;
  readonly iops?: number;
  readonly throughput?: number;
  readonly kmsKeyId?: string;
  readonly snapshotId?: string;
  /** MiB/s, for a volume made from a snapshot. */
  readonly volumeInitializationRate?: number;
  /** Whole GiB, as EC2 takes it. */
  readonly volumeSizeGiB?: number;
}

export interface BlockDeviceMapping {
  readonly deviceName: string;
  readonly ebs: EbsBlockDevice;
}

/** The instance metadata service's settings (EC2's LaunchTemplateInstanceMetadataOptionsRequest). */
export interface MetadataOptions {
  readonly httpEndpoint: "enabled" | "disabled";
  /** Left out where the region does not support it. */
  readonly httpProtocolIpv6?: "enabled" | "disabled";
  readonly httpPutResponseHopLimit: number;
  readonly httpTokens: "required" | "optional";
}

/** What a launch template holds that Karpenter sets (aws:pkg/providers/launchtemplate `launchTemplateData`). */
export interface LaunchTemplateData {
  readonly imageId: string;
  readonly securityGroupIds: readonly string[];
  /** Base64, as EC2 takes it. */
  readonly userData: string;
  readonly instanceProfileName: string;
  /** Tags for the instances and volumes launched from it. */
  readonly instanceTags: readonly Tag[];
  /** Volumes; none leaves the image's own (the Custom AMI family). */
  readonly blockDeviceMappings?: readonly BlockDeviceMapping[];
  readonly metadataOptions?: MetadataOptions;
  /** CloudWatch detailed (1-minute) monitoring. */
  readonly detailedMonitoring?: boolean;
}

export interface LaunchTemplate {
  readonly id: string;
  readonly name: string;
  readonly createTime: Date;
  readonly tags: readonly Tag[];
}

export interface FleetOverride {
  readonly instanceType: string;
  readonly subnetId: string;
  /** Set for a spot fleet with a prioritized strategy. */
  readonly priority?: number;
  /** Overrides the template's image (one template per image is Karpenter's way; this is EC2's). */
  readonly imageId?: string;
}

/** CreateFleet `Type=instant`, `TotalTargetCapacity=1` as Karpenter sends it (aws:pkg/providers/instance/types.go). */
export interface FleetRequest {
  readonly capacityType: "spot" | "on-demand";
  /** Spot: `price-capacity-optimized`; on-demand: `lowest-price`. */
  readonly allocationStrategy: string;
  readonly launchTemplates: readonly {
    readonly launchTemplateName: string;
    readonly overrides: readonly FleetOverride[];
  }[];
  /** Tagged on the instance, its volumes and the fleet. */
  readonly tags: readonly Tag[];
  /** EC2's `ClientToken`: the same token and parameters replay the first answer. */
  readonly clientToken: string;
}

/** An override EC2 could not launch, with EC2's error code (`InsufficientInstanceCapacity`, …). */
export interface FleetError {
  readonly code: string;
  readonly message: string;
  readonly instanceType: string | undefined;
  readonly subnetId: string | undefined;
  readonly zone: string | undefined;
}

/** An instance a fleet launched, with the override it was launched from. */
export interface FleetInstance {
  readonly id: string;
  readonly instanceType: string;
  readonly subnetId: string | undefined;
  readonly zone: string | undefined;
}

export interface FleetResult {
  readonly instances: readonly FleetInstance[];
  readonly errors: readonly FleetError[];
}

export interface TerminatedInstance {
  readonly id: string;
  readonly previousState: InstanceStateName;
  readonly currentState: InstanceStateName;
}

/** One instance of a DescribeInstanceStatus answer: the fields Karpenter's instance-status controller reads. */
export interface InstanceStatus {
  readonly instanceId: string;
  /** `InstanceStatus.Status`: ok, impaired, insufficient-data, not-applicable, initializing. */
  readonly instanceStatus: string;
  /** `SystemStatus.Status`, the same values for the host. */
  readonly systemStatus: string;
  readonly events: readonly { readonly code: string; readonly description?: string }[];
}

export interface Ec2Port {
  describeInstanceTypes(): Promise<InstanceTypeInfo[]>;
  describeInstanceTypeOfferings(): Promise<InstanceTypeOffering[]>;
  /** Linux/UNIX prices since `startTime`, every page. */
  describeSpotPriceHistory(input: { startTime: Date; instanceTypes?: readonly string[] }): Promise<SpotPrice[]>;
  describeSubnets(query: DescribeQuery): Promise<Subnet[]>;
  describeSecurityGroups(query: DescribeQuery): Promise<SecurityGroup[]>;
  describeImages(query: DescribeQuery & { readonly owners?: readonly string[] }): Promise<Image[]>;
  describeInstances(query: DescribeQuery): Promise<Instance[]>;
  createFleet(request: FleetRequest): Promise<FleetResult>;
  terminateInstances(ids: readonly string[]): Promise<TerminatedInstance[]>;
  createTags(resourceIds: readonly string[], tags: readonly Tag[]): Promise<void>;
  createLaunchTemplate(name: string, data: LaunchTemplateData, tags: readonly Tag[]): Promise<LaunchTemplate>;
  describeLaunchTemplates(query: { names?: readonly string[]; filters?: readonly Filter[] }): Promise<LaunchTemplate[]>;
  /** Rejects with NotFound when there is no such template. */
  deleteLaunchTemplate(name: string): Promise<void>;
  /** Every running instance's status checks and scheduled events, every page. */
  describeInstanceStatus(): Promise<InstanceStatus[]>;
}

/** SSM Parameter Store reads: the EKS-optimized AMI ids by alias (aws:pkg/providers/ssm). */
export interface SsmPort {
  /** The parameter's value; rejects with NotFound when there is none. */
  getParameter(name: string): Promise<string>;
  /** The values of the parameters that exist, by name (`InvalidParameters` are left out). */
  getParameters(names: readonly string[]): Promise<Map<string, string>>;
}

export interface InstanceProfile {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  readonly roles: readonly string[];
  readonly tags: readonly Tag[];
}

/** The instance profiles Karpenter makes from an EC2NodeClass's `spec.role` (aws:pkg/providers/instanceprofile). */
export interface IamPort {
  /** Rejects with NotFound when there is none. */
  getInstanceProfile(name: string): Promise<InstanceProfile>;
  createInstanceProfile(input: { name: string; path: string; tags: readonly Tag[] }): Promise<InstanceProfile>;
  addRoleToInstanceProfile(profileName: string, roleName: string): Promise<void>;
  removeRoleFromInstanceProfile(profileName: string, roleName: string): Promise<void>;
  tagInstanceProfile(profileName: string, tags: readonly Tag[]): Promise<void>;
  deleteInstanceProfile(name: string): Promise<void>;
}

/** The AWS account as `cloudprovider/aws/` uses it. */
export interface AwsPorts {
  readonly ec2: Ec2Port;
  readonly ssm: SsmPort;
  readonly iam: IamPort;
}
