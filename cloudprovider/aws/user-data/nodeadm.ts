/**
 * AL2023's user data: a nodeadm `NodeConfig` in a MIME archive (aws:pkg/providers/amifamily/bootstrap/nodeadm.go
 * `Nodeadm.Script`): the cluster (name, endpoint, CA, service CIDR), the kubelet's inline configuration with
 * `registerWithTaints`, and the node labels as a kubelet flag. Serialized as sigs.k8s.io/yaml does (through
 * JSON, so keys sorted; sequences not indented), behind Karpenter's "# Karpenter Generated NodeConfig" line.
 */
import { parse, stringify } from "yaml";
import { NodeClassNotReadyError } from "../../errors.ts";
import { type BootstrapOptions, nodeLabelArg } from "./bootstrap-options.ts";
import { CONTENT_TYPE_NODE_CONFIG, CONTENT_TYPE_SHELL_SCRIPT, type MimeEntry, mimeArchive } from "./mime.ts";

function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedDeep((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function nodeConfigYaml(options: BootstrapOptions): string {
  if (options.clusterCIDR === undefined || options.clusterCIDR === "") {
    throw new NodeClassNotReadyError("resolving cluster CIDR");
  }
  const taints = options.taints.map((t) => ({
    effect: t.effect,
    key: t.key,
    ...(t.value === undefined || t.value === "" ? {} : { value: t.value }),
  }));
  const labels = nodeLabelArg(options.labels);
  const config = {
    apiVersion: "node.eks.aws/v1alpha1",
    kind: "NodeConfig",
    metadata: {},
    spec: {
      cluster: {
        name: options.clusterName,
        apiServerEndpoint: options.clusterEndpoint,
        cidr: options.clusterCIDR,
        // nodeadm's field is []byte: the decoded CA, which JSON writes as base64 again.
        ...(options.caBundle ? { certificateAuthority: options.caBundle } : {}),
      },
      containerd: {},
      instance: { localStorage: options.instanceStorePolicy === "RAID0" ? { strategy: "RAID0" } : {} },
      kubelet: {
        config: { ...options.kubelet, registerWithTaints: taints },
        ...(labels === "" ? {} : { flags: [labels] }),
      },
    },
  };
  const yaml = stringify(sortedDeep(config), { indentSeq: false, lineWidth: 0 });
  return `# Karpenter Generated NodeConfig\n${yaml}`;
}

/**
 * Custom user data that is not a MIME archive is one entry before Karpenter's: a NodeConfig when it reads as a
 * YAML map, else a shell script (`Nodeadm.parseUserData`). A MIME archive is not merged yet: refused.
 */
function customEntries(customUserData: string | undefined): MimeEntry[] {
  if (customUserData === undefined || customUserData === "") return [];
  const trimmed = customUserData.trim();
  if (trimmed.startsWith("MIME-Version:") || trimmed.startsWith("Content-Type:")) {
    throw new NodeClassNotReadyError("spec.userData: merging a MIME multi-part userData is not supported yet");
  }
  return [
    {
      contentType: looksLikeYamlMap(customUserData) ? CONTENT_TYPE_NODE_CONFIG : CONTENT_TYPE_SHELL_SCRIPT,
      content: customUserData,
    },
  ];
}

// sigs.k8s.io/yaml's Unmarshal into a map succeeds for a map and for an empty document (a comment-only script).
function looksLikeYamlMap(text: string): boolean {
  try {
    const parsed: unknown = parse(text);
    return parsed === null || (typeof parsed === "object" && !Array.isArray(parsed));
  } catch {
    return false;
  }
}

/** The user data, as text (the launch template takes it base64-encoded). */
export function nodeadmUserData(options: BootstrapOptions, customUserData?: string): string {
  return mimeArchive([
    ...customEntries(customUserData),
    { contentType: CONTENT_TYPE_NODE_CONFIG, content: nodeConfigYaml(options) },
  ]);
}
