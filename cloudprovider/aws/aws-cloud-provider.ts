/**
 * The AWS implementation of the CloudProvider interface over the EC2-shaped port (aws:pkg/cloudprovider/
 * cloudprovider.go and the providers it composes). One launch is one CreateFleet, made safe to repeat:
 *
 * 1. instances already tagged with the NodeClaim are looked up first (again after a short wait on the clock,
 *    since DescribeInstances is eventually consistent and a previous attempt may have launched one whose answer
 *    was lost); one found is returned instead of launching a second;
 * 2. the attempt number is recorded on the NodeClaim (annotation `poolkeeper.dev/launch-attempt`, through
 *    `recordLaunchAttempt`) before the call;
 * 3. the fleet's client token is a hash of (NodeClaim uid, attempt, request), so the SDK's own retry of a request
 *    whose answer was dropped replays EC2's first answer instead of launching again, while a later attempt with
 *    the same request is a new launch.
 *
 * Offerings an unfulfillable-capacity error names are marked unavailable for 3 minutes; the next attempt (the
 * NodeClaim is replaced, as Karpenter's InsufficientCapacityError asks) is planned without them.
 */
import {
  type AwsPorts,
  type EC2NodeClass,
  type Instance,
  isUnfulfillableCapacityCode,
  type LaunchTemplateData,
  type NodeClaim,
  type NodePool,
  NotFound,
  parseQuantity,
  type Subnet,
  type TimerClock,
} from "../../api/index.ts";
import type { AMIFamily } from "../ami-family.ts";
import { capacitySettingsOf, type CapacityOperatorOptions } from "../capacity-settings.ts";
import { defaultCatalog, type InstanceTypeCatalog } from "../catalog/catalog.ts";
import { LABEL_ARCH, LABEL_CAPACITY_TYPE, LABEL_INSTANCE_TYPE, LABEL_ZONE } from "../catalog/catalog-labels.ts";
import type { CloudProvider } from "../cloud-provider.ts";
import type { DriftReason } from "../drift-reason.ts";
import { CreateError, InsufficientCapacityError, NodeClaimNotFoundError, NodeClassNotReadyError } from "../errors.ts";
import type { InstanceType } from "../instance-type.ts";
import { launchedNodeClaim } from "../launched-node-claim.ts";
import type { CapacityType } from "../offering.ts";
import { bootstrapKubelet, bootstrapLabels, bootstrapTaints } from "./bootstrap-inputs.ts";
import { stableHash } from "./hash.ts";
import { resolveImages, type ResolvedImage } from "./images.ts";
import { ensureInstanceProfile } from "./instance-profile.ts";
import { InstanceTypeSource } from "./instance-types.ts";
import { planLaunch, type PlannedOverride } from "./launch-plan.ts";
import { blockDeviceMappingRequests, metadataOptionsRequest } from "./launch-template-options.ts";
import { LaunchTemplates } from "./launch-templates.ts";
import { resolveSecurityGroups, resolveSubnets, zonalSubnets } from "./network.ts";
import {
  ANNOTATION_NODE_CLASS_HASH,
  ANNOTATION_NODE_CLASS_HASH_VERSION,
  NODE_CLASS_HASH_VERSION,
  nodeClassHash,
} from "./node-class-hash.ts";
import {
  launchTags,
  LABEL_NODE_POOL,
  TAG_EKS_CLUSTER_NAME,
  TAG_NODE_CLAIM,
  TAG_NODE_CLASS,
  TAG_NODE_POOL,
  tagValue,
} from "./tags.ts";
import { UnavailableOfferings } from "./unavailable-offerings.ts";
import { userDataBase64 } from "./user-data/user-data.ts";

export const ANNOTATION_LAUNCH_ATTEMPT = "poolkeeper.dev/launch-attempt";

/** The cluster the nodes join. */
export interface ClusterEndpoint {
  readonly name: string;
  readonly endpoint: string;
  /** Base64 PEM. */
  readonly caBundle?: string | undefined;
  /** The service CIDR (AL2023 requires it). */
  readonly serviceCIDR?: string | undefined;
  /** kube-dns's ClusterIP, the kubelet's clusterDNS when the EC2NodeClass sets none. */
  readonly dnsIP?: string | undefined;
}

