// The world's instance types: the project's catalog (data/ec2-instance-types.json, see data/SOURCE.md) read by the
// simulator's own small parser, so that sim/ shares no code with cloudprovider/catalog/ — a catalog bug there
// shows up as a difference from the world, not as the same mistake on both sides.
import { readFileSync } from "node:fs";

export interface WorldInstanceType {
  name: string;
  vcpu: number;
  memoryMiB: number;
  /** Kubernetes spelling (amd64 / arm64), as the catalog keeps it. */
  arch: "amd64" | "arm64";
  cpuManufacturer: string;
  gpus: number;
  gpuType?: string;
  gpuManufacturer?: string;
  gpuMemoryMiB?: number;
  accelerators?: number;
  acceleratorType?: string;
  localNvmeGiB?: number;
  enis: number;
  ipv4PerEni: number;
  networkMbps?: number;
  bareMetal: boolean;
  burstable: boolean;
  onDemandUsd: number;
}

export const CATALOG_URL = new URL("../../../data/ec2-instance-types.json", import.meta.url);

/** A catalog entry that does not parse; the message names the file, the entry and the field. */
export class CatalogError extends Error {}

export function loadInstanceTypes(url: URL = CATALOG_URL): WorldInstanceType[] {
  const file = url.pathname;
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(url, "utf8"));
  } catch (error) {
    throw new CatalogError(`${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(entries)) throw new CatalogError(`${file}: expected a JSON array of instance types`);
  return entries.map((entry: unknown, index) => parseEntry(entry, `${file}: entry ${index}`));
}

/**
 * The catalog's types the region has (`names`, in the catalog's order), or all of them without `names`; a name the
 * catalog lacks is an error naming the scenario field.
 */
export function regionInstanceTypes(
  catalog: WorldInstanceType[],
  names: readonly string[] | undefined,
): WorldInstanceType[] {
  if (names === undefined) return catalog;
  const known = new Set(catalog.map((type) => type.name));
  names.forEach((name, index) => {
    if (!known.has(name))
      throw new CatalogError(
        `cloud.instanceTypes[${index}]: Unsupported value: "${name}": not an instance type of the catalog`,
      );
  });
  const wanted = new Set(names);
  return catalog.filter((type) => wanted.has(type.name));
}

function parseEntry(entry: unknown, where: string): WorldInstanceType {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry))
    throw new CatalogError(`${where}: not an object`);
  const record = entry as Record<string, unknown>;
  const name = record.name;
  if (typeof name !== "string" || name === "")
    throw new CatalogError(`${where}: field "name" must be a non-empty string`);
  const at = `${where} (${name})`;
  const maybeCount = (field: string): number | undefined => {
    const value = record[field];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new CatalogError(`${at}: field "${field}" must be a non-negative integer`);
    }
    return value;
  };
  const count = (field: string): number => {
    const value = maybeCount(field);
    if (value === undefined) throw new CatalogError(`${at}: field "${field}" is missing`);
    return value;
  };
  const maybeText = (field: string): string | undefined => {
    const value = record[field];
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw new CatalogError(`${at}: field "${field}" must be a string`);
    return value;
  };
  const text = (field: string): string => {
    const value = maybeText(field);
    if (value === undefined) throw new CatalogError(`${at}: field "${field}" is missing`);
    return value;
  };
  const flag = (field: string): boolean => {
    const value = record[field];
    if (typeof value !== "boolean") throw new CatalogError(`${at}: field "${field}" must be true or false`);
    return value;
  };
  const arch = record.arch;
  if (arch !== "amd64" && arch !== "arm64") throw new CatalogError(`${at}: field "arch" must be amd64 or arm64`);
  const price = record.onDemandUsd;
  if (typeof price !== "number" || !(price > 0))
    throw new CatalogError(`${at}: field "onDemandUsd" must be a positive number`);
  const type: WorldInstanceType = {
    name,
    vcpu: count("vcpu"),
    memoryMiB: count("memoryMiB"),
    arch,
    cpuManufacturer: text("cpuManufacturer"),
    gpus: count("gpus"),
    enis: count("enis"),
    ipv4PerEni: count("ipv4PerEni"),
    bareMetal: flag("bareMetal"),
    burstable: flag("burstable"),
    onDemandUsd: price,
  };
  const optional = {
    gpuType: maybeText("gpuType"),
    gpuManufacturer: maybeText("gpuManufacturer"),
    gpuMemoryMiB: maybeCount("gpuMemoryMiB"),
    accelerators: maybeCount("accelerators"),
    acceleratorType: maybeText("acceleratorType"),
    localNvmeGiB: maybeCount("localNvmeGiB"),
    networkMbps: maybeCount("networkMbps"),
  };
  for (const [field, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(type, { [field]: value });
  }
  return type;
}
