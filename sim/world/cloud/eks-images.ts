// The EKS-optimized images of a world, per Kubernetes version, and the public SSM parameters that name them —
// the paths Karpenter resolves for an `alias` AMI selector term (aws pkg/providers/amifamily/{al2023,al2,
// bottlerocket,windows}.go at v1.14.1): its `@latest` reads `…/recommended/image_id` (Bottlerocket
// `…/latest/image_id`), a pinned `@v20251120` reads the release's own parameter. Names, descriptions and dates
// follow the real images' patterns; ids are derived from the name, so a world always has the same ones.
// AL2 images exist only up to Kubernetes 1.32 (AWS published none for 1.33 and later), so `al2@latest` on a
// newer cluster resolves nothing — as in a real account.
import { createHash } from "node:crypto";
import type { ScenarioImage } from "./scenario.ts";
import type { SsmParameter } from "./parameter-store.ts";

export const EKS_IMAGE_OWNER = "602401143452";

/** The images' releases: the EKS AMIs' date tag, Bottlerocket's version and build, Windows' date. */
export interface ImageReleases {
  /** `v20251120`: AL2023's and AL2's release (amazon-eks-ami's tag). */
  eks: string;
  /** `1.50.0-3b3a5d2f`: Bottlerocket's version and build commit. */
  bottlerocket: string;
  /** `2025.11.13`: the Windows EKS images' date. */
  windows: string;
}

export const DEFAULT_RELEASES: ImageReleases = {
  eks: "v20251120",
  bottlerocket: "1.50.0-3b3a5d2f",
  windows: "2025.11.13",
};

/** The patch release each minor version's images carried in late 2025 (the kubelet's version on the node). */
const KUBERNETES_PATCH: Record<string, string> = {
  "1.32": "1.32.9",
  "1.33": "1.33.5",
  "1.34": "1.34.1",
  "1.35": "1.35.0",
};

export function kubernetesPatch(minor: string): string {
  return KUBERNETES_PATCH[minor] ?? `${minor}.0`;
}

/** The last Kubernetes minor version AWS built AL2 EKS images for. */
const LAST_AL2_MINOR = 32;

export type ImageFamily = "al2023" | "al2" | "bottlerocket" | "windows";

export interface EksImage {
  image: ScenarioImage;
  family: ImageFamily;
  kubernetesVersion: string;
  /** Parameter names whose value is this image's id. */
  parameters: string[];
}

function imageId(name: string): string {
  return `ami-0${createHash("sha256").update(name).digest("hex").slice(0, 16)}`;
}

/** `v20251120` → `2025-11-20T` and a time of day derived from the name (real images are built through the day). */
function creationDate(day: string, name: string): string {
  const seconds = createHash("sha256").update(`time:${name}`).digest().readUInt32BE(0) % 86_400;
  const time = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8))));
  return new Date(time.getTime() + seconds * 1000).toISOString();
}

function image(
  name: string,
  architecture: "x86_64" | "arm64",
  description: string,
  day: string,
  platform?: "windows",
): ScenarioImage {
  return {
    id: imageId(name),
    name,
    architecture,
    ownerId: EKS_IMAGE_OWNER,
    ownerAlias: "amazon",
    description,
    creationDate: creationDate(day, name),
    tags: [],
    ...(platform ? { platform } : {}),
  };
}

function al2023(version: string, release: string): EksImage[] {
  const day = release.slice(1);
  const variants: ["x86_64" | "arm64", string][] = [
    ["x86_64", "standard"],
    ["x86_64", "nvidia"],
    ["x86_64", "neuron"],
    ["arm64", "standard"],
    ["arm64", "nvidia"],
  ];
  return variants.map(([arch, variant]) => {
    const name = `amazon-eks-node-al2023-${arch}-${variant}-${version}-${release}`;
    const dir = `/aws/service/eks/optimized-ami/${version}/amazon-linux-2023/${arch}/${variant}`;
    const drivers = variant === "standard" ? "" : ` with ${variant === "nvidia" ? "NVIDIA" : "Neuron"} drivers`;
    return {
      image: image(
        name,
        arch,
        `EKS-optimized Kubernetes node based on Amazon Linux 2023${drivers}, (k8s: ${kubernetesPatch(version)}, containerd: 2.1.*)`,
        day,
      ),
      family: "al2023",
      kubernetesVersion: version,
      parameters: [`${dir}/recommended/image_id`, `${dir}/${name}/image_id`],
    };
  });
}