export interface AwsCloudProviderOptions {
  readonly ports: AwsPorts;
  readonly clock: TimerClock;
  readonly region: string;
  /** `1.34`: picks the AMIs an alias stands for. */
  readonly kubernetesVersion: string;
  readonly cluster: ClusterEndpoint;
  /** The EC2NodeClass a NodeClaim's `spec.nodeClassRef` names, from the controller's snapshot. */
  readonly nodeClass: (name: string) => EC2NodeClass | undefined;
  /** Writes the attempt number on the NodeClaim (annotation `poolkeeper.dev/launch-attempt`) before a launch. */
  readonly recordLaunchAttempt?: (nodeClaim: NodeClaim, attempt: number) => Promise<void>;
  readonly catalog?: InstanceTypeCatalog;
  readonly operatorOptions?: CapacityOperatorOptions;
  /** Looks for a previous attempt's instance this many times (default 3), this far apart (default 1 s). */
  readonly lookupAttempts?: number;
  readonly lookupIntervalMs?: number;
  /** How long resolved subnets, security groups, AMIs and the instance profile are reused (default 1 min). */
  readonly resolutionTtlMs?: number;
}

interface Resolved {
  readonly at: number;
  readonly key: string;
  readonly subnets: readonly Subnet[];
  readonly securityGroupIds: readonly string[];
  readonly images: readonly ResolvedImage[];
  readonly instanceProfile: string;
}

const LIVE_STATES = ["pending", "running", "stopping", "stopped"];

function sleep(clock: TimerClock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.afterFunc(ms, resolve));
}

/** `aws:///us-west-2a/i-0123…` → `i-0123…` (the last path segment, as Karpenter's `ParseInstanceID`). */
export function instanceIdOf(providerID: string): string {
  const match = /^aws:\/\/\/[^/]*\/(i-[0-9a-f]+)$/.exec(providerID);
  if (match?.[1] === undefined)
    throw new NodeClaimNotFoundError(`parsing instance id from provider id "${providerID}"`);
  return match[1];
}

export class AwsCloudProvider implements CloudProvider {
  readonly #o: AwsCloudProviderOptions;
  readonly unavailableOfferings: UnavailableOfferings;
  readonly instanceTypes: InstanceTypeSource;
  readonly launchTemplates: LaunchTemplates;
  readonly #resolved = new Map<string, Resolved>();
  // One resolution per EC2NodeClass at a time: launches for two pools of one class would otherwise both find the
  // instance profile missing and both create it (IAM answers the second with EntityAlreadyExists).
  readonly #resolving = new Map<string, { key: string; done: Promise<Resolved> }>();

  constructor(options: AwsCloudProviderOptions) {
    this.#o = options;
    this.unavailableOfferings = new UnavailableOfferings(options.clock);
    this.instanceTypes = new InstanceTypeSource({
      ec2: options.ports.ec2,
      catalog: options.catalog ?? defaultCatalog(),
      clock: options.clock,
      region: options.region,
      isUnavailable: (type, zone, capacityType) => this.unavailableOfferings.isUnavailable(type, zone, capacityType),
      unavailableUntil: (type, zone, capacityType) =>
        this.unavailableOfferings.unavailableUntil(type, zone, capacityType),
      unavailableVersion: () => this.unavailableOfferings.liveEntries().join(","),
    });
    this.launchTemplates = new LaunchTemplates({
      ec2: options.ports.ec2,
      clock: options.clock,
      clusterName: options.cluster.name,
    });
  }

  markUnavailable(instanceType: string, zone: string, capacityType: CapacityType, _reason: string): void {
    this.unavailableOfferings.markUnavailable(instanceType, zone, capacityType);
  }

  /** Replaces a type's memory estimate under an EC2NodeClass with what a registered node reports. */
  recordObservedCapacity(instanceType: string, nodeClass: EC2NodeClass, memory: string): void {
    this.instanceTypes.recordObservedMemory(instanceType, nodeClassHash(nodeClass), parseQuantity(memory));
  }

