// What a node's kubelet is told by its user data, whatever the format: the cluster it joins and the kubelet
// settings the world reads to build the Node (labels, taints, max pods, reservations, hard eviction thresholds).
// The kubelet flags Karpenter writes (aws pkg/providers/amifamily/bootstrap/bootstrap.go kubeletExtraArgs) are
// read here: `--node-labels="k=v,…"`, `--register-with-taints="k=v:Effect,…"`, `--max-pods=N`,
// `--kube-reserved="cpu=…,memory=…"`, `--system-reserved=…`, `--eviction-hard="memory.available<…,…"`.

export interface NodeTaint {
  key: string;
  value?: string;
  effect: string;
}

export interface KubeletSettings {
  labels: Record<string, string>;
  taints: NodeTaint[];
  maxPods?: number;
  kubeReserved: Record<string, string>;
  systemReserved: Record<string, string>;
  evictionHard: Record<string, string>;
}

export interface NodeBootstrap extends KubeletSettings {
  /** nodeadm (AL2023), bootstrap.sh (AL2) or bottlerocket: how the user data was written. */
  format: "nodeadm" | "bootstrap.sh" | "bottlerocket";
  clusterName?: string;
  apiServerEndpoint?: string;
  certificateAuthority?: string;
}

/** User data the node cannot boot from: the message is what the node's log would say. */
export class UserDataError extends Error {}

export function emptySettings(): KubeletSettings {
  return { labels: {}, taints: [], kubeReserved: {}, systemReserved: {}, evictionHard: {} };
}

const EFFECTS = new Set(["NoSchedule", "PreferNoSchedule", "NoExecute"]);

/** `key=value:Effect` or `key:Effect`, as kubelet's --register-with-taints and Bottlerocket spell a taint. */
export function parseTaint(spec: string, where: string): NodeTaint {
  const colon = spec.lastIndexOf(":");
  const effect = colon >= 0 ? spec.slice(colon + 1) : "";
  if (!EFFECTS.has(effect)) throw new UserDataError(`${where}: invalid taint ${JSON.stringify(spec)}: unknown effect`);
  const keyValue = spec.slice(0, colon);
  const equals = keyValue.indexOf("=");
  const key = equals >= 0 ? keyValue.slice(0, equals) : keyValue;
  if (key === "") throw new UserDataError(`${where}: invalid taint ${JSON.stringify(spec)}: empty key`);
  return equals >= 0 ? { key, value: keyValue.slice(equals + 1), effect } : { key, effect };
}

/** `a=1,b=2` (or `a<1,b<2` for eviction thresholds) into a map. */
function pairs(text: string, separator: string, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(",")) {
    if (item === "") continue;
    const at = item.indexOf(separator);
    if (at <= 0) throw new UserDataError(`${where}: ${JSON.stringify(item)} is not key${separator}value`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

const READ = new Set([
  "node-labels",
  "register-with-taints",
  "max-pods",
  "kube-reserved",
  "system-reserved",
  "eviction-hard",
]);

/** Reads kubelet command-line flags into `settings` (later flags win, as the kubelet's flag parsing does). */
export function applyKubeletFlags(settings: KubeletSettings, flags: readonly string[], where: string): void {
  for (let index = 0; index < flags.length; index++) {
    const flag = flags[index] ?? "";
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(flag);
    if (!match) continue;
    const [, name = "", given] = match;
    // pflag takes `--flag value` as well as `--flag=value` for flags that are not booleans (all of these).
    const next = flags[index + 1];
    const separate = given === undefined && READ.has(name) && next !== undefined && !next.startsWith("--");
    if (separate) index += 1;
    const value = given ?? (separate ? next : "");
    const at = `${where} ${flag.length > 60 ? `--${name}` : flag}`;
    switch (name) {
      case "node-labels":
        Object.assign(settings.labels, pairs(value, "=", at));
        break;
      case "register-with-taints":
        settings.taints = value === "" ? [] : value.split(",").map((t) => parseTaint(t, at));
        break;
      case "max-pods": {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0) throw new UserDataError(`${at}: not a number of pods`);
        settings.maxPods = n;
        break;
      }
      case "kube-reserved":
        Object.assign(settings.kubeReserved, pairs(value, "=", at));
        break;
      case "system-reserved":
        Object.assign(settings.systemReserved, pairs(value, "=", at));
        break;
      case "eviction-hard":
        Object.assign(settings.evictionHard, pairs(value, "<", at));
        break;
      default:
        break;
    }
  }
}
