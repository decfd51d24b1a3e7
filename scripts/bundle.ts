// Bundles the `poolkeeper` command (cli/main.ts, what bin/poolkeeper.js runs) with its dependencies into one
// directory of minified, tree-shaken ES modules for Node (esbuild, https://esbuild.github.io/api/):
//
//   node scripts/bundle.ts [out-dir]        (default: dist/bundle)
//
// Why: V8 keeps every loaded module's source text for lazy compilation, and `run` loads whole packages of which it
// calls a small part (docs/performance.md, "End to end"). What the two resolve hooks of the adapters do at run time
// is done here at build time, the same substitution:
//   - adapters/kube/client-node.ts: client-node's config.js import of gen/index.js → the two names it uses, from the
//     files gen/index.js takes them from;
//   - adapters/aws/ec2-sdk.ts: @aws-sdk/client-ec2 → its ES build (`module`, a file per command, as for every
//     package here), of which only the client, commands and paginators the adapter names are kept.
// Code splitting keeps the command line's lazy import()s of commands lazy. The modules a process or thread starts by
// URL (gitops/git-process.ts forks git-process-child, gitops/large-files.ts runs manifest-worker) are entry points
// of their own, beside the chunks, under the names those URLs ask for; `run` is one too, for bench/module-cost.ts.
import { build, type Metafile, type Plugin } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const fromRoot = (path: string) => join(root, path);

/** Entry name → source: the names are what the product's URLs and the bench ask for. */
const ENTRIES = {
  main: "cli/main.ts",
  run: "cli/commands/run.ts",
  "git-process-child": "gitops/git-process-child.ts",
  "manifest-worker": "gitops/manifest-worker.ts",
  // bin/poolkeeper.js reads `demo`'s heap settings before it loads the command line.
  "heap-settings": "cli/demo/heap-settings.ts",
};

const CLIENT_NODE_DIST = dirname(fileURLToPath(import.meta.resolve("@kubernetes/client-node/dist/config.js")));

/** The names a string array constant of `file` lists (`const NAME = ["A", "B"];`): the adapter's own lists. */
function listedNames(file: string, constant: string): string[] {
  const text = readFileSync(fromRoot(file), "utf8");
  const list = new RegExp(`const ${constant} = \\[([^\\]]*)\\]`).exec(text)?.[1];
  if (list === undefined) throw new Error(`scripts/bundle.ts: ${file} has no \`const ${constant} = [...]\``);
  return [...list.matchAll(/"([A-Za-z0-9]+)"/g)].map((match) => match[1] as string);
}

/** adapters/aws/ec2-sdk.ts without its resolve hook: the same names from the package's ES build, statically. */
function ec2SdkModule(): string {
  const commands = listedNames("adapters/aws/ec2-sdk.ts", "COMMANDS").map((name) => `${name}Command`);
  const paginators = listedNames("adapters/aws/ec2-sdk.ts", "PAGINATED").map((name) => `paginate${name}`);
  const names = ["EC2Client", ...commands, ...paginators];
  return `import { ${names.join(", ")} } from "@aws-sdk/client-ec2";\nexport const ec2Sdk = { ${names.join(", ")} };\n`;
}

/** adapters/kube/client-node.ts without its resolve hook (the gen/index.js substitution below does its work); a name
 * the adapters import from it and this lacks fails the build (esbuild: no matching export). */
const CLIENT_NODE_MODULE = `
export { KubeConfig } from "@kubernetes/client-node/dist/config.js";
export { ListWatch } from "@kubernetes/client-node/dist/cache.js";
export { Watch } from "@kubernetes/client-node/dist/watch.js";
export { HttpMethod, RequestContext } from "@kubernetes/client-node/dist/gen/http/http.js";
export { IsomorphicFetchHttpLibrary } from "@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js";
`;

/** What client-node's config.js imports from gen/index.js, from the files gen/index.js takes them from. */
const CONFIG_IMPORTS = `
export { createConfiguration } from ${JSON.stringify(join(CLIENT_NODE_DIST, "gen/configuration.js"))};
export { ServerConfiguration } from ${JSON.stringify(join(CLIENT_NODE_DIST, "gen/servers.js"))};
`;

/** Files the program reads beside its own module (`new URL("….json", import.meta.url)`), copied beside the chunks. */
const assets = new Set<string>();

