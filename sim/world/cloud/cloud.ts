// The world's EC2 account: instance types and offerings, zones, subnets, security groups, images, launch templates
// and instances, on the world's clock. Plain in-memory state with the rules EC2 enforces (ids that must exist,
// offerings that must be offered, client tokens that make a launch idempotent); the protocol layers in sim/aws/
// translate requests into these calls and the results back into EC2's shapes.
import type { Clock } from "../../../api/index.ts";
import { Capacity } from "./capacity.ts";
import type { WorldInstanceType } from "./catalog.ts";
import { CloudError } from "./cloud-error.ts";
import { eksOptimizedImages, publicParameters } from "./eks-images.ts";
import { IamAccount } from "./iam.ts";
import { IdSource } from "./ids.ts";
import {
  type BlockDevice,
  type CapacityType,
  type Instance,
  type InstanceStateName,
  instanceState,
} from "./instance.ts";
import { ParameterStore } from "./parameter-store.ts";
import { InstanceHealth } from "./instance-health.ts";
import { RequestFaults } from "./request-faults.ts";
import type { CloudScenario, ScenarioImage, ScenarioSubnet } from "./scenario.ts";
import { type SpotPrice, spotPriceAt } from "./spot-market.ts";
import { applyTags, type Tag } from "./tags.ts";

/** What a launch template holds (the part of LaunchTemplateData the world uses). */
export interface LaunchSpec {
  imageId?: string;
  instanceType?: string;
  securityGroupIds?: string[];
  userData?: string;
  instanceProfile?: string;
  /** Tags for the instances launched from it (TagSpecifications with ResourceType instance). */
  instanceTags?: Tag[];
  /** Volumes by device name, as given (`Ebs` members as strings, the wire's form): kept for callers to inspect. */
  blockDeviceMappings?: { deviceName: string; ebs: Record<string, string> }[];
  /** `MetadataOptions` members as given (HttpTokens, HttpPutResponseHopLimit, …). */
  metadataOptions?: Record<string, string>;
  /** `Monitoring.Enabled`. */
  detailedMonitoring?: boolean;
}

export interface LaunchTemplate {
  id: string;
  name: string;
  createdAt: number;
  version: number;
  spec: LaunchSpec;
  tags: Tag[];
}

/** One placement of one or more instances: everything resolved. */
export interface Placement {
  instanceType: string;
  subnetId: string;
  imageId: string;
  capacityType: CapacityType;
  securityGroupIds: string[];
  userData?: string;
  instanceProfile?: string;
  tags: Tag[];
  clientToken?: string;
  blockDevices?: BlockDevice[];
}

export interface StateChange {
  instanceId: string;
  previous: InstanceStateName;
  current: InstanceStateName;
}

/** Told of every launch and termination, as they happen (EventBridge's state-change notifications start here). */
export type InstanceListener = (change: { instance: Instance; current: InstanceStateName }) => void;

export class Cloud {
  readonly scenario: CloudScenario;
  readonly clock: Clock;
  readonly ids = new IdSource();
  readonly iam: IamAccount;
  readonly ssm = new ParameterStore();
  readonly #types: Map<string, WorldInstanceType>;
  readonly #instances = new Map<string, Instance>();
  readonly #templates = new Map<string, LaunchTemplate>();
  readonly #idempotent = new Map<string, { fingerprint: string; result: unknown }>();
  readonly #unoffered: Set<string>;
  readonly #listeners: InstanceListener[] = [];
  /** vCPUs of the instances not terminated, per capacity type (the vCPU limit's count), kept as they change. */
  readonly #vcpusInUse: Record<CapacityType, number> = { "on-demand": 0, spot: 0 };
  /** Offerings out of capacity and the account's vCPU limits, changed on demand. */
  readonly capacity: Capacity;
  /** Throttling, outages, slow answers and duplicate deliveries at the API's door, armed on demand. */
  readonly faults = new RequestFaults();
  /** Impaired status checks and scheduled events (DescribeInstanceStatus). */
  readonly health = new InstanceHealth();

