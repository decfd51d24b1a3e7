// An in-process AWS account behind the EC2-shaped port (api/ports/ec2.ts), for fast tests of cloudprovider/aws:
// instance types and offerings from the bundled catalog, spot prices a test sets, subnets, security groups,
// images, SSM parameters, instance profiles, launch templates, and CreateFleet as EC2 answers it (the cheapest
// valid override by spot or on-demand price; overrides the test marks as out of capacity reported per override
// with InsufficientInstanceCapacity; client tokens replayed). Faults a test arms: a dropped CreateFleet answer
// (the instance launches, the caller sees a network error) and DescribeInstances lag (a new instance stays
// invisible to the next N filtered Describes). Every call is recorded in `calls`.
import { readFileSync } from "node:fs";
import {
  type AwsPorts,
  type DescribeQuery,
  type Ec2Port,
  type FleetRequest,
  type FleetResult,
  type IamPort,
  IdempotentParameterMismatch,
  type Image,
  type Instance,
  type InstanceProfile,
  type LaunchTemplate,
  type LaunchTemplateData,
  NotFound,
  type SecurityGroup,
  type SpotPrice,
  type SsmPort,
  type Subnet,
  type Tag,
  AwsApiError,
} from "../../api/index.ts";

interface CatalogEntry {
  name: string;
  vcpu: number;
  memoryMiB: number;
  arch: "amd64" | "arm64";
  enis: number;
  ipv4PerEni: number;
  bareMetal: boolean;
  burstable: boolean;
  gpus: number;
  onDemandUsd: number;
}

const catalog = JSON.parse(
  readFileSync(new URL("../../data/ec2-instance-types.json", import.meta.url), "utf8"),
) as CatalogEntry[];

export const REGION = "us-west-2";
export const ZONES = [
  { zone: "us-west-2a", zoneId: "usw2-az1" },
  { zone: "us-west-2b", zoneId: "usw2-az2" },
];
export const SUBNETS: Subnet[] = ZONES.map((z, i) => ({
  id: `subnet-000000000000000${i + 1}`,
  zone: z.zone,
  zoneId: z.zoneId,
  availableIpAddressCount: 1000,
  tags: [{ key: "karpenter.sh/discovery", value: "test-cluster" }],
}));
export const SECURITY_GROUPS: SecurityGroup[] = [
  { id: "sg-000000000000000a1", name: "nodes", tags: [{ key: "karpenter.sh/discovery", value: "test-cluster" }] },
  { id: "sg-000000000000000a2", name: "other", tags: [] },
];
export const AL2023_AMD64 = "ami-0000000000000a023";
export const AL2023_ARM64 = "ami-0000000000000b023";
export const IMAGES: Image[] = [
  {
    id: AL2023_AMD64,
    name: "al2023-x86_64",
    architecture: "x86_64",
    creationDate: "2025-11-20T00:00:00.000Z",
    ownerId: "602401143452",
    tags: [],
  },
  {
    id: AL2023_ARM64,
    name: "al2023-arm64",
    architecture: "arm64",
    creationDate: "2025-11-20T00:00:00.000Z",
    ownerId: "602401143452",
    tags: [],
  },
  {
    id: "ami-0000000000000c023",
    name: "al2023-x86_64-next",
    architecture: "x86_64",
    creationDate: "2025-12-01T00:00:00.000Z",
    ownerId: "602401143452",
    tags: [],
  },
];
export const ssmPath = (arch: string) =>
  `/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/${arch}/standard/recommended/image_id`;

class NetworkError extends Error {
  override readonly name = "TimeoutError";
}

