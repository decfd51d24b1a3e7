// The other core/v1 kinds the simulated cluster stores: namespaces, events, services, endpoints, service
// accounts, secrets, config maps, persistent volumes and their claims. Printer columns as the built-in printers'.
import type { KubeObject, ResourceKind } from "../store/resource-kind.ts";
import { builtIn } from "./built-in.ts";
import { ageColumn, column, field, formatSelector, joinOrNone, since } from "./printing.ts";
import {
  arr,
  bool,
  int,
  map,
  obj,
  objectReference,
  open,
  resourceList,
  str,
  stringMap,
  time,
} from "./schema-builders.ts";

export const namespaces: ResourceKind = builtIn({
  group: "",
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  namespaced: false,
  shortNames: ["ns"],
  subresources: ["status", "finalize"],
  nameIsLabel: true,
  fields: { spec: obj({ finalizers: arr(str) }), status: obj({ phase: str, conditions: arr(open, "type") }) },
  printerColumns: [
    column("Status", (n) => String(field(n, "status.phase") ?? ""), { description: "The status of the namespace" }),
    ageColumn,
  ],
  selectableFields: (n) => ({ "status.phase": String(field(n, "status.phase") ?? "") }),
  defaults: (n, old) => {
    if (old) return;
    const spec = (n.spec ??= {}) as Record<string, unknown>;
    spec.finalizers ??= ["kubernetes"];
    n.status = { phase: "Active" };
  },
  holdDeletion: terminateNamespace,
  updates: { finalize: finalizeNamespace },
});

// The finalize subresource (finalizeUpdateStrategy): only spec.finalizers changes. Emptied on a terminating
// namespace, the update completes its deletion.
function finalizeNamespace(current: KubeObject, body: KubeObject): KubeObject {
  const spec = { ...((current.spec ?? {}) as Record<string, unknown>) };
  const finalizers = field(body, "spec.finalizers");
  if (Array.isArray(finalizers)) spec.finalizers = finalizers;
  else delete spec.finalizers;
  const resourceVersion = field(body, "metadata.resourceVersion");
  const metadata = { ...current.metadata, ...(typeof resourceVersion === "string" ? { resourceVersion } : {}) };
  return { ...current, metadata, spec };
}

// The namespace REST's Delete (pkg/registry/core/namespace/storage): the first delete only marks the namespace
// Terminating (the namespace controller then deletes its content and removes its `kubernetes` finalizer); a later
// one deletes it once spec.finalizers is empty.
function terminateNamespace(namespace: KubeObject, now: string): KubeObject | undefined {
  const metadata = namespace.metadata as Record<string, unknown>;
  if (metadata.deletionTimestamp === undefined) {
    metadata.deletionTimestamp = now;
    namespace.status = { ...((namespace.status ?? {}) as Record<string, unknown>), phase: "Terminating" };
    return namespace;
  }
  const finalizers = field(namespace, "spec.finalizers");
  return Array.isArray(finalizers) && finalizers.length > 0 ? namespace : undefined;
}

function eventObject(e: KubeObject): string {
  const o = (e.involvedObject ?? {}) as Record<string, string>;
  return `${String(o.kind ?? "").toLowerCase()}/${o.name ?? ""}`;
}

