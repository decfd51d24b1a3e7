// AL2023's nodeadm NodeConfig (node.eks.aws/v1alpha1), as Karpenter writes it into a MIME part of type
// `application/node.eks.aws` (aws pkg/providers/amifamily/bootstrap/nodeadm.go) after any NodeConfig of the
// user's own. nodeadm merges the documents in order — later scalars win, maps merge, kubelet flags append — and
// refuses a config without the cluster's name, API server endpoint, certificate authority or CIDR (nodeadm
// api/v1alpha1 validation); the kubelet then gets `kubelet.config` and `kubelet.flags`.
import { parse } from "yaml";
import {
  applyKubeletFlags,
  emptySettings,
  type NodeBootstrap,
  type NodeTaint,
  UserDataError,
} from "./kubelet-settings.ts";
import { shellWords } from "./shell-words.ts";

type Doc = Record<string, unknown>;

const isMap = (value: unknown): value is Doc => typeof value === "object" && value !== null && !Array.isArray(value);

function merge(into: Doc, from: Doc, path: string): void {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    if (isMap(existing) && isMap(value)) merge(existing, value, `${path}.${key}`);
    else if (Array.isArray(existing) && Array.isArray(value) && `${path}.${key}` === ".spec.kubelet.flags") {
      into[key] = [...(existing as unknown[]), ...(value as unknown[])];
    } else into[key] = value;
  }
}

function nodeConfig(content: string, where: string): Doc {
  let doc: unknown;
  try {
    doc = parse(content);
  } catch (error) {
    throw new UserDataError(`${where}: not YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (!isMap(doc) || doc.kind !== "NodeConfig" || doc.apiVersion !== "node.eks.aws/v1alpha1") {
    throw new UserDataError(`${where}: not a node.eks.aws/v1alpha1 NodeConfig`);
  }
  return doc;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isMap(value)) throw new UserDataError(`${where}: must be a map`);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function taints(value: unknown, where: string): NodeTaint[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new UserDataError(`${where}: must be a list of taints`);
  return value.map((t, i) => {
    if (!isMap(t) || typeof t.key !== "string" || typeof t.effect !== "string") {
      throw new UserDataError(`${where}[${i}]: a taint needs key and effect`);
    }
    return typeof t.value === "string"
      ? { key: t.key, value: t.value, effect: t.effect }
      : { key: t.key, effect: t.effect };
  });
}

/** The merged NodeConfig of the `application/node.eks.aws` parts, read into what the kubelet is told. */
export function readNodeConfigs(contents: readonly string[]): NodeBootstrap {
  const merged: Doc = {};
  contents.forEach((content, index) => merge(merged, nodeConfig(content, `NodeConfig part ${index + 1}`), ""));
  const spec = isMap(merged.spec) ? merged.spec : {};
  const cluster = isMap(spec.cluster) ? spec.cluster : {};
  const kubelet = isMap(spec.kubelet) ? spec.kubelet : {};
  const config = isMap(kubelet.config) ? kubelet.config : {};
  const missing = [
    ["name", "Name"],
    ["apiServerEndpoint", "Apiserver endpoint"],
    ["certificateAuthority", "Certificate authority"],
    ["cidr", "CIDR"],
  ].find(([field]) => text(cluster[field ?? ""]) === undefined);
  if (missing) throw new UserDataError(`nodeadm: ${missing[1]} is missing in cluster configuration`);
  const settings = emptySettings();
  if (config.maxPods !== undefined) {
    if (typeof config.maxPods !== "number" || !Number.isInteger(config.maxPods) || config.maxPods < 0) {
      throw new UserDataError("NodeConfig spec.kubelet.config.maxPods: must be a non-negative integer");
    }
    settings.maxPods = config.maxPods;
  }
  settings.taints = taints(config.registerWithTaints, "NodeConfig spec.kubelet.config.registerWithTaints");
  settings.kubeReserved = stringMap(config.kubeReserved, "NodeConfig spec.kubelet.config.kubeReserved");
  settings.systemReserved = stringMap(config.systemReserved, "NodeConfig spec.kubelet.config.systemReserved");
  settings.evictionHard = stringMap(config.evictionHard, "NodeConfig spec.kubelet.config.evictionHard");
  settings.labels = stringMap(config.nodeLabels, "NodeConfig spec.kubelet.config.nodeLabels");
  const flags = Array.isArray(kubelet.flags) ? kubelet.flags.map(String) : [];
  // nodeadm hands the flags to the kubelet's command line, where the shell removes their quotes.
  applyKubeletFlags(
    settings,
    flags.flatMap((flag) => shellWords(flag)),
    "NodeConfig spec.kubelet.flags",
  );
  return {
    format: "nodeadm",
    clusterName: text(cluster.name),
    apiServerEndpoint: text(cluster.apiServerEndpoint),
    certificateAuthority: text(cluster.certificateAuthority),
    ...settings,
  };
}