  constructor(options: { scenario: CloudScenario; instanceTypes: WorldInstanceType[]; clock: Clock }) {
    this.clock = options.clock;
    this.scenario = withEksImages(options.scenario, this.ssm, this.now);
    this.iam = iamOf(options.scenario, () => this.now);
    this.#types = new Map(options.instanceTypes.map((type) => [type.name, type]));
    this.#unoffered = new Set(options.scenario.unoffered.map((o) => `${o.instanceType}@${o.zone}`));
    this.capacity = new Capacity(options.scenario);
  }

  /** Calls `listener` on every launch and termination from now on. */
  subscribe(listener: InstanceListener): void {
    this.#listeners.push(listener);
  }

  #notify(instance: Instance): void {
    const current = this.stateOf(instance);
    for (const listener of this.#listeners) listener({ instance, current });
  }

  /** The spot price of an offering now (sim/world/cloud/spot-market.ts). */
  spotPrice(instanceType: WorldInstanceType, zone: string, at = this.now): SpotPrice {
    return spotPriceAt(this.scenario.spotPriceSeed, instanceType, zone, at);
  }

  get now(): number {
    return this.clock.now().getTime();
  }

  /** Every instance type, in the catalog's (name) order. */
  instanceTypes(): WorldInstanceType[] {
    return [...this.#types.values()];
  }

  instanceType(name: string): WorldInstanceType | undefined {
    return this.#types.get(name);
  }

  isOffered(instanceType: string, zone: string): boolean {
    return this.#types.has(instanceType) && !this.#unoffered.has(`${instanceType}@${zone}`);
  }

  subnet(id: string): ScenarioSubnet {
    const subnet = this.scenario.subnets.find((s) => s.id === id);
    if (!subnet) throw new CloudError("InvalidSubnetID.NotFound", `The subnet ID '${id}' does not exist`);
    return subnet;
  }

  /** Where a launch that names no subnet goes (EC2 uses the default VPC's subnet; the scenario's first here). */
  defaultSubnet(): ScenarioSubnet {
    const [first] = this.scenario.subnets;
    if (!first) throw new CloudError("MissingInput", "No subnets found for the default VPC. Please specify a subnet.");
    return first;
  }

  image(id: string): ScenarioImage {
    const image = this.scenario.images.find((i) => i.id === id);
    if (!image) throw new CloudError("InvalidAMIID.NotFound", `The image id '[${id}]' does not exist`);
    return image;
  }

  stateOf(instance: Instance): InstanceStateName {
    return instanceState(instance, this.now, this.scenario);
  }

  /** Instances DescribeInstances can see: terminated ones drop out after `terminatedVisibleMs`. */
  instances(): Instance[] {
    const now = this.now;
    return [...this.#instances.values()].filter((i) => this.#visible(i, now));
  }

  #visible(instance: Instance, now: number): boolean {
    const horizon = this.scenario.shuttingDownMs + this.scenario.terminatedVisibleMs;
    return instance.terminatedAt === undefined || now < instance.terminatedAt + horizon;
  }

  instance(id: string): Instance {
    const instance = this.#instances.get(id);
    if (!instance || !this.#visible(instance, this.now)) {
      throw new CloudError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
    }
    return instance;
  }

  /**
   * What the Describe calls see: EC2 is eventually consistent, so an instance stays missing for `describeLagMs`
   * after its launch (aws:pkg/providers/instance retries its Get for this reason).
   */
  describableInstances(): Instance[] {
    const seenFrom = this.now - this.scenario.describeLagMs;
    return this.instances().filter((i) => i.launchedAt <= seenFrom);
  }

  describableInstance(id: string): Instance {
    const instance = this.instance(id);
    if (instance.launchedAt > this.now - this.scenario.describeLagMs) {
      throw new CloudError("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
    }
    return instance;
  }

  /**
   * Runs `f` once per client token: a repeat with the same fingerprint (the request's other parameters) gets the
   * first result again; a repeat with other parameters is EC2's IdempotentParameterMismatch.
   */
  idempotent<T>(clientToken: string | undefined, fingerprint: string, f: () => T): T {
    if (clientToken === undefined) return f();
    const earlier = this.#idempotent.get(clientToken);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        throw new CloudError(
          "IdempotentParameterMismatch",
          `The client token '${clientToken}' was already used with different request parameters.`,
        );
      }
      return earlier.result as T;
    }
    const result = f();
    this.#idempotent.set(clientToken, { fingerprint, result });
    return result;
  }

  /** Checks a placement's references; throws EC2's error for the first that does not hold. */
  checkPlacement(placement: Placement): void {
    const type = this.#types.get(placement.instanceType);
    if (!type)
      throw new CloudError("InvalidParameterValue", `Invalid value '${placement.instanceType}' for InstanceType.`);
    const subnet = this.subnet(placement.subnetId);
    const image = this.image(placement.imageId);
    const arch = type.arch === "arm64" ? "arm64" : "x86_64";
    if (image.architecture !== arch) {
      throw new CloudError(
        "InvalidParameterValue",
        `The architecture '${arch}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI.`,
      );
    }
    for (const id of placement.securityGroupIds) {
      if (!this.scenario.securityGroups.some((g) => g.id === id)) {
        throw new CloudError("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
      }
    }
    if (!this.isOffered(type.name, subnet.zone)) {
      throw new CloudError(
        "Unsupported",
        `Your requested instance type (${type.name}) is not supported in your requested Availability Zone (${subnet.zone}).`,
      );
    }
  }

  /** Launches `count` instances of one placement as one reservation (checked first, capacity and limits too). */
  launch(placement: Placement, count: number): Instance[] {
    this.checkPlacement(placement);
    const type = this.#types.get(placement.instanceType);
    if (!type)
      throw new CloudError("InvalidParameterValue", `Invalid value '${placement.instanceType}' for InstanceType.`);
    const subnet = this.subnet(placement.subnetId);
    const { capacityType } = placement;
    this.capacity.check(
      { instanceType: type.name, zone: subnet.zone, capacityType, vcpus: type.vcpu, count },
      this.#vcpusInUse[capacityType],
    );
    this.#vcpusInUse[capacityType] += type.vcpu * count;
    const priceUsd = capacityType === "spot" ? this.spotPrice(type, subnet.zone).priceUsd : type.onDemandUsd;
    const reservationId = this.ids.hex17("r");
    const launched: Instance[] = [];
    for (let index = 0; index < count; index++) {
      const serial = this.#instances.size + 1;
      const instance: Instance = {
        id: this.ids.hex17("i"),
        reservationId,
        instanceType: type.name,
        architecture: type.arch === "arm64" ? "arm64" : "x86_64",
        zone: subnet.zone,
        subnetId: subnet.id,
        vpcId: this.scenario.vpcId,
        imageId: placement.imageId,
        capacityType: placement.capacityType,
        securityGroupIds: [...placement.securityGroupIds],
        userData: placement.userData,
        instanceProfile: placement.instanceProfile,
        privateIp: privateIp(subnet.cidr, serial),
        launchIndex: index,
        priceUsd,
        clientToken: placement.clientToken,
        tags: placement.tags.map((t) => ({ ...t })),
        ...(placement.blockDevices === undefined
          ? {}
          : { blockDevices: placement.blockDevices.map((d) => ({ ...d })) }),
        launchedAt: this.now,
      };
      this.#instances.set(instance.id, instance);
      launched.push(instance);
    }
    for (const instance of launched) this.#notify(instance);
    return launched;
  }

  /**
   * TerminateInstances: every id must exist (else nothing happens); terminating twice is harmless. `reason` is the
   * state reason EC2 records (the user's by default; the spot service's for an interruption).
   */
  terminate(ids: readonly string[], reason?: { code: string; message: string }): StateChange[] {
    const instances = ids.map((id) => this.instance(id));
    return instances.map((instance) => {
      const previous = this.stateOf(instance);
      if (instance.terminatedAt === undefined) {
        instance.terminatedAt = this.now;
        this.#vcpusInUse[instance.capacityType] -= this.#types.get(instance.instanceType)?.vcpu ?? 0;
        instance.terminationReason = reason;
        this.#notify(instance);
      }
      return { instanceId: instance.id, previous, current: this.stateOf(instance) };
    });
  }

  createLaunchTemplate(name: string, spec: LaunchSpec, tags: Tag[]): LaunchTemplate {
    if ([...this.#templates.values()].some((t) => t.name === name)) {
      throw new CloudError("InvalidLaunchTemplateName.AlreadyExistsException", `Launch template name already in use.`);
    }
    const template: LaunchTemplate = { id: this.ids.hex17("lt"), name, createdAt: this.now, version: 1, spec, tags };
    this.#templates.set(template.id, template);
    return template;
  }

  launchTemplate(by: { id?: string; name?: string }): LaunchTemplate {
    if (by.id !== undefined) {
      const template = this.#templates.get(by.id);
      if (!template)
        throw new CloudError(
          "InvalidLaunchTemplateId.NotFound",
          `The specified launch template, with template ID ${by.id}, does not exist.`,
        );
      return template;
    }
    const template = [...this.#templates.values()].find((t) => t.name === by.name);
    if (!template) {
      throw new CloudError(
        "InvalidLaunchTemplateName.NotFoundException",
        `The specified launch template, with template name ${by.name ?? ""}, does not exist.`,
      );
    }
    return template;
  }

  /** Every launch template, oldest first. */
  launchTemplates(): LaunchTemplate[] {
    return [...this.#templates.values()];
  }

  /** DeleteLaunchTemplate: by id or name, with the NotFound errors of `launchTemplate`. */
  deleteLaunchTemplate(by: { id?: string; name?: string }): LaunchTemplate {
    const template = this.launchTemplate(by);
    this.#templates.delete(template.id);
    return template;
  }

  /** CreateTags: every resource must exist (instances, subnets, security groups, images, launch templates). */
  createTags(resourceIds: readonly string[], tags: readonly Tag[]): void {
    const targets = resourceIds.map((id) => this.#taggable(id));
    for (const target of targets) applyTags(target, tags);
  }

  #taggable(id: string): Tag[] {
    if (id.startsWith("i-")) return this.instance(id).tags;
    if (id.startsWith("subnet-")) return this.subnet(id).tags;
    if (id.startsWith("ami-")) return this.image(id).tags;
    if (id.startsWith("lt-")) return this.launchTemplate({ id }).tags;
    const group = this.scenario.securityGroups.find((g) => g.id === id);
    if (group) return group.tags;
    throw new CloudError("InvalidID", `The ID '${id}' is not valid`);
  }
}

/**
 * The scenario with the EKS-optimized images of its Kubernetes versions added (an image the scenario already
 * names keeps its id), and their public parameters plus the scenario's own in `ssm`.
 */
function withEksImages(scenario: CloudScenario, ssm: ParameterStore, now: number): CloudScenario {
  const images = [...scenario.images];
  const eks = eksOptimizedImages(scenario.kubernetesVersions, scenario.imageReleases).map((generated) => {
    const named = images.find((i) => i.name === generated.image.name);
    if (!named) images.push(generated.image);
    return named ? { ...generated, image: named } : generated;
  });
  for (const parameter of publicParameters(eks, scenario.region, now)) ssm.put(parameter);
  for (const { name, value } of scenario.parameters) {
    ssm.put({
      name,
      value,
      type: "String",
      dataType: "text",
      version: 1,
      lastModified: now,
      arn: `arn:aws:ssm:${scenario.region}:${scenario.accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`,
    });
  }
  return { ...scenario, images };
}

function iamOf(scenario: CloudScenario, now: () => number): IamAccount {
  const iam = new IamAccount(scenario.accountId, now);
  for (const role of scenario.roles) iam.createRole(role);
  for (const profile of scenario.instanceProfiles) {
    iam.createInstanceProfile(profile.name, profile.path);
    if (profile.role !== undefined) iam.addRoleToInstanceProfile(profile.name, profile.role);
  }
  return iam;
}

/** The serial-th address in the subnet's CIDR, skipping the four addresses AWS reserves at its start. */
function privateIp(cidr: string, serial: number): string {
  const [a = 0, b = 0, c = 0, d = 0] = (cidr.split("/")[0] ?? "").split(".").map(Number);
  const n = ((a << 24) | (b << 16) | (c << 8) | d) + 4 + serial;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
