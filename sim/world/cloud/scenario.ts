// What a world's AWS account holds before anything is launched: the region and its zones, a VPC's subnets and
// security groups tagged for Karpenter's discovery (`karpenter.sh/discovery: <cluster>`, as the getting-started
// guide tags them), and EKS-optimized images. A scenario overrides any of it; these defaults are what tests and
// `poolkeeper sim` start from.
import { DEFAULT_RELEASES, EKS_IMAGE_OWNER, type ImageReleases } from "./eks-images.ts";
import { type CapacityScenario, defaultCapacityScenario } from "./capacity.ts";
import type { EventBridgeScenario } from "./event-bridge.ts";
import type { Tag } from "./tags.ts";

export interface ScenarioZone {
  name: string;
  id: string;
}

export interface ScenarioSubnet {
  id: string;
  zone: string;
  cidr: string;
  availableIps: number;
  tags: Tag[];
}

export interface ScenarioSecurityGroup {
  id: string;
  name: string;
  description: string;
  tags: Tag[];
}

export interface ScenarioImage {
  id: string;
  name: string;
  /** EC2's spelling: x86_64 or arm64. */
  architecture: "x86_64" | "arm64";
  ownerId: string;
  ownerAlias?: string;
  description: string;
  creationDate: string;
  tags: Tag[];
  /** `windows` for Windows images; Linux images have no platform. */
  platform?: "windows";
}

export interface ScenarioInstanceProfile {
  name: string;
  path?: string;
  /** The role it carries (an instance profile holds at most one). */
  role?: string;
}

export interface CloudScenario extends CapacityScenario, EventBridgeScenario {
  accountId: string;
  region: string;
  clusterName: string;
  vpcId: string;
  zones: ScenarioZone[];
  subnets: ScenarioSubnet[];
  securityGroups: ScenarioSecurityGroup[];
  images: ScenarioImage[];
  /** Kubernetes minor versions whose EKS-optimized images (and SSM parameters naming them) the region has. */
  kubernetesVersions: string[];
  imageReleases: ImageReleases;
  /** IAM roles of the account, and the ones the cluster admits as nodes (EKS access entries / aws-auth mapRoles). */
  roles: string[];
  admittedRoles: string[];
  instanceProfiles: ScenarioInstanceProfile[];
  /** The account's own SSM parameters (e.g. an image id for an `ssmParameter` AMI selector term). */
  parameters: { name: string; value: string }[];
  /** Offerings (instance type in zone) the region lacks; every other type is offered in every zone. */
  unoffered: { instanceType: string; zone: string }[];
  /**
   * The instance types the region has, by name; every type of the catalog when absent. A small region makes a
   * controller's discovery (DescribeInstanceTypes, its offerings, spot prices) a few types' work instead of 1,364.
   */
  instanceTypes?: string[];
  /** Simulated time an instance spends pending before it runs, and shutting down before it is terminated. */
  pendingMs: number;
  shuttingDownMs: number;
  /** How long a terminated instance stays visible to DescribeInstances (about an hour on EC2). */
  terminatedVisibleMs: number;
}

export function defaultScenario(overrides: Partial<CloudScenario> = {}): CloudScenario {
  const clusterName = overrides.clusterName ?? "sim";
  const region = overrides.region ?? "us-west-2";
  const discovery: Tag = { key: "karpenter.sh/discovery", value: clusterName };
  const zones = ["a", "b", "c"].map((letter, i) => ({ name: `${region}${letter}`, id: `usw2-az${i + 1}` }));
  const image = (id: string, name: string, architecture: "x86_64" | "arm64", description: string): ScenarioImage => ({
    id,
    name,
    architecture,
    ownerId: EKS_IMAGE_OWNER,
    ownerAlias: "amazon",
    description,
    creationDate: "2025-11-20T00:00:00.000Z",
    tags: [],
  });
  return {
    accountId: "111122223333",
    region,
    clusterName,
    vpcId: "vpc-0a1b2c3d4e5f60718",
    zones,
    subnets: zones.map((zone, i) => ({
      id: `subnet-0${(i + 1).toString(16).padStart(16, "0")}`,
      zone: zone.name,
      cidr: `10.0.${(i + 1) * 32}.0/19`,
      availableIps: 8187,
      tags: [discovery, { key: "Name", value: `${clusterName}-private-${zone.name}` }],
    })),
    securityGroups: [
      {
        id: "sg-0000000000000a001",
        name: `eks-cluster-sg-${clusterName}`,
        description: "EKS created security group applied to ENI that is attached to EKS Control Plane master nodes",
        tags: [discovery, { key: `kubernetes.io/cluster/${clusterName}`, value: "owned" }],
      },
      { id: "sg-0000000000000a002", name: "default", description: "default VPC security group", tags: [] },
    ],
    images: [
      image(
        "ami-0a00000000000a023",
        "amazon-eks-node-al2023-x86_64-standard-1.34-v20251120",
        "x86_64",
        "EKS-optimized Kubernetes node based on Amazon Linux 2023, (k8s: 1.34.1, containerd: 2.1.*)",
      ),
      image(
        "ami-0a00000000000b023",
        "amazon-eks-node-al2023-arm64-standard-1.34-v20251120",
        "arm64",
        "EKS-optimized Kubernetes node based on Amazon Linux 2023, (k8s: 1.34.1, containerd: 2.1.*)",
      ),
      image(
        "ami-0b00000000000a0b0",
        "bottlerocket-aws-k8s-1.34-x86_64-v1.50.0-3b3a5d2f",
        "x86_64",
        "bottlerocket-aws-k8s-1.34-x86_64-v1.50.0-3b3a5d2f",
      ),
      image(
        "ami-0b00000000000b0b0",
        "bottlerocket-aws-k8s-1.34-aarch64-v1.50.0-3b3a5d2f",
        "arm64",
        "bottlerocket-aws-k8s-1.34-aarch64-v1.50.0-3b3a5d2f",
      ),
    ],
    kubernetesVersions: ["1.32", "1.33", "1.34", "1.35"],
    imageReleases: DEFAULT_RELEASES,
    // The getting-started guide's node role, and the instance profile its older versions created for it.
    roles: [`KarpenterNodeRole-${clusterName}`],
    admittedRoles: [`KarpenterNodeRole-${clusterName}`],
    instanceProfiles: [
      { name: `KarpenterNodeInstanceProfile-${clusterName}`, role: `KarpenterNodeRole-${clusterName}` },
    ],
    parameters: [],
    unoffered: [],
    pendingMs: 10_000,
    shuttingDownMs: 30_000,
    terminatedVisibleMs: 60 * 60_000,
    ...defaultCapacityScenario(),
    ...overrides,
  };
}
