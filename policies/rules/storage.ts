// The storage family: the EBS volumes an EC2NodeClass's `blockDeviceMappings` give every node — encryption at
// rest, sizes, and volume types.
import type { Operation } from "fast-json-patch";
import {
  amiFamilyOf,
  compareQuantities,
  isRecord,
  parseQuantity,
  unlessInvalid,
  type FieldPath,
} from "../../api/index.ts";
import { defineRule, type Violation } from "../rule.ts";
import type { PolicyTarget } from "../target.ts";

interface Mapping {
  index: number;
  path: FieldPath;
  device: string;
  ebs: Record<string, unknown>;
  rootVolume: boolean;
}

function mappings(target: PolicyTarget): Mapping[] {
  const spec = target.object.spec;
  const list = isRecord(spec) ? spec.blockDeviceMappings : undefined;
  if (!Array.isArray(list)) return [];
  const out: Mapping[] = [];
  list.forEach((item: unknown, index) => {
    if (!isRecord(item) || !isRecord(item.ebs)) return;
    out.push({
      index,
      path: ["spec", "blockDeviceMappings", index],
      device: typeof item.deviceName === "string" ? item.deviceName : `blockDeviceMappings[${index}]`,
      ebs: item.ebs,
      rootVolume: item.rootVolume === true,
    });
  });
  return out;
}

// An `add` under the mapping's `ebs` in the object as written, when that object exists there.
function setEbs(target: PolicyTarget, m: Mapping, field: string, value: unknown): Operation[] | undefined {
  const spec = target.written.spec;
  const item =
    isRecord(spec) && Array.isArray(spec.blockDeviceMappings) ? spec.blockDeviceMappings[m.index] : undefined;
  if (!isRecord(item) || !isRecord(item.ebs)) return undefined;
  return [{ op: "add", path: `/spec/blockDeviceMappings/${m.index}/ebs/${field}`, value }];
}

function withPatch(v: Violation, patch: Operation[] | undefined): Violation {
  return patch ? { ...v, patch } : v;
}

