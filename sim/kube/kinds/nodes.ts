// core/v1 nodes: status may be given on create (the kubelet registers with it), spec.unschedulable is the
// cordon, taints merge by key; the columns are printNode's.
import type { ResourceKind } from "../store/resource-kind.ts";
import { builtIn } from "./built-in.ts";
import { ageColumn, column, field, joinOrNone } from "./printing.ts";
import { arr, bool, obj, open, resourceList, str, time } from "./schema-builders.ts";

export const taint = obj({ key: str, value: str, effect: str, timeAdded: time }, ["key", "effect"]);

const nodeSpec = obj({
  podCIDR: str,
  podCIDRs: arr(str, undefined, "merge-primitive"),
  providerID: str,
  unschedulable: bool,
  taints: arr(taint),
  configSource: open,
  externalID: str,
});

const nodeStatus = obj({
  capacity: resourceList,
  allocatable: resourceList,
  phase: str,
  conditions: arr(open, "type"),
  addresses: arr(obj({ type: str, address: str }), "type"),
  daemonEndpoints: open,
  nodeInfo: open,
  images: arr(open),
  volumesInUse: arr(str),
  volumesAttached: arr(open),
  config: open,
  runtimeHandlers: arr(open),
  features: open,
  declaredFeatures: arr(str),
});

interface Condition {
  type?: string;
  status?: string;
}

function nodeStatusCell(node: Record<string, unknown>): string {
  const ready = ((field(node, "status.conditions") as Condition[] | undefined) ?? []).find((c) => c.type === "Ready");
  const states = [ready?.status === "True" ? "Ready" : ready?.status === "False" ? "NotReady" : "Unknown"];
  if (field(node, "spec.unschedulable") === true) states.push("SchedulingDisabled");
  return states.join(",");
}

// findNodeRoles: node-role.kubernetes.io/<role> labels and the older kubernetes.io/role.
function roles(node: Record<string, unknown>): string {
  const labels = (field(node, "metadata.labels") as Record<string, string> | undefined) ?? {};
  const found = new Set<string>();
  for (const [key, value] of Object.entries(labels)) {
    if (key.startsWith("node-role.kubernetes.io/")) {
      const role = key.slice("node-role.kubernetes.io/".length);
      if (role !== "") found.add(role);
    } else if (key === "kubernetes.io/role" && value !== "") {
      found.add(value);
    }
  }
  return joinOrNone([...found].sort());
}

function address(node: Record<string, unknown>, type: string): string {
  const addresses = (field(node, "status.addresses") as { type?: string; address?: string }[] | undefined) ?? [];
  return addresses.find((a) => a.type === type)?.address ?? "<none>";
}

function nodeInfo(node: Record<string, unknown>, key: string): string {
  const value = field(node, `status.nodeInfo.${key}`);
  return typeof value === "string" && value !== "" ? value : "<unknown>";
}

export const nodes: ResourceKind = builtIn({
  group: "",
  version: "v1",
  kind: "Node",
  plural: "nodes",
  namespaced: false,
  shortNames: ["no"],
  subresources: ["status"],
  fields: { spec: nodeSpec, status: nodeStatus },
  keepStatusOnCreate: true,
  printerColumns: [
    column("Status", nodeStatusCell, { description: "The status of the node" }),
    column("Roles", roles, { description: "The roles of the node" }),
    ageColumn,
    column("Version", (n) => String(field(n, "status.nodeInfo.kubeletVersion") ?? ""), {
      description: "Kubelet Version reported by the node.",
    }),
    column("Internal-IP", (n) => address(n, "InternalIP"), { priority: 1, description: "List of internal IPs." }),
    column("External-IP", (n) => address(n, "ExternalIP"), { priority: 1, description: "List of external IPs." }),
    column("OS-Image", (n) => nodeInfo(n, "osImage"), {
      priority: 1,
      description: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
    }),
    column("Kernel-Version", (n) => nodeInfo(n, "kernelVersion"), {
      priority: 1,
      description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    }),
    column("Container-Runtime", (n) => nodeInfo(n, "containerRuntimeVersion"), {
      priority: 1,
      description:
        "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
    }),
  ],
  selectableFields: (n) => ({ "spec.unschedulable": String(field(n, "spec.unschedulable") ?? "false") }),
});
