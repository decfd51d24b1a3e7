/**
 * The AMIs an EC2NodeClass selects (aws:pkg/providers/amifamily/ami.go `List`, the families' `DescribeImageQuery`):
 * an alias is read from the SSM parameters AWS publishes per Kubernetes version and architecture
 * (`al2023@latest` → `/aws/service/eks/optimized-ami/1.34/amazon-linux-2023/x86_64/standard/recommended/image_id`);
 * other terms are DescribeImages queries by id, name, owner and tags. Newest first, as Karpenter orders them, so
 * the first image of an architecture is the one launched.
 */
import type { AwsPorts, EC2NodeClass, Image } from "../../api/index.ts";
import { amiFamilyFromAlias } from "../../api/index.ts";
import { NodeClassNotReadyError } from "../errors.ts";
import { termQuery } from "./selector-filters.ts";

export interface ResolvedImage {
  readonly id: string;
  readonly name: string;
  /** Kubernetes' spelling: `amd64` or `arm64`. */
  readonly arch: "amd64" | "arm64";
  readonly creationDate: string;
}

/** The standard (non-accelerated) SSM parameter of an alias per architecture, as each family's resolvePath has it. */
export function aliasParameters(alias: string, kubernetesVersion: string): Map<string, "amd64" | "arm64"> {
  const at = alias.indexOf("@");
  const version = at < 0 ? "latest" : alias.slice(at + 1);
  const latest = version === "latest";
  const k8s = kubernetesVersion;
  const family = amiFamilyFromAlias(alias);
  switch (family) {
    case "AL2023": {
      const path = (arch: string) =>
        `/aws/service/eks/optimized-ami/${k8s}/amazon-linux-2023/${arch}/standard/${
          latest ? "recommended" : `amazon-eks-node-al2023-${arch}-standard-${k8s}-${version}`
        }/image_id`;
      return new Map([
        [path("x86_64"), "amd64"],
        [path("arm64"), "arm64"],
      ]);
    }
    case "AL2":
      return new Map([
        [
          `/aws/service/eks/optimized-ami/${k8s}/amazon-linux-2/${latest ? "recommended" : `amazon-eks-node-${k8s}-${version}`}/image_id`,
          "amd64",
        ],
        [
          `/aws/service/eks/optimized-ami/${k8s}/amazon-linux-2-arm64/${latest ? "recommended" : `amazon-eks-arm64-node-${k8s}-${version}`}/image_id`,
          "arm64",
        ],
      ]);
    case "Bottlerocket": {
      // Bottlerocket's versions carry a "v" on GitHub but not in SSM; both are accepted.
      const trimmed = version.replace(/^v+/, "");
      return new Map([
        [`/aws/service/bottlerocket/aws-k8s-${k8s}/x86_64/${trimmed}/image_id`, "amd64"],
        [`/aws/service/bottlerocket/aws-k8s-${k8s}/arm64/${trimmed}/image_id`, "arm64"],
      ]);
    }
    default:
      throw new NodeClassNotReadyError(`amiSelectorTerms alias "${alias}": resolving this family is not supported yet`);
  }
}

function archOf(image: Image): "amd64" | "arm64" | undefined {
  if (image.architecture === "x86_64") return "amd64";
  if (image.architecture === "arm64") return "arm64";
  return undefined;
}

export async function resolveImages(
  ports: Pick<AwsPorts, "ec2" | "ssm">,
  nodeClass: EC2NodeClass,
  kubernetesVersion: string,
): Promise<ResolvedImage[]> {
  const name = nodeClass.metadata.name ?? "";
  const found = new Map<string, ResolvedImage>();
  for (const term of nodeClass.spec?.amiSelectorTerms ?? []) {
    let images: Image[];
    if (term.alias !== undefined && term.alias !== "") {
      const parameters = aliasParameters(term.alias, kubernetesVersion);
      const ids = await ports.ssm.getParameters([...parameters.keys()]);
      if (ids.size === 0) {
        throw new NodeClassNotReadyError(`EC2NodeClass "${name}": failed to discover any AMIs for alias ${term.alias}`);
      }
      images = await ports.ec2.describeImages({ ids: [...new Set(ids.values())] });
    } else {
      const query = termQuery(term, "name");
      images = await ports.ec2.describeImages({
        ...query,
        ...(term.owner === undefined ? {} : { owners: [term.owner] }),
      });
    }
    for (const image of images) {
      const arch = archOf(image);
      if (arch === undefined || found.has(image.id)) continue;
      found.set(image.id, { id: image.id, name: image.name, arch, creationDate: image.creationDate });
    }
  }
  if (found.size === 0) {
    throw new NodeClassNotReadyError(`EC2NodeClass "${name}": spec.amiSelectorTerms select no AMI`);
  }
  return [...found.values()].sort((a, b) => b.creationDate.localeCompare(a.creationDate) || a.id.localeCompare(b.id));
}