function al2(version: string, release: string): EksImage[] {
  if (Number(version.split(".")[1]) > LAST_AL2_MINOR) return [];
  const day = release.slice(1);
  const kinds: ["x86_64" | "arm64", string, string][] = [
    ["x86_64", "amazon-linux-2", `amazon-eks-node-${version}-${release}`],
    ["arm64", "amazon-linux-2-arm64", `amazon-eks-arm64-node-${version}-${release}`],
    ["x86_64", "amazon-linux-2-gpu", `amazon-eks-gpu-node-${version}-${release}`],
  ];
  return kinds.map(([arch, dir, name]) => ({
    image: image(
      name,
      arch,
      `EKS Kubernetes Worker AMI with AmazonLinux2 image, (k8s: ${kubernetesPatch(version)}, containerd: 1.7.*)`,
      day,
    ),
    family: "al2",
    kubernetesVersion: version,
    parameters: [
      `/aws/service/eks/optimized-ami/${version}/${dir}/recommended/image_id`,
      `/aws/service/eks/optimized-ami/${version}/${dir}/${name}/image_id`,
    ],
  }));
}

function bottlerocket(version: string, release: string, day: string): EksImage[] {
  const [semver = release] = release.split("-");
  const build = release.slice(semver.length + 1);
  const variants: [string, "x86_64" | "arm64"][] = [
    [`aws-k8s-${version}`, "x86_64"],
    [`aws-k8s-${version}`, "arm64"],
    [`aws-k8s-${version}-nvidia`, "x86_64"],
    [`aws-k8s-${version}-nvidia`, "arm64"],
  ];
  return variants.map(([variant, arch]) => {
    // The image names spell arm64 as aarch64; the parameter paths as arm64.
    const name = `bottlerocket-${variant}-${arch === "arm64" ? "aarch64" : arch}-v${semver}-${build}`;
    return {
      image: image(name, arch, name, day),
      family: "bottlerocket",
      kubernetesVersion: version,
      parameters: [
        `/aws/service/bottlerocket/${variant}/${arch}/latest/image_id`,
        `/aws/service/bottlerocket/${variant}/${arch}/${semver}/image_id`,
      ],
    };
  });
}

function windows(version: string, release: string): EksImage[] {
  const day = release.replaceAll(".", "");
  return ["2019", "2022", "2025"].map((server) => {
    const base = `Windows_Server-${server}-English-Core-EKS_Optimized-${version}`;
    const name = `${base}-${release}`;
    return {
      image: image(
        name,
        "x86_64",
        `Microsoft Windows Server ${server} Core optimized for EKS and provided by Amazon`,
        day,
        "windows",
      ),
      family: "windows",
      kubernetesVersion: version,
      parameters: [`/aws/service/ami-windows-latest/${base}/image_id`],
    };
  });
}

/** Every EKS-optimized image of the given Kubernetes minor versions, with the parameters that name it. */
export function eksOptimizedImages(
  versions: readonly string[],
  releases: ImageReleases = DEFAULT_RELEASES,
): EksImage[] {
  const day = releases.eks.slice(1);
  return versions.flatMap((version) => [
    ...al2023(version, releases.eks),
    ...al2(version, releases.eks),
    ...bottlerocket(version, releases.bottlerocket, day),
    ...windows(version, releases.windows),
  ]);
}

/** The public parameters naming `images`, as SSM serves them in `region`. */
export function publicParameters(images: readonly EksImage[], region: string, modified: number): SsmParameter[] {
  return images.flatMap((eks) =>
    eks.parameters.map((name) => ({
      name,
      value: eks.image.id,
      type: "String" as const,
      dataType: "aws:ec2:image" as const,
      version: 1,
      lastModified: modified,
      arn: `arn:aws:ssm:${region}::parameter${name}`,
    })),
  );
}

/** What an image is, read from its name as the EKS images spell it; undefined for any other image. */
export function imageFamily(name: string): { family: ImageFamily; kubernetesVersion: string } | undefined {
  const patterns: [ImageFamily, RegExp][] = [
    ["al2023", /^amazon-eks-node-al2023-[a-z0-9_]+-[a-z]+-(\d+\.\d+)-v\d{8}$/],
    ["al2", /^amazon-eks-(?:arm64-|gpu-)?node-(\d+\.\d+)-v\d{8}$/],
    ["bottlerocket", /^bottlerocket-aws-k8s-(\d+\.\d+)(?:-[a-z]+)?-[a-z0-9_]+-v/],
    ["windows", /^Windows_Server-\d{4}-English-(?:Core|Full)-EKS_Optimized-(\d+\.\d+)/],
  ];
  for (const [family, pattern] of patterns) {
    const match = pattern.exec(name);
    if (match?.[1]) return { family, kubernetesVersion: match[1] };
  }
  return undefined;
}