export const events: ResourceKind = builtIn({
  group: "",
  version: "v1",
  kind: "Event",
  plural: "events",
  namespaced: true,
  shortNames: ["ev"],
  fields: {
    involvedObject: objectReference,
    reason: str,
    message: str,
    source: obj({ component: str, host: str }),
    firstTimestamp: time,
    lastTimestamp: time,
    count: int,
    type: str,
    eventTime: { type: "string", format: "date-time", nullable: true },
    series: open,
    action: str,
    related: objectReference,
    reportingComponent: str,
    reportingInstance: str,
  },
  printerColumns: [
    column(
      "Last Seen",
      (e, now) => since(e.lastTimestamp ?? e.eventTime ?? field(e, "metadata.creationTimestamp"), now),
      { description: "Time when last event occurred" },
    ),
    column("Type", (e) => String(e.type ?? ""), {
      description: "Type of this event (Normal, Warning), new types could be added in the future.",
    }),
    column("Reason", (e) => String(e.reason ?? ""), {
      description:
        "This should be a short, machine understandable string that gives the reason for this event being generated.",
    }),
    column("Object", eventObject, { description: "Object this event is about." }),
    column("Subobject", (e) => String(field(e, "involvedObject.fieldPath") ?? ""), {
      priority: 1,
      description: "Subobject this event is about.",
    }),
    column("Source", (e) => String(field(e, "source.component") ?? e.reportingComponent ?? ""), {
      priority: 1,
      description: "Source of this event.",
    }),
    column("Message", (e) => String(e.message ?? ""), {
      description: "A human-readable description of the status of this operation.",
    }),
    column("First Seen", (e, now) => since(e.firstTimestamp ?? e.eventTime, now), {
      priority: 1,
      description: "Time when first event occurred",
    }),
    column("Count", (e) => Number(e.count ?? 1), {
      priority: 1,
      type: "integer",
      description: "Number of times this event has occurred.",
    }),
    column("Name", (e) => String(field(e, "metadata.name") ?? ""), { priority: 1, description: "Name of the event." }),
  ],
  selectableFields: (e) => ({
    "involvedObject.kind": String(field(e, "involvedObject.kind") ?? ""),
    "involvedObject.namespace": String(field(e, "involvedObject.namespace") ?? ""),
    "involvedObject.name": String(field(e, "involvedObject.name") ?? ""),
    "involvedObject.uid": String(field(e, "involvedObject.uid") ?? ""),
    "involvedObject.apiVersion": String(field(e, "involvedObject.apiVersion") ?? ""),
    "involvedObject.resourceVersion": String(field(e, "involvedObject.resourceVersion") ?? ""),
    "involvedObject.fieldPath": String(field(e, "involvedObject.fieldPath") ?? ""),
    reason: String(e.reason ?? ""),
    reportingComponent: String(e.reportingComponent ?? ""),
    source: String(field(e, "source.component") ?? ""),
    type: String(e.type ?? ""),
  }),
});

const servicePort = obj(
  {
    name: str,
    protocol: str,
    appProtocol: str,
    port: int,
    targetPort: { "x-kubernetes-int-or-string": true },
    nodePort: int,
  },
  ["port"],
);

function servicePorts(s: KubeObject): string {
  const ports = (field(s, "spec.ports") as { port?: number; nodePort?: number; protocol?: string }[] | undefined) ?? [];
  return joinOrNone(ports.map((p) => `${p.port ?? ""}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`));
}

export const services: ResourceKind = builtIn({
  group: "",
  version: "v1",
  kind: "Service",
  plural: "services",
  namespaced: true,
  shortNames: ["svc"],
  categories: ["all"],
  subresources: ["status"],
  nameIsLabel: true,
  fields: {
    spec: obj({
      ports: arr(servicePort, "port"),
      selector: stringMap,
      clusterIP: str,
      clusterIPs: arr(str),
      type: str,
      externalIPs: arr(str),
      sessionAffinity: str,
      loadBalancerIP: str,
      loadBalancerSourceRanges: arr(str),
      externalName: str,
      externalTrafficPolicy: str,
      healthCheckNodePort: int,
      publishNotReadyAddresses: bool,
      sessionAffinityConfig: open,
      ipFamilies: arr(str),
      ipFamilyPolicy: str,
      allocateLoadBalancerNodePorts: bool,
      loadBalancerClass: str,
      internalTrafficPolicy: str,
      trafficDistribution: str,
    }),
    status: open,
  },
  defaults: (s, old) => {
    if (old) return;
    const spec = (s.spec ??= {}) as Record<string, unknown>;
    spec.type ??= "ClusterIP";
    spec.sessionAffinity ??= "None";
    spec.internalTrafficPolicy ??= "Cluster";
    spec.ipFamilies ??= ["IPv4"];
    spec.ipFamilyPolicy ??= "SingleStack";
    for (const p of (spec.ports as Record<string, unknown>[] | undefined) ?? []) {
      p.protocol ??= "TCP";
      p.targetPort ??= p.port;
    }
    s.status ??= { loadBalancer: {} };
  },
  printerColumns: [
    column("Type", (s) => String(field(s, "spec.type") ?? ""), { description: "The type of the service." }),
    column("Cluster-IP", (s) => String(field(s, "spec.clusterIP") ?? "<none>"), {
      description: "The IP address of the service.",
    }),
    column("External-IP", (s) => joinOrNone((field(s, "spec.externalIPs") as string[] | undefined) ?? []), {
      description: "The external IP address of the service.",
    }),
    column("Port(s)", servicePorts, { description: "The port(s) of service." }),
    ageColumn,
    column(
      "Selector",
      (s) => {
        const selector = field(s, "spec.selector") as Record<string, string> | undefined;
        return selector ? formatSelector({ matchLabels: selector }) : "<none>";
      },
      { priority: 1, description: "The selector used to filter pods." },
    ),
  ],
});

