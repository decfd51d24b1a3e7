/**
 * Resource arithmetic as the scheduler does it: component-helpers' `resource.PodRequests` (containers summed, init
 * containers as a maximum with sidecars accumulated, pod-level requests, overhead added) and the framework's
 * `Resource` (cpu in millicores, everything else in whole units rounded up, "scalar" resources by name).
 */
import { parseQuantity, ValueError } from "../../../api/index.ts";
import type { Container, Pod, QuantityValue, ResourceList } from "../objects.ts";
import { SchedulerInputError } from "./input-error.ts";

/** schedutil.DefaultMilliCPURequest and DefaultMemoryRequest: what a container without requests counts as. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Requests by resource name, in nano-units (exact, as resource.Quantity holds them). */
export type Requests = Map<string, bigint>;

export function quantityNanos(value: QuantityValue, where: string): bigint {
  try {
    return parseQuantity(value).nanos;
  } catch (error) {
    if (error instanceof ValueError) throw new SchedulerInputError(`${where}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Quantity.MilliValue(): rounded up. */
export function milliValue(nanos: bigint): number {
  return Number(ceilDiv(nanos, 1_000_000n));
}

/** Quantity.Value(): rounded up. */
export function unitValue(nanos: bigint): number {
  return Number(ceilDiv(nanos, 1_000_000_000n));
}

function ceilDiv(value: bigint, divisor: bigint): bigint {
  const quotient = value / divisor;
  return value % divisor > 0n ? quotient + 1n : quotient;
}

function readList(list: ResourceList | undefined, where: string): Requests {
  const result: Requests = new Map();
  for (const [name, value] of Object.entries(list ?? {})) result.set(name, quantityNanos(value, `${where}.${name}`));
  return result;
}

function addInto(target: Requests, more: Requests): void {
  for (const [name, value] of more) target.set(name, (target.get(name) ?? 0n) + value);
}

function maxInto(target: Requests, other: Requests): void {
  for (const [name, value] of other) {
    const current = target.get(name);
    if (current === undefined || value > current) target.set(name, value);
  }
}

/** A container's requests with `defaults` filled in for the resources it does not name (`applyNonMissing`). */
function containerRequests(container: Container, where: string, defaults: Requests | undefined): Requests {
  const requests = readList(container.resources?.requests, `${where}.resources.requests`);
  for (const [name, value] of defaults ?? []) if (!requests.has(name)) requests.set(name, value);
  return requests;
}

/** resource.IsSupportedPodLevelResource: cpu, memory and hugepages. */
function isPodLevelResource(name: string): boolean {
  return name === "cpu" || name === "memory" || name.startsWith("hugepages-");
}

export function podLevelRequestsSet(pod: Pod): boolean {
  const resources = pod.spec.resources;
  if (resources === undefined) return false;
  if (Object.keys(resources.requests ?? {}).length > 0) return true;
  return Object.keys(resources.limits ?? {}).some(isPodLevelResource);
}

export interface PodRequestsOptions {
  /** `NonMissingContainerRequests`: values for containers that do not request a resource at all. */
  defaults?: Requests;
}

/**
 * `resource.PodRequests`: regular containers and sidecars (restartable init containers) add up; an init container
 * needs what it asks plus the sidecars started before it, and the pod needs the largest of those; pod-level
 * requests replace the aggregate for cpu, memory and hugepages; overhead is added last.
 */
export function podRequests(pod: Pod, options: PodRequestsOptions = {}): Requests {
  const requests: Requests = new Map();
  (pod.spec.containers ?? []).forEach((container, index) => {
    addInto(requests, containerRequests(container, `spec.containers[${index}]`, options.defaults));
  });
  const sidecars: Requests = new Map();
  const initMax: Requests = new Map();
  (pod.spec.initContainers ?? []).forEach((container, index) => {
    const own = containerRequests(container, `spec.initContainers[${index}]`, options.defaults);
    if (container.restartPolicy === "Always") {
      addInto(requests, own);
      addInto(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      const whileRunning: Requests = new Map(own);
      addInto(whileRunning, sidecars);
      maxInto(initMax, whileRunning);
    }
  });
  maxInto(requests, initMax);
  if (podLevelRequestsSet(pod)) {
    for (const [name, value] of readList(pod.spec.resources?.requests, "spec.resources.requests")) {
      if (isPodLevelResource(name)) requests.set(name, value);
    }
  }
  addInto(requests, readList(pod.spec.overhead, "spec.overhead"));
  return requests;
}

/** v1helper: names the scheduler accounts as "scalar" resources (extended, hugepages, prefixed native). */
export function isScalarResourceName(name: string): boolean {
  return (
    isExtendedResourceName(name) ||
    name.startsWith("hugepages-") ||
    name.includes("kubernetes.io/") ||
    name.startsWith("attachable-volumes-")
  );
}

/** v1helper.IsExtendedResourceName: a domain-prefixed name outside kubernetes.io/ and not "requests.". */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes("/") || name.includes("kubernetes.io/") || name.startsWith("requests.")) return false;
  return /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(
    name,
  );
}

/** framework.Resource. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  allowedPodNumber: number;
  scalar: Map<string, number>;
}

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: new Map() };
}

/** `Resource.Add`. */
export function addRequests(resource: Resource, requests: Requests, sign = 1): void {
  for (const [name, nanos] of requests) {
    if (name === "cpu") resource.milliCPU += sign * milliValue(nanos);
    else if (name === "memory") resource.memory += sign * unitValue(nanos);
    else if (name === "pods") resource.allowedPodNumber += sign * unitValue(nanos);
    else if (name === "ephemeral-storage") resource.ephemeralStorage += sign * unitValue(nanos);
    else if (isScalarResourceName(name)) {
      resource.scalar.set(name, (resource.scalar.get(name) ?? 0) + sign * unitValue(nanos));
    }
  }
}

/** `Resource.SetMaxResource` from zero: what NodeResourcesFit checks (the pod count is not a request). */
export function requestResource(requests: Requests): Resource {
  const resource = emptyResource();
  for (const [name, nanos] of requests) {
    if (name === "cpu") resource.milliCPU = Math.max(resource.milliCPU, milliValue(nanos));
    else if (name === "memory") resource.memory = Math.max(resource.memory, unitValue(nanos));
    else if (name === "ephemeral-storage")
      resource.ephemeralStorage = Math.max(resource.ephemeralStorage, unitValue(nanos));
    else if (isScalarResourceName(name))
      resource.scalar.set(name, Math.max(resource.scalar.get(name) ?? 0, unitValue(nanos)));
  }
  return resource;
}

export function resourceOfList(list: ResourceList | undefined, where: string): Resource {
  const resource = emptyResource();
  addRequests(resource, readList(list, where));
  return resource;
}

/**
 * What a pod adds to its node (`PodInfo.CalculateResource`): its requests, and the cpu and memory the scoring
 * counts for it, where a container asking for none counts as 100m and 200Mi (unless pod-level requests say).
 */
export function podFootprint(pod: Pod): { requests: Requests; nonZeroMilliCPU: number; nonZeroMemory: number } {
  const requests = podRequests(pod);
  const defaults: Requests = new Map();
  const cpuDefault = BigInt(DEFAULT_MILLI_CPU_REQUEST) * 1_000_000n;
  const memoryDefault = BigInt(DEFAULT_MEMORY_REQUEST) * 1_000_000_000n;
  if (!podLevelRequestsSet(pod)) {
    defaults.set("cpu", cpuDefault);
    defaults.set("memory", memoryDefault);
  } else {
    if (!requests.has("cpu")) defaults.set("cpu", cpuDefault);
    if (!requests.has("memory")) defaults.set("memory", memoryDefault);
  }
  const nonZero = defaults.size > 0 ? podRequests(pod, { defaults }) : requests;
  return {
    requests,
    nonZeroMilliCPU: milliValue(nonZero.get("cpu") ?? 0n),
    nonZeroMemory: unitValue(nonZero.get("memory") ?? 0n),
  };
}
