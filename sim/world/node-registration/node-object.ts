// The Node a booted instance registers, as the kubelet and the AWS cloud controller manager make it: named after
// its private DNS name (`ip-10-0-32-5.us-west-2.compute.internal`), `spec.providerID: aws:///ZONE/INSTANCE`, the
// user data's labels and taints (Karpenter's `karpenter.sh/unregistered:NoExecute` among them), the well-known
// labels of its type, zone and region, its addresses, capacity and allocatable (node-resources.ts) and a Ready
// kubelet. The `karpenter.k8s.aws/instance-*` labels are not here: Karpenter's registration copies them from the
// NodeClaim, which the node knows nothing of — unless the user data passes them.
import type { KubeObject } from "../../kube/store/resource-kind.ts";
import type { CloudScenario, WorldInstanceType } from "../cloud/index.ts";
import { imageFamily, kubernetesPatch } from "../cloud/index.ts";
import type { Instance } from "../cloud/instance.ts";
import type { NodeBootstrap } from "./kubelet-settings.ts";
import { filesystemKi, nodeResources } from "./node-resources.ts";

/** EC2's private DNS name for the address: `ec2.internal` in us-east-1, `REGION.compute.internal` elsewhere. */
export function privateDnsName(ip: string, region: string): string {
  const domain = region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`;
  return `ip-${ip.replaceAll(".", "-")}.${domain}`;
}

/**
 * The device the kubelet keeps pods' data on, per image family: the root volume, but Bottlerocket's second (data)
 * volume. Its size comes from the launch's block device mappings; an image's own volume is taken as 20 GiB.
 */
const NODEFS_DEVICE: Record<string, string> = { al2023: "/dev/xvda", al2: "/dev/xvda", bottlerocket: "/dev/xvdb" };

const OS_IMAGE: Record<string, string> = {
  al2023: "Amazon Linux 2023",
  al2: "Amazon Linux 2",
  bottlerocket: "Bottlerocket OS",
};

export function nodeObject(options: {
  instance: Instance;
  type: WorldInstanceType;
  imageName: string;
  bootstrap: NodeBootstrap;
  scenario: CloudScenario;
  now: Date;
}): KubeObject {
  const { instance, type, bootstrap, scenario } = options;
  const name = privateDnsName(instance.privateIp, scenario.region);
  const arch = type.arch;
  const zoneId = scenario.zones.find((z) => z.name === instance.zone)?.id;
  const labels: Record<string, string> = {
    ...bootstrap.labels,
    "beta.kubernetes.io/arch": arch,
    "beta.kubernetes.io/instance-type": type.name,
    "beta.kubernetes.io/os": "linux",
    "failure-domain.beta.kubernetes.io/region": scenario.region,
    "failure-domain.beta.kubernetes.io/zone": instance.zone,
    "kubernetes.io/arch": arch,
    "kubernetes.io/hostname": name,
    "kubernetes.io/os": "linux",
    "node.kubernetes.io/instance-type": type.name,
    "topology.kubernetes.io/region": scenario.region,
    "topology.kubernetes.io/zone": instance.zone,
    ...(zoneId ? { "topology.k8s.aws/zone-id": zoneId } : {}),
  };
  const family = imageFamily(options.imageName);
  const nodefs = instance.blockDevices?.find((d) => d.deviceName === NODEFS_DEVICE[family?.family ?? ""]);
  const resources = nodeResources(type, bootstrap, filesystemKi(nodefs?.sizeGiB));
  const time = options.now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: time,
    lastTransitionTime: time,
    reason,
    message,
  });
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels,
      annotations: {
        "alpha.kubernetes.io/provided-node-ip": instance.privateIp,
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: {
      providerID: `aws:///${instance.zone}/${instance.id}`,
      ...(bootstrap.taints.length > 0 ? { taints: bootstrap.taints.map((t) => ({ ...t })) } : {}),
    },
    status: {
      capacity: resources.capacity,
      allocatable: resources.allocatable,
      conditions: [
        condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
      ],
      addresses: [
        { type: "InternalIP", address: instance.privateIp },
        { type: "InternalDNS", address: name },
        { type: "Hostname", address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        osImage: OS_IMAGE[family?.family ?? ""] ?? options.imageName,
        containerRuntimeVersion: "containerd://2.1.4",
        kubeletVersion: `v${kubernetesPatch(family?.kubernetesVersion ?? "1.35")}`,
        kubeProxyVersion: "",
        operatingSystem: "linux",
        architecture: arch,
      },
    },
  };
}
