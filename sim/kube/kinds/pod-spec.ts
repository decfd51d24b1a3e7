// core/v1 PodSpec and its parts, as k8s.io/api declares them (field names, merge keys); deep structures the
// simulation does not read are open.
import {
  arr,
  bool,
  int,
  int64,
  map,
  obj,
  objectMeta,
  open,
  quantity,
  resourceList,
  str,
  stringMap,
} from "./schema-builders.ts";

export const containerPort = obj(
  { name: str, hostPort: int, containerPort: int, protocol: { ...str, default: "TCP" }, hostIP: str },
  ["containerPort"],
);
export const envVar = obj({ name: str, value: str, valueFrom: open }, ["name"]);
export const resourceRequirements = obj({ limits: resourceList, requests: resourceList, claims: arr(open, "name") });
export const volumeMount = obj(
  {
    name: str,
    readOnly: bool,
    recursiveReadOnly: str,
    mountPath: str,
    subPath: str,
    mountPropagation: str,
    subPathExpr: str,
  },
  ["name", "mountPath"],
);

export const container = obj(
  {
    name: str,
    image: str,
    command: arr(str),
    args: arr(str),
    workingDir: str,
    // Merged by containerPort in a strategic merge patch, keyed by port and protocol in server-side apply.
    ports: { ...arr(containerPort, "containerPort"), "x-kubernetes-list-map-keys": ["containerPort", "protocol"] },
    envFrom: arr(open),
    env: arr(envVar, "name"),
    resources: resourceRequirements,
    resizePolicy: arr(open),
    restartPolicy: str,
    restartPolicyRules: arr(open),
    volumeMounts: arr(volumeMount, "mountPath"),
    volumeDevices: arr(open, "devicePath"),
    livenessProbe: open,
    readinessProbe: open,
    startupProbe: open,
    lifecycle: open,
    terminationMessagePath: str,
    terminationMessagePolicy: str,
    imagePullPolicy: str,
    securityContext: open,
    stdin: bool,
    stdinOnce: bool,
    tty: bool,
  },
  ["name"],
);

export const toleration = obj({ key: str, operator: str, value: str, effect: str, tolerationSeconds: int64 });

export const podSpec = obj(
  {
    volumes: arr(open, "name"),
    initContainers: arr(container, "name"),
    containers: arr(container, "name"),
    ephemeralContainers: arr(open, "name"),
    restartPolicy: str,
    terminationGracePeriodSeconds: int64,
    activeDeadlineSeconds: int64,
    dnsPolicy: str,
    nodeSelector: stringMap,
    serviceAccountName: str,
    serviceAccount: str,
    automountServiceAccountToken: bool,
    nodeName: str,
    hostNetwork: bool,
    hostPID: bool,
    hostIPC: bool,
    shareProcessNamespace: bool,
    securityContext: open,
    imagePullSecrets: arr(obj({ name: str }), "name"),
    hostname: str,
    subdomain: str,
    affinity: open,
    schedulerName: str,
    tolerations: arr(toleration),
    hostAliases: arr(open, "ip"),
    priorityClassName: str,
    priority: int,
    dnsConfig: open,
    readinessGates: arr(open),
    runtimeClassName: str,
    enableServiceLinks: bool,
    preemptionPolicy: str,
    overhead: map(quantity),
    topologySpreadConstraints: arr(open, "topologyKey"),
    setHostnameAsFQDN: bool,
    os: open,
    hostUsers: bool,
    schedulingGates: arr(obj({ name: str }), "name"),
    resourceClaims: arr(open, "name"),
    resources: resourceRequirements,
    hostnameOverride: str,
  },
  ["containers"],
);

export const podTemplateSpec = obj({ metadata: objectMeta, spec: podSpec });

export const podCondition = obj({
  type: str,
  status: str,
  observedGeneration: int64,
  lastProbeTime: str,
  lastTransitionTime: str,
  reason: str,
  message: str,
});

export const podStatus = obj({
  observedGeneration: int64,
  phase: str,
  conditions: arr(podCondition, "type"),
  message: str,
  reason: str,
  nominatedNodeName: str,
  hostIP: str,
  hostIPs: arr(open, "ip"),
  podIP: str,
  podIPs: arr(open, "ip"),
  startTime: str,
  initContainerStatuses: arr(open),
  containerStatuses: arr(open),
  qosClass: str,
  ephemeralContainerStatuses: arr(open),
  resize: str,
  resourceClaimStatuses: arr(open, "name"),
  extendedResourceClaimStatus: open,
});
