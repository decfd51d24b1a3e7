// The CloudProvider in process over the simulated world's EC2 (sim/world/cloud): what termination and interruption
// need of it — delete (TerminateInstances until the instance is gone), get, markUnavailable — plus a create that
// launches into the world with Karpenter's own AL2023 user data, so the world's node registration boots it into a
// Node after its boot delay. It stands for cloudprovider/aws over the wire where a test wants speed; the AWS
// provider itself is judged against the same world in test/cloudprovider/aws/.
import type { EC2NodeClass, NodeClaim, NodePool } from "../../api/index.ts";
import type { CloudProvider, InstanceType } from "../../cloudprovider/index.ts";
import { NodeClaimNotFoundError } from "../../cloudprovider/index.ts";
import type { Cloud } from "../../sim/world/cloud/index.ts";
import type { CapacityType } from "../../cloudprovider/index.ts";
import { karpenterUserData } from "../sim/world/node-registration/boot-world.ts";

const instanceIdOf = (providerID: string | undefined) => providerID?.split("/").at(-1) ?? "";

export class WorldCloudProvider implements CloudProvider {
  readonly #cloud: Cloud;
  /** Every markUnavailable call, in order. */
  readonly unavailable: { instanceType: string; zone: string; capacityType: CapacityType; reason: string }[] = [];
  /** Every instance id `delete` asked the world to terminate. */
  readonly terminated: string[] = [];

  constructor(cloud: Cloud) {
    this.#cloud = cloud;
  }

  /** Launches one instance of the claim's first instance type, capacity type and zone (its requirements' first values). */
  async create(nodeClaim: NodeClaim): Promise<NodeClaim> {
    const first = (key: string, fallback: string) =>
      nodeClaim.spec.requirements.find((r) => r.key === key)?.values?.[0] ?? fallback;
    const zone = first("topology.kubernetes.io/zone", this.#cloud.scenario.zones[0]?.name ?? "");
    const subnet = this.#cloud.scenario.subnets.find((s) => s.zone === zone);
    const capacityType = first("karpenter.sh/capacity-type", "on-demand") as "spot" | "on-demand";
    const instanceType = first("node.kubernetes.io/instance-type", "m5.large");
    const [instance] = this.#cloud.launch(
      {
        instanceType,
        subnetId: subnet?.id ?? "",
        imageId: "ami-0a00000000000a023",
        capacityType,
        securityGroupIds: [],
        tags: [],
        instanceProfile: `KarpenterNodeInstanceProfile-${this.#cloud.scenario.clusterName}`,
        userData: karpenterUserData("al2023_userdata_unmerged.golden"),
      },
      1,
    );
    if (instance === undefined) throw new Error("nothing launched");
    return {
      ...nodeClaim,
      metadata: {
        ...nodeClaim.metadata,
        labels: {
          ...nodeClaim.metadata.labels,
          "node.kubernetes.io/instance-type": instance.instanceType,
          "topology.kubernetes.io/zone": instance.zone,
          "karpenter.sh/capacity-type": instance.capacityType,
        },
      },
      status: { ...nodeClaim.status, providerID: `aws:///${instance.zone}/${instance.id}` },
    };
  }

  async delete(nodeClaim: NodeClaim): Promise<void> {
    const id = instanceIdOf(nodeClaim.status?.providerID);
    const instance = this.#cloud.instances().find((i) => i.id === id);
    if (instance === undefined || this.#cloud.stateOf(instance) === "terminated") {
      throw new NodeClaimNotFoundError(`instance ${id} not found`);
    }
    if (instance.terminatedAt === undefined) {
      this.terminated.push(id);
      this.#cloud.terminate([id]);
    }
  }

  async get(providerID: string): Promise<NodeClaim> {
    const id = instanceIdOf(providerID);
    const instance = this.#cloud.instances().find((i) => i.id === id);
    const state = instance === undefined ? "terminated" : this.#cloud.stateOf(instance);
    if (state === "terminated" || state === "shutting-down")
      throw new NodeClaimNotFoundError(`instance ${id} not found`);
    return {
      apiVersion: "karpenter.sh/v1",
      kind: "NodeClaim",
      metadata: {},
      spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "" }, requirements: [] },
      status: { providerID },
    };
  }

  async list(): Promise<NodeClaim[]> {
    return Promise.all(
      this.#cloud.instances().map((i) => this.get(`aws:///${i.zone}/${i.id}`).catch(() => undefined)),
    ).then((claims) => claims.filter((c): c is NodeClaim => c !== undefined));
  }

  async getInstanceTypes(_pool: NodePool, _nodeClass: EC2NodeClass): Promise<InstanceType[]> {
    throw new Error(
      "WorldCloudProvider has no instance types: provisioning tests use FakeCloudProvider or the AWS provider",
    );
  }

  async isDrifted(): Promise<undefined> {
    return undefined;
  }

  markUnavailable(instanceType: string, zone: string, capacityType: CapacityType, reason: string): void {
    this.unavailable.push({ instanceType, zone, capacityType, reason });
  }
}