function matches(
  tags: readonly Tag[],
  query: DescribeQuery,
  extra: (name: string, values: readonly string[]) => boolean | undefined = () => undefined,
): boolean {
  return (query.filters ?? []).every((f) => {
    if (f.name.startsWith("tag:")) return tags.some((t) => t.key === f.name.slice(4) && f.values.includes(t.value));
    if (f.name === "tag-key") return tags.some((t) => f.values.includes(t.key));
    const answer = extra(f.name, f.values);
    if (answer === undefined) throw new AwsApiError("InvalidParameterValue", `unknown filter ${f.name}`);
    return answer;
  });
}

export class FakeAws implements AwsPorts {
  readonly calls: { op: string; input: unknown }[] = [];
  readonly spotPrices = new Map<string, number>();
  /** `type:zone:capacityType` keys CreateFleet answers InsufficientInstanceCapacity for. */
  readonly outOfCapacity = new Set<string>();
  readonly instances = new Map<string, Instance>();
  readonly launchTemplates = new Map<string, LaunchTemplate & { data: LaunchTemplateData }>();
  readonly parameters = new Map<string, string>([
    [ssmPath("x86_64"), AL2023_AMD64],
    [ssmPath("arm64"), AL2023_ARM64],
  ]);
  readonly profiles = new Map<string, InstanceProfile>();
  securityGroups = [...SECURITY_GROUPS];
  dropNextFleetAnswer = false;
  /** Filtered DescribeInstances calls a new instance stays invisible to. */
  describeLag = 0;
  readonly #lag = new Map<string, number>();
  readonly #tokens = new Map<string, { request: string; result: FleetResult }>();
  #serial = 0;
  readonly #now: () => Date;

  constructor(now: () => Date) {
    this.#now = now;
  }