const substitutions: Plugin = {
  name: "poolkeeper-substitutions",
  setup(build) {
    build.onLoad({ filter: /[\\/]adapters[\\/]aws[\\/]ec2-sdk\.ts$/ }, () => ({
      contents: ec2SdkModule(),
      loader: "js",
      resolveDir: fromRoot("adapters/aws"),
    }));
    build.onLoad({ filter: /[\\/]adapters[\\/]kube[\\/]client-node\.ts$/ }, () => ({
      contents: CLIENT_NODE_MODULE,
      loader: "js",
      resolveDir: fromRoot("adapters/kube"),
    }));
    build.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
      args.importer === join(CLIENT_NODE_DIST, "config.js")
        ? { path: "client-node-config-imports", namespace: "poolkeeper" }
        : undefined,
    );
    build.onLoad({ filter: /^client-node-config-imports$/, namespace: "poolkeeper" }, () => ({
      contents: CONFIG_IMPORTS,
      loader: "js",
      resolveDir: CLIENT_NODE_DIST,
    }));
    // Our modules that require() through createRequire(import.meta.url) (ajv, loaded lazily, and its run-time
    // helpers in the generated validators): a free require() is one esbuild bundles, still called when it was.
    // A JSON file read beside the module: its URL names the copy beside the chunks.
    build.onLoad({ filter: /\.(ts|js)$/ }, (args) => {
      if (args.path.includes("node_modules") || !args.path.startsWith(root)) return undefined;
      const text = readFileSync(args.path, "utf8");
      const requires = text.includes("createRequire(import.meta.url)");
      const urls = /new URL\("([^"]+\.json)", import\.meta\.url\)/.test(text);
      if (!requires && !urls) return undefined;
      const contents = text
        .replace(/const require = createRequire\(import\.meta\.url\);/, "")
        .replace(/new URL\("([^"]+\.json)", import\.meta\.url\)/g, (_, path: string) => {
          const asset = join(dirname(args.path), path);
          assets.add(asset);
          return `new URL(${JSON.stringify(`./${basename(asset)}`)}, import.meta.url)`;
        });
      return { contents, loader: args.path.endsWith(".ts") ? "ts" : "js" };
    });
  },
};

export interface BundleResult {
  outdir: string;
  metafile: Metafile;
}

/** Builds the bundle into `outdir` (emptied first). */
export async function bundleCli(outdir: string): Promise<BundleResult> {
  rmSync(outdir, { recursive: true, force: true });
  assets.clear();
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, path]) => [name, fromRoot(path)])),
    outdir,
    bundle: true,
    format: "esm",
    platform: "node",
    // The oldest Node package.json's engines promise: the package runs the bundle there too.
    target: "node22.19",
    splitting: true,
    // Flat: a module's `new URL("./git-process-child.js", import.meta.url)` resolves beside whichever chunk holds it.
    chunkNames: "[name]-[hash]",
    minify: true,
    // Error and class names are printed (kinds of errors, `InputError`, the SDK's exception names).
    keepNames: true,
    treeShaking: true,
    legalComments: "linked",
    metafile: true,
    logLevel: "warning",
    // CommonJS dependencies bundled into ES modules call require() for Node's built-ins.
    banner: {
      js: 'import { createRequire as __pkCreateRequire } from "node:module"; const require = __pkCreateRequire(import.meta.url);',
    },
    // A package's ES build (`module`) before its CommonJS one (`main`, esbuild's first choice for Node): ES modules
    // tree-shake. For @aws-sdk/client-ec2 that is the per-command build adapters/aws/ec2-sdk.ts loads instead of
    // the CommonJS bundle of all 831 commands; the SDK's other clients, @smithy/* and @aws-sdk/core shrink too
    // (run's graph 120 -> 114 MiB of RSS, 32.7 -> 28.6 MiB of V8 heap).
    mainFields: ["module", "main"],
    plugins: [substitutions],
  });
  for (const asset of assets) copyFileSync(asset, join(outdir, basename(asset)));
  writeFileSync(join(outdir, "THIRD-PARTY-LICENSES.txt"), thirdPartyLicenses(result.metafile));
  return { outdir, metafile: result.metafile };
}

/**
 * The licence of every package with code in the bundle: its name, version, `license` field and LICENSE file, as the
 * packages' licences ask to be kept with copies of their code (most carry them in a file, not in a comment that
 * `legalComments` would keep).
 */
function thirdPartyLicenses(metafile: Metafile): string {
  const packages = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const input of Object.keys(output.inputs)) {
      const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match?.[1] !== undefined) packages.add(match[1]);
    }
  }
  const sections = [...packages].sort().map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as {
      name: string;
      version: string;
      license?: string;
    };
    const file = readdirSync(join(root, dir)).find((name) => /^(licen[cs]e|copying)/i.test(name));
    const text =
      file === undefined
        ? `(no licence file; package.json says ${manifest.license ?? "nothing"})`
        : readFileSync(join(root, dir, file), "utf8").trim();
    return `${manifest.name}@${manifest.version} (${manifest.license ?? "no license field"})\n\n${text}\n`;
  });
  return sections.join(`\n${"-".repeat(80)}\n\n`);
}

if (import.meta.main) {
  const outdir = process.argv[2] ?? fromRoot("dist/bundle");
  mkdirSync(outdir, { recursive: true });
  const { metafile } = await bundleCli(outdir);
  const bytes = Object.values(metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  // On standard error: `npm pack --json` runs this in its prepack, and its standard output is the pack's JSON.
  console.error(
    `bundle: ${Object.keys(metafile.outputs).length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB in ${outdir}`,
  );
}
