/**
 * Bottlerocket's user data: TOML settings (aws:pkg/providers/amifamily/bootstrap/bottlerocket.go
 * `Bottlerocket.Script`), written as pelletier/go-toml v2 writes Karpenter's `BottlerocketKubernetes` struct:
 * fields in the struct's order, nil ones left out, literal (single-quoted) strings, map keys sorted and quoted
 * unless bare, each map as its own table after a blank line. Custom user data (merged TOML) is not supported yet.
 */
import { formatDuration, parseDuration } from "../../../api/index.ts";
import { NodeClassNotReadyError } from "../../errors.ts";
import type { BootstrapOptions } from "./bootstrap-options.ts";

type Scalar = string | number | boolean;

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

function key(name: string): string {
  return BARE_KEY.test(name) ? name : `'${name}'`;
}

function value(v: Scalar | readonly string[]): string {
  if (Array.isArray(v)) return `[${v.map((s) => value(s as string)).join(", ")}]`;
  return typeof v === "string" ? `'${v}'` : String(v);
}

function table(path: string, entries: Readonly<Record<string, Scalar | readonly string[]>>): string {
  const lines = Object.keys(entries)
    .sort()
    .map((k) => `${key(k)} = ${value(entries[k] as Scalar)}`);
  return `\n[${path}]\n${lines.join("\n")}\n`;
}

/** The user data, as text (the launch template takes it base64-encoded). */
export function bottlerocketUserData(options: BootstrapOptions, customUserData?: string): string {
  if (customUserData !== undefined && customUserData !== "") {
    throw new NodeClassNotReadyError("spec.userData: merging Bottlerocket TOML userData is not supported yet");
  }
  const k = options.kubelet;
  // BottlerocketKubernetes' scalar fields, in struct order (the ones Karpenter sets).
  const scalars: [string, Scalar | undefined][] = [
    ["api-server", options.clusterEndpoint],
    ["cluster-certificate", options.caBundle],
    ["cluster-name", options.clusterName],
    ["cluster-dns-ip", k.clusterDNS?.[0]],
    ["max-pods", k.maxPods],
    ["eviction-max-pod-grace-period", k.evictionMaxPodGracePeriod],
    ["image-gc-high-threshold-percent", k.imageGCHighThresholdPercent?.toString()],
    ["image-gc-low-threshold-percent", k.imageGCLowThresholdPercent?.toString()],
    ["cpu-cfs-quota-enforced", k.cpuCFSQuota],
  ];
  let out = "[settings]\n[settings.kubernetes]\n";
  for (const [name, v] of scalars) if (v !== undefined) out += `${name} = ${value(v)}\n`;
  const taints: Record<string, string[]> = {};
  for (const t of options.taints) (taints[t.key] ??= []).push(`${t.value ?? ""}:${t.effect}`);
  const gracePeriods =
    k.evictionSoftGracePeriod === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(k.evictionSoftGracePeriod).map(([signal, d]) => [signal, formatDuration(parseDuration(d))]),
        );
  // Map fields, in struct order; empty ones are omitted (omitempty).
  const maps: [string, Readonly<Record<string, Scalar | readonly string[]>> | undefined][] = [
    ["node-labels", options.labels],
    ["node-taints", taints],
    ["eviction-hard", k.evictionHard],
    ["eviction-soft", k.evictionSoft],
    ["eviction-soft-grace-period", gracePeriods],
    ["kube-reserved", k.kubeReserved],
    ["system-reserved", k.systemReserved],
  ];
  for (const [name, entries] of maps) {
    if (entries !== undefined && Object.keys(entries).length > 0) out += table(`settings.kubernetes.${name}`, entries);
  }
  if (options.instanceStorePolicy === "RAID0") {
    out +=
      "\n[settings.bootstrap-commands]\n[settings.bootstrap-commands.000-mount-instance-storage]\n" +
      "commands = [['apiclient', 'ephemeral-storage', 'init'], ['apiclient', 'ephemeral-storage', 'bind', '--dirs', " +
      "'/var/lib/containerd', '/var/lib/kubelet', '/var/log/pods']]\nmode = 'always'\nessential = true\n";
  }
  return out;
}