  async getInstanceTypes(_nodePool: NodePool, nodeClass: EC2NodeClass): Promise<InstanceType[]> {
    const resolved = await this.#resolve(nodeClass);
    return this.#instanceTypes(nodeClass, resolved.subnets);
  }

  #instanceTypes(nodeClass: EC2NodeClass, subnets: readonly Subnet[], names?: ReadonlySet<string>): InstanceType[] {
    const zones = new Map(subnets.map((s) => [s.zone, { zone: s.zone, zoneId: s.zoneId }]));
    const settings = capacitySettingsOf(nodeClass, this.#o.operatorOptions);
    return this.instanceTypes.list([...zones.values()], settings, nodeClassHash(nodeClass), names);
  }

  async #resolve(nodeClass: EC2NodeClass): Promise<Resolved> {
    const name = nodeClass.metadata.name ?? "";
    const key = stableHash(nodeClass.spec);
    const now = this.#o.clock.now().getTime();
    const cached = this.#resolved.get(name);
    if (cached !== undefined && cached.key === key && now - cached.at < (this.#o.resolutionTtlMs ?? 60_000)) {
      return cached;
    }
    const inFlight = this.#resolving.get(name);
    if (inFlight !== undefined && inFlight.key === key) return inFlight.done;
    const done = this.#resolveNow(nodeClass, key, now);
    this.#resolving.set(name, { key, done });
    try {
      return await done;
    } finally {
      if (this.#resolving.get(name)?.done === done) this.#resolving.delete(name);
    }
  }

  async #resolveNow(nodeClass: EC2NodeClass, key: string, now: number): Promise<Resolved> {
    const name = nodeClass.metadata.name ?? "";
    const { ports, cluster, region, kubernetesVersion } = this.#o;
    const [subnets, groups, images, instanceProfile] = await Promise.all([
      resolveSubnets(ports.ec2, nodeClass),
      resolveSecurityGroups(ports.ec2, nodeClass),
      resolveImages(ports, nodeClass, kubernetesVersion),
      ensureInstanceProfile(ports.iam, { name: cluster.name, region }, nodeClass),
    ]);
    const resolved = {
      at: now,
      key,
      subnets,
      securityGroupIds: groups.map((g) => g.id).sort(),
      images,
      instanceProfile,
    };
    this.#resolved.set(name, resolved);
    return resolved;
  }