export const endpoints: ResourceKind = builtIn({
  group: "",
  version: "v1",
  kind: "Endpoints",
  plural: "endpoints",
  singular: "endpoints",
  namespaced: true,
  shortNames: ["ep"],
  fields: { subsets: arr(open) },
  printerColumns: [
    column(
      "Endpoints",
      (e) => {
        const subsets =
          (e.subsets as { addresses?: { ip?: string }[]; ports?: { port?: number }[] }[] | undefined) ?? [];
        const pairs = subsets.flatMap((s) =>
          (s.addresses ?? []).flatMap((a) =>
            (s.ports ?? [{}]).map((p) => (p.port ? `${a.ip}:${p.port}` : String(a.ip))),
          ),
        );
        return joinOrNone(pairs.slice(0, 3)) + (pairs.length > 3 ? ` + ${pairs.length - 3} more...` : "");
      },
      { description: "Endpoints of the service" },
    ),
    ageColumn,
  ],
});

export const serviceAccounts: ResourceKind = builtIn({
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  plural: "serviceaccounts",
  namespaced: true,
  shortNames: ["sa"],
  fields: {
    secrets: arr(objectReference, "name"),
    imagePullSecrets: arr(obj({ name: str })),
    automountServiceAccountToken: bool,
  },
  printerColumns: [ageColumn],
});

export const secrets: ResourceKind = builtIn({
  group: "",
  version: "v1",
  kind: "Secret",
  plural: "secrets",
  namespaced: true,
  fields: { data: map({ type: "string", format: "byte" }), stringData: stringMap, type: str, immutable: bool },
  defaults: (s) => {
    // stringData is write-only: merged into data, base64-encoded.
    const stringData = s.stringData as Record<string, string> | undefined;
    if (stringData) {
      const data = (s.data ??= {}) as Record<string, string>;
      for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v, "utf8").toString("base64");
      delete s.stringData;
    }
    s.type ??= "Opaque";
  },
  printerColumns: [
    column("Type", (s) => String(s.type ?? ""), { description: "The type of the secret" }),
    column("Data", (s) => Object.keys((s.data as object | undefined) ?? {}).length, {
      type: "integer",
      description: "The number of entries in the secret",
    }),
    ageColumn,
  ],
  selectableFields: (s) => ({ type: String(s.type ?? "") }),
});

export const configMaps: ResourceKind = builtIn({
  group: "",
  version: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  namespaced: true,
  shortNames: ["cm"],
  fields: { data: stringMap, binaryData: map({ type: "string", format: "byte" }), immutable: bool },
  printerColumns: [
    column(
      "Data",
      (c) =>
        Object.keys((c.data as object | undefined) ?? {}).length +
        Object.keys((c.binaryData as object | undefined) ?? {}).length,
      {
        type: "integer",
        description: "Number of data in configmap",
      },
    ),
    ageColumn,
  ],
});

