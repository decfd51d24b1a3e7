// The real helm (test/support/binaries.ts) run on charts/poolkeeper: render a set of values and read what comes out
// as Kubernetes objects, or see the error Helm prints. Values are written to a file (JSON is YAML), never --set, so
// a test states them as data.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { helmPath } from "./binaries.ts";
import { projectRoot } from "./fixtures.ts";

export const CHART_DIR = join(projectRoot, "charts", "poolkeeper");
export const RELEASE = "poolkeeper";
export const NAMESPACE = "kube-system";

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
} & Record<string, unknown>;

/** Values every install must give (the cluster's name, the API server's CIDRs for the NetworkPolicy). */
export const REQUIRED_VALUES = {
  settings: { clusterName: "prod-eu" },
  networkPolicy: { apiServerCIDRs: ["10.0.0.0/16"] },
};

export async function helm(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<HelmResult> {
  const binary = await helmPath();
  const home = mkdtempSync(join(tmpdir(), "poolkeeper-helm-"));
  // Helm's own config, cache and data in a directory of this run: nothing read from or left in the user's.
  const env = {
    ...process.env,
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_DATA_HOME: join(home, "data"),
    ...options.env,
  };
  try {
    return await new Promise((resolve) => {
      execFile(binary, [...args], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `helm template` of the chart with `values` (and `extraArgs`); the objects it renders, or Helm's error. */
export async function template(
  values: object,
  extraArgs: readonly string[] = [],
): Promise<HelmResult & { objects: KubeObject[] }> {
  const dir = mkdtempSync(join(tmpdir(), "poolkeeper-values-"));
  try {
    const file = join(dir, "values.yaml");
    writeFileSync(file, JSON.stringify(values));
    const result = await helm(["template", RELEASE, CHART_DIR, "--namespace", NAMESPACE, "-f", file, ...extraArgs]);
    const objects =
      result.code === 0
        ? parseAllDocuments(result.stdout)
            .map((document) => document.toJS() as KubeObject | null)
            .filter((object): object is KubeObject => object !== null)
        : [];
    return { ...result, objects };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The one object of `kind` (and `name` when given); throws naming what is there otherwise. */
export function one(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) {
    const present = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ");
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${found.length} among ${present}`);
  }
  return found[0] as KubeObject;
}

/** The pod template spec of a Deployment or StatefulSet. */
export function podSpec(workload: KubeObject): Record<string, unknown> & {
  containers: ({ name: string; args: string[] } & Record<string, unknown>)[];
} {
  const spec = workload.spec as { template: { spec: ReturnType<typeof podSpec> } };
  return spec.template.spec;
}

/** Deep-merges plain objects (arrays and scalars of `override` replace), as Helm merges values files. */
export function withValues(...layers: object[]): Record<string, unknown> {
  const merge = (base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      const current = out[key];
      out[key] =
        isPlainObject(current) && isPlainObject(value) ? merge(current, value as Record<string, unknown>) : value;
    }
    return out;
  };
  return layers.reduce<Record<string, unknown>>((acc, layer) => merge(acc, layer as Record<string, unknown>), {});
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