  #nodeClassOf(nodeClaim: NodeClaim): EC2NodeClass {
    const name = nodeClaim.spec?.nodeClassRef.name ?? "";
    const nodeClass = this.#o.nodeClass(name);
    if (nodeClass === undefined) throw new NodeClassNotReadyError(`EC2NodeClass "${name}" not found`);
    return nodeClass;
  }

  async create(nodeClaim: NodeClaim): Promise<NodeClaim> {
    const nodeClass = this.#nodeClassOf(nodeClaim);
    const resolved = await this.#resolve(nodeClass);
    const recorded = Number(nodeClaim.metadata.annotations?.[ANNOTATION_LAUNCH_ATTEMPT] ?? "0");
    const previous = Number.isSafeInteger(recorded) && recorded > 0 ? recorded : 0;
    if (previous > 0) {
      const existing = await this.#findLaunched(nodeClaim);
      if (existing !== undefined) return this.#toLaunched(nodeClaim, nodeClass, resolved, existing);
    }
    const names = new Set(
      (nodeClaim.spec?.requirements ?? [])
        .filter((r) => r.key === LABEL_INSTANCE_TYPE && r.operator === "In")
        .flatMap((r) => r.values ?? []),
    );
    const types = this.#instanceTypes(nodeClass, resolved.subnets, names.size > 0 ? names : undefined);
    const plan = planLaunch(nodeClaim, types, zonalSubnets(resolved.subnets));
    const family = capacitySettingsOf(nodeClass, this.#o.operatorOptions).amiFamily;
    const tags = launchTags(this.#o.cluster.name, nodeClaim, nodeClass);
    const templates = await this.#ensureTemplates(
      nodeClaim,
      nodeClass,
      resolved,
      plan.overrides,
      plan.capacityType,
      family,
    );
    const request = {
      capacityType: plan.capacityType,
      allocationStrategy: plan.allocationStrategy,
      launchTemplates: [...templates].map(([launchTemplateName, overrides]) => ({
        launchTemplateName,
        overrides: overrides.map((o) => ({ instanceType: o.instanceType.name, subnetId: o.subnet.id })),
      })),
      tags,
    };
    const attempt = previous + 1;
    await this.#o.recordLaunchAttempt?.(nodeClaim, attempt);
    const clientToken = stableHash({ uid: nodeClaim.metadata.uid ?? nodeClaim.metadata.name, attempt, request }).slice(
      0,
      64,
    );
    let result;
    try {
      result = await this.#o.ports.ec2.createFleet({ ...request, clientToken });
    } catch (error) {
      throw new CreateError(
        `creating fleet request, ${String(error)}`,
        { reason: "FleetRequestFailed", message: String(error) },
        { cause: error },
      );
    }
    const zoneOfSubnet = new Map(resolved.subnets.map((s) => [s.id, s.zone]));
    for (const error of result.errors) {
      const zone = error.zone ?? (error.subnetId === undefined ? undefined : zoneOfSubnet.get(error.subnetId));
      if (isUnfulfillableCapacityCode(error.code) && error.instanceType !== undefined && zone !== undefined) {
        this.unavailableOfferings.markUnavailable(error.instanceType, zone, plan.capacityType);
      }
    }
    const launched = result.instances[0];
    if (launched === undefined) {
      const message =
        [...new Set(result.errors.map((e) => `${e.code}: ${e.message}`))].join("; ") || "no instance launched";
      if (result.errors.length === 0 || result.errors.every((e) => isUnfulfillableCapacityCode(e.code))) {
        throw new InsufficientCapacityError(`creating fleet, ${message}`);
      }
      throw new CreateError(`creating fleet, ${message}`, { reason: "FleetRequestFailed", message });
    }
    const zone =
      launched.zone ?? (launched.subnetId === undefined ? undefined : zoneOfSubnet.get(launched.subnetId)) ?? "";
    const override = plan.overrides.find(
      (o) => o.instanceType.name === launched.instanceType && o.offering.zone === zone,
    );
    if (override === undefined)
      throw new CreateError(`fleet launched ${launched.instanceType} in ${zone}, which was not asked for`, {
        reason: "FleetRequestFailed",
        message: "unexpected instance",
      });
    const image = resolved.images.find(
      (i) => i.arch === override.instanceType.requirements.valuesFor(LABEL_ARCH).values[0],
    );
    return this.#annotated(
      launchedNodeClaim(nodeClaim, {
        instanceType: override.instanceType,
        offering: override.offering,
        providerID: `aws:///${zone}/${launched.id}`,
        ...(image === undefined ? {} : { imageID: image.id }),
      }),
      nodeClass,
    );
  }

  /** One launch template per (image, max pods), as Karpenter's resolver groups instance types. */
  async #ensureTemplates(
    nodeClaim: NodeClaim,
    nodeClass: EC2NodeClass,
    resolved: Resolved,
    overrides: readonly PlannedOverride[],
    capacityType: string,
    family: AMIFamily,
  ): Promise<Map<string, PlannedOverride[]>> {
    const { cluster } = this.#o;
    const groups = new Map<string, { data: LaunchTemplateData; overrides: PlannedOverride[] }>();
    const tags = launchTags(cluster.name, nodeClaim, nodeClass).filter((t) => t.key !== TAG_NODE_CLAIM);
    for (const override of overrides) {
      const arch = override.instanceType.requirements.valuesFor(LABEL_ARCH).values[0];
      const image = resolved.images.find((i) => i.arch === arch);
      if (image === undefined) continue;
      const maxPods = Number(override.instanceType.capacity.pods?.toNumber() ?? 110);
      const key = `${image.id}/${maxPods}`;
      let group = groups.get(key);
      if (group === undefined) {
        const userData = userDataBase64(
          family,
          {
            clusterName: cluster.name,
            clusterEndpoint: cluster.endpoint,
            clusterCIDR: cluster.serviceCIDR,
            caBundle: cluster.caBundle,
            kubelet: bootstrapKubelet(nodeClass, maxPods, cluster.dnsIP),
            taints: bootstrapTaints(nodeClaim),
            labels: bootstrapLabels(nodeClaim, nodeClass, capacityType, family),
            instanceStorePolicy: nodeClass.spec?.instanceStorePolicy,
          },
          nodeClass.spec?.userData,
        );
        const data: LaunchTemplateData = {
          imageId: image.id,
          securityGroupIds: resolved.securityGroupIds,
          userData,
          instanceProfileName: resolved.instanceProfile,
          instanceTags: tags,
          blockDeviceMappings: blockDeviceMappingRequests(nodeClass.spec, family),
          metadataOptions: metadataOptionsRequest(nodeClass.spec),
          detailedMonitoring: nodeClass.spec?.detailedMonitoring ?? false,
        };
        groups.set(key, (group = { data, overrides: [] }));
      }
      group.overrides.push(override);
    }
    if (groups.size === 0) {
      throw new CreateError("no AMI matches the architecture of any instance type", {
        reason: "NoCompatibleAMI",
        message: "no AMI for the instance types' architectures",
      });
    }
    const byName = new Map<string, PlannedOverride[]>();
    for (const group of groups.values()) {
      const name = await this.launchTemplates.ensure(group.data, nodeClass.metadata.name ?? "");
      byName.set(name, [...(byName.get(name) ?? []), ...group.overrides]);
    }
    return byName;
  }

  async #findLaunched(nodeClaim: NodeClaim): Promise<Instance | undefined> {
    const attempts = Math.max(1, this.#o.lookupAttempts ?? 3);
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(this.#o.clock, this.#o.lookupIntervalMs ?? 1_000);
      const found = await this.#o.ports.ec2.describeInstances({
        filters: [
          { name: `tag:${TAG_NODE_CLAIM}`, values: [nodeClaim.metadata.name ?? ""] },
          { name: `tag:${TAG_EKS_CLUSTER_NAME}`, values: [this.#o.cluster.name] },
          { name: "instance-state-name", values: LIVE_STATES },
        ],
      });
      const [first] = [...found].sort((a, b) => a.launchTime.getTime() - b.launchTime.getTime());
      if (first !== undefined) return first;
    }
    return undefined;
  }

  #toLaunched(nodeClaim: NodeClaim, nodeClass: EC2NodeClass, resolved: Resolved, instance: Instance): NodeClaim {
    const [type] = this.#instanceTypes(nodeClass, resolved.subnets, new Set([instance.instanceType]));
    const offering = type?.offerings.items.find(
      (o) => o.zone === instance.zone && o.capacityType === instance.capacityType,
    );
    if (type === undefined || offering === undefined) {
      throw new CreateError(
        `instance ${instance.id} of the NodeClaim is a ${instance.instanceType} in ${instance.zone}, which this EC2NodeClass does not offer`,
        { reason: "LaunchedInstanceUnknown", message: "unknown instance type or zone" },
      );
    }
    return this.#annotated(
      launchedNodeClaim(nodeClaim, {
        instanceType: type,
        offering,
        providerID: `aws:///${instance.zone}/${instance.id}`,
        imageID: instance.imageId,
      }),
      nodeClass,
    );
  }

  #annotated(nodeClaim: NodeClaim, nodeClass: EC2NodeClass): NodeClaim {
    nodeClaim.metadata.annotations = {
      ...nodeClaim.metadata.annotations,
      [ANNOTATION_NODE_CLASS_HASH]: nodeClassHash(nodeClass),
      [ANNOTATION_NODE_CLASS_HASH_VERSION]: NODE_CLASS_HASH_VERSION,
    };
    return nodeClaim;
  }

  async #instance(providerID: string): Promise<Instance> {
    const id = instanceIdOf(providerID);
    let instances: Instance[];
    try {
      instances = await this.#o.ports.ec2.describeInstances({ ids: [id] });
    } catch (error) {
      if (error instanceof NotFound) throw new NodeClaimNotFoundError(`instance ${id} not found`, { cause: error });
      throw error;
    }
    const instance = instances.find((i) => i.id === id);
    if (instance === undefined || instance.state === "terminated") {
      throw new NodeClaimNotFoundError(`instance ${id} not found`);
    }
    return instance;
  }

  async delete(nodeClaim: NodeClaim): Promise<void> {
    const instance = await this.#instance(nodeClaim.status?.providerID ?? "");
    // Terminating one already shutting down is a wasted call (Karpenter's `Delete` skips it too).
    if (instance.state !== "shutting-down") {
      try {
        await this.#o.ports.ec2.terminateInstances([instance.id]);
      } catch (error) {
        if (error instanceof NotFound)
          throw new NodeClaimNotFoundError(`instance ${instance.id} not found`, { cause: error });
        throw error;
      }
    }
  }

  async get(providerID: string): Promise<NodeClaim> {
    return instanceToNodeClaim(await this.#instance(providerID));
  }

  async list(): Promise<NodeClaim[]> {
    const instances = await this.#o.ports.ec2.describeInstances({
      filters: [
        { name: "tag-key", values: [TAG_NODE_POOL] },
        { name: "tag-key", values: [TAG_NODE_CLASS] },
        { name: `tag:${TAG_EKS_CLUSTER_NAME}`, values: [this.#o.cluster.name] },
        { name: "instance-state-name", values: [...LIVE_STATES, "shutting-down"] },
      ],
    });
    return instances.map(instanceToNodeClaim);
  }

  async isDrifted(
    nodeClaim: NodeClaim,
    _nodePool: NodePool,
    nodeClass: EC2NodeClass,
  ): Promise<DriftReason | undefined> {
    // The static hash first: it needs no API call (aws:pkg/cloudprovider/drift.go `isNodeClassDrifted`).
    const annotations = nodeClaim.metadata.annotations ?? {};
    if (
      annotations[ANNOTATION_NODE_CLASS_HASH_VERSION] === NODE_CLASS_HASH_VERSION &&
      annotations[ANNOTATION_NODE_CLASS_HASH] !== undefined &&
      annotations[ANNOTATION_NODE_CLASS_HASH] !== nodeClassHash(nodeClass)
    ) {
      return "NodeClassDrift";
    }
    const resolved = await this.#resolve(nodeClass);
    const instance = await this.#instance(nodeClaim.status?.providerID ?? "");
    if (!resolved.images.some((image) => image.id === instance.imageId)) return "AMIDrift";
    const groups = [...instance.securityGroupIds].sort();
    if (groups.join(",") !== resolved.securityGroupIds.join(",")) return "SecurityGroupDrift";
    if (instance.subnetId !== undefined && !resolved.subnets.some((s) => s.id === instance.subnetId))
      return "SubnetDrift";
    return undefined;
  }
}