const accessModes = (o: KubeObject, path: string): string => {
  const short: Record<string, string> = {
    ReadWriteOnce: "RWO",
    ReadOnlyMany: "ROX",
    ReadWriteMany: "RWX",
    ReadWriteOncePod: "RWOP",
  };
  return ((field(o, path) as string[] | undefined) ?? []).map((m) => short[m] ?? m).join(",");
};

export const persistentVolumeClaims: ResourceKind = builtIn({
  group: "",
  version: "v1",
  kind: "PersistentVolumeClaim",
  plural: "persistentvolumeclaims",
  namespaced: true,
  shortNames: ["pvc"],
  subresources: ["status"],
  fields: {
    spec: obj({
      accessModes: arr(str),
      selector: open,
      resources: obj({ limits: resourceList, requests: resourceList }),
      volumeName: str,
      storageClassName: str,
      volumeMode: str,
      dataSource: open,
      dataSourceRef: open,
      volumeAttributesClassName: str,
    }),
    status: open,
  },
  defaults: (p, old) => {
    if (old) return;
    const spec = (p.spec ??= {}) as Record<string, unknown>;
    spec.volumeMode ??= "Filesystem";
    p.status = { phase: "Pending" };
  },
  printerColumns: [
    column("Status", (p) => String(field(p, "status.phase") ?? "")),
    column("Volume", (p) => String(field(p, "spec.volumeName") ?? "")),
    column("Capacity", (p) => String(field(p, "status.capacity.storage") ?? "")),
    column("Access Modes", (p) => accessModes(p, "status.accessModes")),
    column("StorageClass", (p) => String(field(p, "spec.storageClassName") ?? "<unset>")),
    column("VolumeAttributesClass", (p) => String(field(p, "spec.volumeAttributesClassName") ?? "<unset>")),
    ageColumn,
    column("VolumeMode", (p) => String(field(p, "spec.volumeMode") ?? ""), { priority: 1 }),
  ],
});

export const persistentVolumes: ResourceKind = builtIn({
  group: "",
  version: "v1",
  kind: "PersistentVolume",
  plural: "persistentvolumes",
  namespaced: false,
  shortNames: ["pv"],
  subresources: ["status"],
  fields: {
    spec: {
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
      properties: {
        capacity: resourceList,
        accessModes: arr(str),
        claimRef: objectReference,
        persistentVolumeReclaimPolicy: str,
        storageClassName: str,
        mountOptions: arr(str),
        volumeMode: str,
        nodeAffinity: open,
        volumeAttributesClassName: str,
      },
    },
    status: obj({ phase: str, message: str, reason: str, lastPhaseTransitionTime: time }),
  },
  defaults: (p, old) => {
    if (old) return;
    const spec = (p.spec ??= {}) as Record<string, unknown>;
    spec.persistentVolumeReclaimPolicy ??= "Retain";
    spec.volumeMode ??= "Filesystem";
    p.status = { phase: "Pending" };
  },
  printerColumns: [
    column("Capacity", (p) => String(field(p, "spec.capacity.storage") ?? "")),
    column("Access Modes", (p) => accessModes(p, "spec.accessModes")),
    column("Reclaim Policy", (p) => String(field(p, "spec.persistentVolumeReclaimPolicy") ?? "")),
    column("Status", (p) => String(field(p, "status.phase") ?? "")),
    column("Claim", (p) => {
      const ref = field(p, "spec.claimRef") as { namespace?: string; name?: string } | undefined;
      return ref ? `${ref.namespace ?? ""}/${ref.name ?? ""}` : "";
    }),
    column("StorageClass", (p) => String(field(p, "spec.storageClassName") ?? "")),
    column("VolumeAttributesClass", (p) => String(field(p, "spec.volumeAttributesClassName") ?? "<unset>")),
    column("Reason", (p) => String(field(p, "status.reason") ?? "")),
    ageColumn,
    column("VolumeMode", (p) => String(field(p, "spec.volumeMode") ?? ""), { priority: 1 }),
  ],
});
