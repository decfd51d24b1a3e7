// Where a webhook is called: `clientConfig.url` as written, or `clientConfig.service` resolved as the API server's
// endpoint routing does (k8s.io/apiserver pkg/util/proxy ResolveEndpoint): the Service's port with that number,
// then a ready address of its EndpointSlices (label kubernetes.io/service-name) — or, failing those, of its
// Endpoints — on the port of the same name. The simulated cluster has no cluster IPs or DNS, so the address is
// what a test writes into an EndpointSlice (127.0.0.1 and the port of a local server); the certificate is still
// checked against the service's DNS name `NAME.NAMESPACE.svc`, as the API server checks it.
import { isRecord } from "../../../api/index.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { KubeObject } from "../store/resource-kind.ts";
import type { ClientConfig } from "./webhook-configuration.ts";

export interface WebhookEndpoint {
  /** The URL as messages name it (`https://NAME.NAMESPACE.svc:443/validate?timeout=10s`). */
  url: string;
  /** Where to connect. */
  host: string;
  port: number;
  path: string;
  /** The name the serving certificate must carry (and the SNI, unless it is an IP address). */
  serverName: string;
}

/** A reason the endpoint cannot be found; the dispatcher reports it as a failed call. */
export class EndpointError extends Error {
  override readonly name = "EndpointError";
}

export function resolveWebhookEndpoint(
  store: ObjectStore,
  config: ClientConfig,
  timeoutSeconds: number,
): { endpoint?: WebhookEndpoint; url: string; error?: string } {
  const query = `timeout=${timeoutSeconds}s`;
  if (config.url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(config.url);
    } catch {
      return { url: config.url, error: `invalid webhook URL ${JSON.stringify(config.url)}` };
    }
    parsed.search = parsed.search === "" ? query : `${parsed.search}&${query}`;
    const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
    return {
      url: parsed.toString(),
      endpoint: {
        url: parsed.toString(),
        host,
        port: parsed.port === "" ? 443 : Number(parsed.port),
        path: `${parsed.pathname}${parsed.search}`,
        serverName: host,
      },
    };
  }
  const service = config.service;
  if (!service) return { url: "", error: "the webhook configuration names neither a url nor a service" };
  const serverName = `${service.name}.${service.namespace}.svc`;
  const path = `${service.path.startsWith("/") || service.path === "" ? "" : "/"}${service.path}?${query}`;
  const url = `https://${serverName}:${service.port}${path}`;
  try {
    const { host, port } = serviceAddress(store, service.namespace, service.name, service.port);
    return { url, endpoint: { url, host, port, path, serverName } };
  } catch (error) {
    if (error instanceof EndpointError) return { url, error: error.message };
    throw error;
  }
}

function serviceAddress(
  store: ObjectStore,
  namespace: string,
  name: string,
  servicePort: number,
): { host: string; port: number } {
  const services = store.registry.resource("", "v1", "services");
  const service = services && store.find(services, namespace, name);
  if (!service) throw new EndpointError(`service "${name}" not found`);
  const spec = isRecord(service.spec) ? service.spec : {};
  const port = (Array.isArray(spec.ports) ? spec.ports : []).filter(isRecord).find((p) => p.port === servicePort);
  if (!port) throw new EndpointError(`no service port ${servicePort} found for service "${name}"`);
  if (spec.type === "ExternalName" && typeof spec.externalName === "string")
    return { host: spec.externalName, port: servicePort };
  const portName = typeof port.name === "string" ? port.name : "";
  const found = fromEndpointSlices(store, namespace, name, portName) ?? fromEndpoints(store, namespace, name, portName);
  if (!found) throw new EndpointError(`no endpoints available for service "${name}"`);
  return found;
}

function fromEndpointSlices(
  store: ObjectStore,
  namespace: string,
  service: string,
  portName: string,
): { host: string; port: number } | undefined {
  const kind = store.registry.resource("discovery.k8s.io", "v1", "endpointslices");
  if (!kind) return undefined;
  const slices = store.list(kind, {
    namespace,
    labelSelector: [{ key: "kubernetes.io/service-name", operator: "=", values: [service] }],
  }).items;
  for (const slice of slices) {
    const port = portNamed(slice.ports, portName);
    if (port === undefined) continue;
    for (const endpoint of (Array.isArray(slice.endpoints) ? slice.endpoints : []).filter(isRecord)) {
      const ready = isRecord(endpoint.conditions) ? endpoint.conditions.ready : undefined;
      const address = Array.isArray(endpoint.addresses) ? endpoint.addresses[0] : undefined;
      if (ready !== false && typeof address === "string") return { host: address, port };
    }
  }
  return undefined;
}

function fromEndpoints(
  store: ObjectStore,
  namespace: string,
  service: string,
  portName: string,
): { host: string; port: number } | undefined {
  const kind = store.registry.resource("", "v1", "endpoints");
  const endpoints: KubeObject | undefined = kind && store.find(kind, namespace, service);
  for (const subset of (Array.isArray(endpoints?.subsets) ? endpoints.subsets : []).filter(isRecord)) {
    const port = portNamed(subset.ports, portName);
    const address = (Array.isArray(subset.addresses) ? subset.addresses : []).filter(isRecord)[0];
    if (port !== undefined && typeof address?.ip === "string") return { host: address.ip, port };
  }
  return undefined;
}

// An EndpointSlice or Endpoints port whose name is the Service port's (both unnamed counts).
function portNamed(ports: unknown, name: string): number | undefined {
  const found = (Array.isArray(ports) ? ports : [])
    .filter(isRecord)
    .find((p) => (typeof p.name === "string" ? p.name : "") === name);
  return typeof found?.port === "number" ? found.port : undefined;
}