/** A NodeClaim for an instance, for garbage collection (cloudprovider.go `instanceToNodeClaim`, the labels EC2 knows). */
export function instanceToNodeClaim(instance: Instance): NodeClaim {
  const labels: Record<string, string> = {
    [LABEL_INSTANCE_TYPE]: instance.instanceType,
    [LABEL_ZONE]: instance.zone,
    [LABEL_CAPACITY_TYPE]: instance.capacityType,
  };
  const nodePool = tagValue(instance.tags, TAG_NODE_POOL);
  if (nodePool !== undefined) labels[LABEL_NODE_POOL] = nodePool;
  const name = tagValue(instance.tags, TAG_NODE_CLAIM);
  return {
    apiVersion: "karpenter.sh/v1",
    kind: "NodeClaim",
    metadata: {
      ...(name === undefined ? {} : { name }),
      labels,
      creationTimestamp: instance.launchTime.toISOString(),
    },
    spec: {
      nodeClassRef: {
        group: "karpenter.k8s.aws",
        kind: "EC2NodeClass",
        name: tagValue(instance.tags, TAG_NODE_CLASS) ?? "",
      },
      requirements: [],
    },
    status: { providerID: `aws:///${instance.zone}/${instance.id}`, imageID: instance.imageId },
  };
}
