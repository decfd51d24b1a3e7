/**
 * Host ports a pod takes on its node, and whether two pods' ports clash (Karpenter's
 * core:pkg/scheduling/hostportusage.go, the kube-scheduler NodePorts plugin): the same port and protocol clash when
 * either side listens on every address (0.0.0.0) or both name the same address.
 */
import { ValueError } from "../../api/index.ts";

export interface HostPort {
  readonly ip: string;
  readonly port: number;
  readonly protocol: string;
}

const ANY_ADDRESS = "0.0.0.0";

interface ContainerPorts {
  readonly ports?: readonly { hostPort?: unknown; hostIP?: unknown; protocol?: unknown }[];
}

/** Throws ValueError naming the pod and field for a host port that is not a port number. */
export function podHostPorts(spec: Record<string, unknown>, where: string): HostPort[] {
  const out: HostPort[] = [];
  for (const field of ["initContainers", "containers"]) {
    const containers = (spec[field] ?? []) as readonly ContainerPorts[];
    containers.forEach((container, c) => {
      (container.ports ?? []).forEach((port, p) => {
        if (port.hostPort === undefined || port.hostPort === 0) return;
        const value = port.hostPort;
        if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
          throw new ValueError(`${where} spec.${field}[${c}].ports[${p}].hostPort: expected 1..65535`, value);
        }
        const ip = typeof port.hostIP === "string" && port.hostIP !== "" ? port.hostIP : ANY_ADDRESS;
        out.push({ ip, port: value, protocol: typeof port.protocol === "string" ? port.protocol : "TCP" });
      });
    });
  }
  return out;
}

/** The first of `wanted` that clashes with a port already `used`. */
export function hostPortConflict(used: readonly HostPort[], wanted: readonly HostPort[]): HostPort | undefined {
  return wanted.find((w) =>
    used.some(
      (u) =>
        u.port === w.port &&
        u.protocol === w.protocol &&
        (u.ip === w.ip || u.ip === ANY_ADDRESS || w.ip === ANY_ADDRESS),
    ),
  );
}

export function formatHostPort(port: HostPort): string {
  return `${port.ip}:${port.port}/${port.protocol}`;
}