  #record(op: string, input: unknown) {
    this.calls.push({ op, input });
  }

  count(op: string): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  readonly ec2: Ec2Port = {
    describeInstanceTypes: async () => {
      this.#record("DescribeInstanceTypes", {});
      return catalog.map((t) => ({
        instanceType: t.name,
        vcpus: t.vcpu,
        memoryMiB: t.memoryMiB,
        architectures: [t.arch === "arm64" ? "arm64" : "x86_64"],
        supportedUsageClasses: ["on-demand", "spot"],
        maxNetworkInterfaces: t.enis,
        ipv4AddressesPerInterface: t.ipv4PerEni,
        bareMetal: t.bareMetal,
        burstable: t.burstable,
        gpus: t.gpus,
      }));
    },
    describeInstanceTypeOfferings: async () => {
      this.#record("DescribeInstanceTypeOfferings", {});
      return catalog.flatMap((t) => ZONES.map((z) => ({ instanceType: t.name, zone: z.zone })));
    },
    describeSpotPriceHistory: async (input) => {
      this.#record("DescribeSpotPriceHistory", input);
      return [...this.spotPrices].map(([key, price]): SpotPrice => {
        const [instanceType = "", zone = ""] = key.split(":");
        return { instanceType, zone, price, timestamp: this.#now() };
      });
    },
    describeSubnets: async (query) => {
      this.#record("DescribeSubnets", query);
      return SUBNETS.filter((s) => (query.ids === undefined || query.ids.includes(s.id)) && matches(s.tags, query));
    },
    describeSecurityGroups: async (query) => {
      this.#record("DescribeSecurityGroups", query);
      return this.securityGroups.filter(
        (g) =>
          (query.ids === undefined || query.ids.includes(g.id)) &&
          matches(g.tags, query, (name, values) => (name === "group-name" ? values.includes(g.name) : undefined)),
      );
    },
    describeImages: async (query) => {
      this.#record("DescribeImages", query);
      return IMAGES.filter(
        (i) =>
          (query.ids === undefined || query.ids.includes(i.id)) &&
          matches(i.tags, query, (name, values) => (name === "name" ? values.includes(i.name) : undefined)),
      );
    },
    describeInstances: async (query) => {
      this.#record("DescribeInstances", query);
      if (query.ids !== undefined) {
        const missing = query.ids.find((id) => !this.instances.has(id));
        if (missing !== undefined)
          throw new NotFound("InvalidInstanceID.NotFound", `The instance ID '${missing}' does not exist`);
      }
      return [...this.instances.values()].filter((i) => {
        if (query.ids !== undefined && !query.ids.includes(i.id)) return false;
        if (query.ids === undefined) {
          const lag = this.#lag.get(i.id) ?? 0;
          if (lag > 0) {
            this.#lag.set(i.id, lag - 1);
            return false;
          }
        }
        return matches(i.tags, query, (name, values) =>
          name === "instance-state-name" ? values.includes(i.state) : undefined,
        );
      });
    },
    createFleet: async (request) => this.#createFleet(request),
    terminateInstances: async (ids) => {
      this.#record("TerminateInstances", ids);
      return ids.map((id) => {
        const instance = this.instances.get(id);
        if (instance === undefined)
          throw new NotFound("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
        this.instances.set(id, { ...instance, state: "shutting-down" });
        return { id, previousState: instance.state, currentState: "shutting-down" as const };
      });
    },
    createTags: async (ids, tags) => {
      this.#record("CreateTags", { ids, tags });
    },
    createLaunchTemplate: async (name, data, tags) => {
      this.#record("CreateLaunchTemplate", { name, data, tags });
      if (this.launchTemplates.has(name)) {
        throw new AwsApiError(
          "InvalidLaunchTemplateName.AlreadyExistsException",
          "Launch template name already in use.",
        );
      }
      const template = {
        id: `lt-${String(this.launchTemplates.size + 1).padStart(17, "0")}`,
        name,
        createTime: this.#now(),
        tags: [...tags],
        data,
      };
      this.launchTemplates.set(name, template);
      return template;
    },
    describeLaunchTemplates: async (query) => {
      this.#record("DescribeLaunchTemplates", query);
      return [...this.launchTemplates.values()].filter(
        (t) =>
          (query.names === undefined || query.names.includes(t.name)) &&
          matches(t.tags, { filters: query.filters ?? [] }),
      );
    },
    deleteLaunchTemplate: async (name) => {
      this.#record("DeleteLaunchTemplate", name);
      if (!this.launchTemplates.delete(name)) throw new NotFound("InvalidLaunchTemplateName.NotFoundException", name);
    },
    // The cloud provider never asks; the interruption controller's tests use the world's EC2.
    describeInstanceStatus: async () => {
      this.#record("DescribeInstanceStatus", {});
      return [];
    },
  };

  #createFleet(request: FleetRequest): FleetResult {
    this.#record("CreateFleet", request);
    const { clientToken: token, ...rest } = request;
    const fingerprint = JSON.stringify(rest);
    const earlier = this.#tokens.get(token);
    if (earlier !== undefined) {
      if (earlier.request !== fingerprint) throw new IdempotentParameterMismatch("IdempotentParameterMismatch", token);
      return earlier.result;
    }
    const errors: FleetResult["errors"][number][] = [];
    const candidates: {
      template: LaunchTemplate & { data: LaunchTemplateData };
      instanceType: string;
      subnet: Subnet;
      price: number;
    }[] = [];
    for (const config of request.launchTemplates) {
      const template = this.launchTemplates.get(config.launchTemplateName);
      if (template === undefined)
        throw new NotFound("InvalidLaunchTemplateName.NotFoundException", config.launchTemplateName);
      for (const o of config.overrides) {
        const subnet = SUBNETS.find((s) => s.id === o.subnetId);
        const type = catalog.find((t) => t.name === o.instanceType);
        if (subnet === undefined || type === undefined)
          throw new AwsApiError("InvalidParameterValue", JSON.stringify(o));
        if (this.outOfCapacity.has(`${o.instanceType}:${subnet.zone}:${request.capacityType}`)) {
          errors.push({
            code: "InsufficientInstanceCapacity",
            message: `no ${o.instanceType} capacity in ${subnet.zone}`,
            instanceType: o.instanceType,
            subnetId: subnet.id,
            zone: undefined,
          });
          continue;
        }
        const price =
          request.capacityType === "spot" ? this.spotPrices.get(`${o.instanceType}:${subnet.zone}`) : type.onDemandUsd;
        if (price === undefined) continue;
        candidates.push({ template, instanceType: o.instanceType, subnet, price });
      }
    }
    candidates.sort((a, b) => a.price - b.price);
    const chosen = candidates[0];
    const instances: FleetResult["instances"][number][] = [];
    if (chosen !== undefined) {
      const id = `i-${(++this.#serial).toString(16).padStart(17, "0")}`;
      this.instances.set(id, {
        id,
        instanceType: chosen.instanceType,
        zone: chosen.subnet.zone,
        subnetId: chosen.subnet.id,
        imageId: chosen.template.data.imageId,
        state: "pending",
        capacityType: request.capacityType,
        launchTime: this.#now(),
        securityGroupIds: [...chosen.template.data.securityGroupIds],
        tags: [
          ...chosen.template.data.instanceTags.filter((t) => !request.tags.some((r) => r.key === t.key)),
          ...request.tags,
        ],
      });
      if (this.describeLag > 0) this.#lag.set(id, this.describeLag);
      instances.push({ id, instanceType: chosen.instanceType, subnetId: chosen.subnet.id, zone: undefined });
    }
    const result = { instances, errors };
    this.#tokens.set(token, { request: fingerprint, result });
    if (this.dropNextFleetAnswer) {
      this.dropNextFleetAnswer = false;
      throw new NetworkError("the connection closed before the answer arrived");
    }
    return result;
  }

  readonly ssm: SsmPort = {
    getParameter: async (name) => {
      this.#record("GetParameter", name);
      const value = this.parameters.get(name);
      if (value === undefined) throw new NotFound("ParameterNotFound", name);
      return value;
    },
    getParameters: async (names) => {
      this.#record("GetParameters", names);
      return new Map(
        names.flatMap((n) => (this.parameters.has(n) ? [[n, this.parameters.get(n) ?? ""] as const] : [])),
      );
    },
  };

  readonly iam: IamPort = {
    getInstanceProfile: async (name) => {
      this.#record("GetInstanceProfile", name);
      const profile = this.profiles.get(name);
      if (profile === undefined) throw new NotFound("NoSuchEntity", `Instance Profile ${name} cannot be found.`);
      return profile;
    },
    createInstanceProfile: async (input) => {
      this.#record("CreateInstanceProfile", input);
      if (this.profiles.has(input.name)) {
        throw new AwsApiError("EntityAlreadyExists", `Instance Profile ${input.name} already exists.`);
      }
      const profile = {
        name: input.name,
        arn: `arn:aws:iam::111122223333:instance-profile${input.path}${input.name}`,
        path: input.path,
        roles: [],
        tags: [...input.tags],
      };
      this.profiles.set(input.name, profile);
      return profile;
    },
    addRoleToInstanceProfile: async (name, role) => {
      this.#record("AddRoleToInstanceProfile", { name, role });
      const profile = this.profiles.get(name);
      if (profile === undefined) throw new NotFound("NoSuchEntity", name);
      this.profiles.set(name, { ...profile, roles: [...profile.roles, role] });
    },
    removeRoleFromInstanceProfile: async (name, role) => {
      this.#record("RemoveRoleFromInstanceProfile", { name, role });
      const profile = this.profiles.get(name);
      if (profile === undefined) throw new NotFound("NoSuchEntity", name);
      this.profiles.set(name, { ...profile, roles: profile.roles.filter((r) => r !== role) });
    },
    tagInstanceProfile: async (name, tags) => {
      this.#record("TagInstanceProfile", { name, tags });
    },
    deleteInstanceProfile: async (name) => {
      this.#record("DeleteInstanceProfile", name);
      this.profiles.delete(name);
    },
  };
}
