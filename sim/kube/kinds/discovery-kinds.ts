// discovery.k8s.io/v1 EndpointSlices: the addresses behind a Service (label kubernetes.io/service-name). Nothing in
// the simulated cluster computes them from pods; a test writes one to point a Service — and so an admission
// webhook's clientConfig.service — at a local server. Printed as the built-in printer prints them.
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import { builtIn } from "./built-in.ts";
import { ageColumn, column, joinOrNone } from "./printing.ts";
import { arr, bool, int, obj, open, str, stringMap } from "./schema-builders.ts";

function slicePorts(s: KubeObject): string {
  const ports = (s.ports as { port?: number }[] | undefined) ?? [];
  const numbers = ports.filter((p) => typeof p.port === "number").map((p) => String(p.port));
  return numbers.length === 0 ? "<unset>" : numbers.join(",");
}

function sliceEndpoints(s: KubeObject): string {
  const addresses = ((s.endpoints as { addresses?: string[] }[] | undefined) ?? []).flatMap((e) => e.addresses ?? []);
  return joinOrNone(addresses.slice(0, 3)) + (addresses.length > 3 ? ` + ${addresses.length - 3} more...` : "");
}

export const endpointSlices: ResourceKind = builtIn({
  group: "discovery.k8s.io",
  version: "v1",
  kind: "EndpointSlice",
  plural: "endpointslices",
  namespaced: true,
  fields: {
    addressType: str,
    endpoints: arr(
      obj({
        addresses: arr(str),
        conditions: obj({ ready: bool, serving: bool, terminating: bool }),
        hostname: str,
        nodeName: str,
        zone: str,
        targetRef: open,
        deprecatedTopology: stringMap,
        hints: open,
      }),
    ),
    ports: arr(obj({ name: str, protocol: str, port: int, appProtocol: str })),
  },
  defaults: (s) => {
    for (const p of (s.ports as Record<string, unknown>[] | undefined) ?? []) p.protocol ??= "TCP";
  },
  printerColumns: [
    column("AddressType", (s) => String(s.addressType ?? "")),
    column("Ports", slicePorts),
    column("Endpoints", sliceEndpoints),
    ageColumn,
  ],
});