export const encrypted = defineRule({
  id: "storage.encrypted",
  family: "storage",
  title: "EBS volumes are encrypted at rest",
  docs: `When an EC2NodeClass has no \`blockDeviceMappings\`, Karpenter gives nodes its default root volume, which is
encrypted (gp3, \`encrypted: true\`). Once you write \`blockDeviceMappings\`, they replace those defaults entirely,
and a volume without \`ebs.encrypted: true\` is created unencrypted — unless the AWS account has turned on *EBS
encryption by default* in that Region, a setting the manifest cannot see or guarantee. The node's disks hold
container images, \`emptyDir\` volumes, logs and whatever the pods write locally; unencrypted, that data (and any
snapshot taken of the volume) is readable by whoever can copy or attach it, and the class fails encryption-at-rest
controls.

Fix: set \`encrypted: true\` on every mapping's \`ebs\` (the finding carries that patch). Add \`kmsKeyID\` to use a
customer managed key instead of the AWS managed \`aws/ebs\` key; the key's policy must then let the principal
that launches the instances (Karpenter's controller role) use it, or launches fail. A volume restored from an encrypted \`snapshotID\` is encrypted
anyway; setting \`encrypted: true\` makes that explicit and also encrypts volumes restored from unencrypted
snapshots.`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  fields: [
    ["object", "spec", "blockDeviceMappings"],
    ["written", "spec", "blockDeviceMappings"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  check(target) {
    return mappings(target)
      .filter((m) => m.ebs.encrypted !== true)
      .map((m) => {
        const written = "encrypted" in m.ebs;
        const kms = typeof m.ebs.kmsKeyID === "string" ? " although kmsKeyID is set" : "";
        return withPatch(
          {
            path: written ? [...m.path, "ebs", "encrypted"] : [...m.path, "ebs"],
            message: `EBS volume ${m.device} is not set to encrypted${kms}, so unless the account enables EBS encryption by default, the node's images, emptyDir data and logs are stored unencrypted at rest.`,
            hint: "set ebs.encrypted: true (add ebs.kmsKeyID for a customer managed key)",
          },
          setEbs(target, m, "encrypted", true),
        );
      });
  },
});

// The device Karpenter sizes a node's ephemeral storage from when no mapping says rootVolume (its
// `EphemeralBlockDevice()` per AMI family); Custom uses the last mapping.
const EPHEMERAL_DEVICE: Readonly<Record<string, string>> = {
  AL2: "/dev/xvda",
  AL2023: "/dev/xvda",
  Bottlerocket: "/dev/xvdb",
  Windows2019: "/dev/sda1",
  Windows2022: "/dev/sda1",
  Windows2025: "/dev/sda1",
};

/** The mapping whose volume holds the kubelet's ephemeral storage, as Karpenter's `ephemeralStorage()` finds it. */
function ephemeralMapping(target: PolicyTarget, all: readonly Mapping[]): Mapping | undefined {
  const spec = target.object.spec;
  // With RAID0, types with instance store use it for ephemeral storage; which types that is depends on the pool.
  if (isRecord(spec) && spec.instanceStorePolicy === "RAID0") return undefined;
  const root = all.find((m) => m.rootVolume);
  if (root) return root;
  const family = amiFamilyOf(spec);
  if (family === "Custom") return all[all.length - 1];
  const device = family === undefined ? undefined : EPHEMERAL_DEVICE[family];
  return device === undefined ? undefined : all.find((m) => m.device === device);
}

const QUANTITY_PATTERN = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";

function size(value: unknown): ReturnType<typeof parseQuantity> | undefined {
  if (typeof value !== "string") return undefined;
  return unlessInvalid(() => parseQuantity(value)); // schema.structural reports a malformed size
}

export const volumeSize = defineRule({
  id: "storage.volume-size",
  family: "storage",
  title: "EBS volume sizes are within bounds",
  docs: `Every node of the class gets every volume in \`blockDeviceMappings\`, so a size is multiplied by the size of
the fleet. Two mistakes are common:

- **The kubelet's volume is too small.** Karpenter sizes a node's \`ephemeral-storage\` from one volume: the
  mapping with \`rootVolume: true\`, otherwise the AMI family's kubelet device (\`/dev/xvda\` for AL2 and AL2023,
  \`/dev/xvdb\` — the data volume — for Bottlerocket, \`/dev/sda1\` for Windows, the last mapping for Custom). That
  volume holds container images, writable layers, \`emptyDir\` volumes and logs; when it is small, image pulls fail
  and the kubelet evicts pods under disk pressure. Karpenter's own default for it is 20Gi (50Gi on Windows),
  which is the default \`minSize\`. Bottlerocket's separate 4Gi OS volume (\`/dev/xvda\`) is not judged against
  \`minSize\`. Not judged either with \`instanceStorePolicy: RAID0\`, where types with instance-store NVMe use that for
  ephemeral storage.
- **A volume is far too large**, usually a unit slip (\`200Ti\` for \`200Gi\`) or a size copied from a database host.
  Every volume is judged against \`maxSize\` (default 2000Gi); gp3 costs about $0.08 per GiB-month in us-east-1,
  so 2000Gi on 50 nodes is roughly $8,000 a month.

Set \`minSize\` and \`maxSize\` (Kubernetes quantities, e.g. \`50Gi\`, \`1Ti\`) in a PoolPolicy to your own bounds.
Volumes given only by \`snapshotID\` take the snapshot's size and are not judged.`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  fields: [
    ["object", "spec", "amiFamily"],
    ["object", "spec", "amiSelectorTerms"],
    ["object", "spec", "blockDeviceMappings"],
    ["object", "spec", "instanceStorePolicy"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  params: {
    schema: {
      properties: {
        minSize: { type: "string", pattern: QUANTITY_PATTERN },
        maxSize: { type: "string", pattern: QUANTITY_PATTERN },
      },
    },
    defaults: { minSize: "20Gi", maxSize: "2000Gi" },
  },
  check(target, { params }) {
    const all = mappings(target);
    const out: Violation[] = [];
    const kubelet = ephemeralMapping(target, all);
    const kubeletSize = kubelet ? size(kubelet.ebs.volumeSize) : undefined;
    if (kubelet && kubeletSize && compareQuantities(kubeletSize, params.minSize) < 0) {
      out.push({
        path: [...kubelet.path, "ebs", "volumeSize"],
        message: `EBS volume ${kubelet.device} holds the node's ephemeral storage (images, container layers, emptyDir, logs) and is only ${String(kubelet.ebs.volumeSize)}, below ${params.minSize}, so image pulls fail and pods are evicted for disk pressure.`,
        hint: `set ebs.volumeSize to at least ${params.minSize}`,
      });
    }
    for (const m of all) {
      const value = size(m.ebs.volumeSize);
      if (!value || compareQuantities(value, params.maxSize) <= 0) continue;
      out.push({
        path: [...m.path, "ebs", "volumeSize"],
        message: `EBS volume ${m.device} is ${String(m.ebs.volumeSize)}, above the ${params.maxSize} this policy allows, and every node of this class is launched with (and pays for) one.`,
        hint: `set ebs.volumeSize to at most ${params.maxSize}, or raise maxSize for this class if the size is intended`,
      });
    }
    return out;
  },
});

const VOLUME_TYPES = ["standard", "io1", "io2", "gp2", "sc1", "st1", "gp3"] as const;

function typeReason(type: string): string {
  switch (type) {
    case "gp2":
      return "gp2 costs about 20% more per GiB than gp3 and ties performance to size (3 IOPS per GiB, so small node volumes live on burst credits), while gp3 gives 3,000 IOPS and 125 MiB/s at any size";
    case "standard":
      return "standard is previous-generation magnetic storage, slow and unsuited to container images and logs";
    case "st1":
    case "sc1":
      return `${type} is throughput-oriented HDD storage, which cannot be a boot volume and has high latency for the small random I/O of containers`;
    default:
      return `${type} is not a volume type this policy allows`;
  }
}

export const volumeType = defineRule({
  id: "storage.volume-type",
  family: "storage",
  title: "EBS volumes use an allowed volume type (gp3 rather than gp2)",
  docs: `Karpenter's default node volume is gp3; a \`blockDeviceMappings\` entry chooses its own \`volumeType\`.

- **gp2** ties performance to size: 3 IOPS per GiB (100 IOPS minimum), with bursts to 3,000 IOPS paid for from
  a credit balance that small, busy node volumes drain — a 20Gi gp2 volume has a baseline of 100 IOPS. gp3 gives
  3,000 IOPS and 125 MiB/s at any size and costs about 20% less per GiB (us-east-1 list prices: $0.08 against
  $0.10 per GiB-month). Changing \`gp2\` to \`gp3\` is the fix, and the finding carries that patch.
- **standard** is previous-generation magnetic storage.
- **st1** and **sc1** are HDD volumes for large sequential workloads; they cannot be boot volumes, and their
  latency suits neither container images nor logs.

\`io1\` and \`io2\` (provisioned IOPS) are allowed by default for nodes that need guaranteed IOPS. The allowed types
are the \`allowedTypes\` parameter (default \`[gp3, io1, io2]\`). Mappings that do not set \`volumeType\` take the
type EC2 chooses for them and are not judged; set it explicitly.`,
  kinds: ["EC2NodeClass"],
  view: "raw",
  fields: [
    ["object", "spec", "blockDeviceMappings"],
    ["written", "spec", "blockDeviceMappings"],
  ],
  enforcement: { baseline: "warn", strict: "deny" },
  params: {
    schema: {
      properties: {
        allowedTypes: { type: "array", items: { enum: [...VOLUME_TYPES] }, minItems: 1, uniqueItems: true },
      },
    },
    defaults: { allowedTypes: ["gp3", "io1", "io2"] as string[] },
  },
  check(target, { params }) {
    const allowed = new Set(params.allowedTypes);
    return mappings(target)
      .filter((m) => typeof m.ebs.volumeType === "string" && !allowed.has(m.ebs.volumeType))
      .map((m) => {
        const type = String(m.ebs.volumeType);
        // gp2 → gp3 keeps sizes and needs no other change (gp2 takes no iops or throughput).
        const patch = type === "gp2" && allowed.has("gp3") ? setEbs(target, m, "volumeType", "gp3") : undefined;
        return withPatch(
          {
            path: [...m.path, "ebs", "volumeType"],
            message: `EBS volume ${m.device} is ${type}: ${typeReason(type)}.`,
            hint: `use one of: ${params.allowedTypes.join(", ")}`,
          },
          patch,
        );
      });
  },
});

export const storageRules = [encrypted, volumeSize, volumeType];
