// The EC2 client and the commands and paginators the adapter sends, from @aws-sdk/client-ec2's ES build, file by
// file. Node loads the package's `main`, dist-cjs/index.js: one 2.1 MB bundle of all 831 commands, their paginators,
// waiters and enums, about 78 MiB of RSS over a bare process (bench/module-cost.ts). The ES build (`module`, what a
// bundler tree-shakes) has a file per command, but its imports name files without the `.js` extension, one imports
// `../package.json` without a JSON import attribute, and the package has no `"type": "module"`: Node cannot load it
// as published. A resolve hook (node:module registerHooks), for files inside that build only, adds the extension,
// serves package.json as a module and marks the files as ES modules; imports of other packages (@smithy/*,
// @aws-sdk/core) resolve as always, to the same CommonJS builds the other SDK clients use. The commands' schemas
// (one 1.35 MB file) still load whole. The types stay the package's own. The shipped bundle imports the same names
// from the same build at build time (scripts/bundle.ts, which reads the lists below) and does not run this module.
import { existsSync, readFileSync } from "node:fs";
import { registerHooks } from "node:module";
import { fileURLToPath } from "node:url";
import type * as Sdk from "@aws-sdk/client-ec2";

const DIST_ES = new URL("./", import.meta.resolve("@aws-sdk/client-ec2/dist-es/EC2Client.js")).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    let target = specifier;
    if (context.parentURL?.startsWith(DIST_ES) && (specifier.startsWith("./") || specifier.startsWith("../"))) {
      const url = new URL(specifier, context.parentURL);
      if (url.pathname.endsWith(".json")) {
        target = `data:text/javascript,${encodeURIComponent(`export default ${readFileSync(url, "utf8")};`)}`;
      } else if (url.pathname.endsWith(".js")) {
        target = url.href;
      } else {
        target = existsSync(fileURLToPath(`${url.href}.js`)) ? `${url.href}.js` : `${url.href}/index.js`;
      }
    }
    // Passed on (not short-circuited), so hooks registered before this one see the files too.
    const resolved = nextResolve(target, context);
    return resolved.url.startsWith(DIST_ES) ? { ...resolved, format: "module" } : resolved;
  },
});

const COMMANDS = ["CreateFleet", "CreateLaunchTemplate", "CreateTags", "DeleteLaunchTemplate", "TerminateInstances"];
const PAGINATED = [
  "DescribeImages",
  "DescribeInstanceStatus",
  "DescribeInstanceTypeOfferings",
  "DescribeInstanceTypes",
  "DescribeInstances",
  "DescribeLaunchTemplates",
  "DescribeSecurityGroups",
  "DescribeSpotPriceHistory",
  "DescribeSubnets",
];

const modules = (await Promise.all([
  import(`${DIST_ES}EC2Client.js`),
  ...COMMANDS.map((name) => import(`${DIST_ES}commands/${name}Command.js`)),
  ...PAGINATED.map((name) => import(`${DIST_ES}pagination/${name}Paginator.js`)),
])) as Record<string, unknown>[];
const sdk = Object.assign({}, ...modules) as typeof Sdk;
for (const name of ["EC2Client", ...COMMANDS.map((c) => `${c}Command`), ...PAGINATED.map((p) => `paginate${p}`)]) {
  // A file renamed in a new SDK version would otherwise surface as "undefined is not a constructor" at a call.
  if (!(name in sdk)) throw new Error(`@aws-sdk/client-ec2's ES build: ${name} did not load`);
}

/** What the adapter uses of the package, typed by the package's own declarations. */
export type Ec2Sdk = Pick<
  typeof Sdk,
  | "EC2Client"
  | "CreateFleetCommand"
  | "CreateLaunchTemplateCommand"
  | "CreateTagsCommand"
  | "DeleteLaunchTemplateCommand"
  | "TerminateInstancesCommand"
  | "paginateDescribeImages"
  | "paginateDescribeInstanceStatus"
  | "paginateDescribeInstanceTypeOfferings"
  | "paginateDescribeInstanceTypes"
  | "paginateDescribeInstances"
  | "paginateDescribeLaunchTemplates"
  | "paginateDescribeSecurityGroups"
  | "paginateDescribeSpotPriceHistory"
  | "paginateDescribeSubnets"
>;
export const ec2Sdk: Ec2Sdk = sdk;
