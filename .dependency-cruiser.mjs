// The rules of the house (docs/ARCHITECTURE.md "Layering"), checked by dependency-cruiser in `npm test`.
// The parts, top to bottom: an arrow may point only up this list (a part imports parts listed before it), except
// for cli/, test/, bench/ and scripts/, which may use everything. Folders that do not exist yet have their rules
// here already, so they hold from a folder's first file.
const PARTS = [
  "api",
  "scheduling",
  "cloudprovider",
  "policies",
  "runtime",
  "webhook",
  "gitops",
  "controller",
  "adapters",
  "sim",
];

// Parts that hold decisions or the object model: pure, so no network, file or process I/O of their own.
const PURE = ["api", "scheduling", "cloudprovider", "policies", "webhook/admission", "controller"];
const IO_MODULES = ["fs", "fs/promises", "http", "https", "http2", "net", "tls", "dgram", "child_process", "cluster"];

const folder = (part) => `^${part}/`;
const anyOf = (parts) => `^(${parts.join("|")})/`;

const downward = PARTS.map((part, index) => ({
  name: `layers-${part}`,
  comment: `${part}/ may import only parts listed above it (${PARTS.slice(0, index).join(", ") || "none"}).`,
  severity: "error",
  from: { path: folder(part) },
  to: { path: index + 1 < PARTS.length ? anyOf(PARTS.slice(index + 1)) : "^$" },
}));

export default {
  forbidden: [
    ...downward,
    {
      name: "runtime-imports-nothing-of-ours",
      comment: "runtime/ is what every server shares; it knows nothing of poolkeeper's parts but the Clock port.",
      severity: "error",
      from: { path: folder("runtime") },
      to: { path: anyOf(PARTS.filter((p) => p !== "runtime")), pathNot: "^api/(ports|index)\\.ts$" },
    },
    {
      name: "sim-imports-only-api-and-runtime",
      comment: "sim/ shares no decision code with the controller: its scheduler is its own.",
      severity: "error",
      from: { path: folder("sim") },
      to: { path: anyOf(PARTS.filter((p) => !["api", "runtime", "sim"].includes(p))) },
    },
    {
      name: "adapters-are-thin",
      comment: "adapters/ implement the ports over the SDKs: they import the ports (api/) and runtime/, no decisions.",
      severity: "error",
      from: { path: folder("adapters") },
      to: { path: anyOf(PARTS.filter((p) => !["api", "runtime", "adapters"].includes(p))) },
    },
    {
      name: "controller-reaches-the-cloud-through-cloudprovider",
      comment:
        "controller/ codes against cloudprovider/'s interface: never the EC2-shaped port's implementation, an adapter or an SDK.",
      severity: "error",
      from: { path: folder("controller") },
      to: {
        path: ["^cloudprovider/aws/", "^adapters/", "node_modules/@aws-sdk/", "node_modules/@kubernetes/client-node/"],
      },
    },
    {
      name: "sdks-only-in-adapters",
      comment: "The AWS SDK and client-node are I/O: only adapters/ (and tests, the CLI, benches) import them.",
      severity: "error",
      from: { path: anyOf(PARTS.filter((p) => p !== "adapters")) },
      to: { path: ["node_modules/@aws-sdk/", "node_modules/@kubernetes/client-node/"] },
    },
    {
      name: "pure-parts-do-no-io",
      comment: "Decisions and the object model are pure: I/O lives at the edges, behind the ports.",
      severity: "error",
      from: { path: `^(${PURE.join("|")})/` },
      to: { dependencyTypes: ["core"], path: `^(node:)?(${IO_MODULES.join("|")})$` },
    },
    {
      name: "parts-are-used-through-their-index",
      comment: "A part is used through its index.ts: its other files are its own business.",
      severity: "error",
      from: { path: "^(api|scheduling|cloudprovider|policies|runtime|webhook|gitops|controller|adapters|sim|cli)/" },
      to: {
        path: "^(api|scheduling|cloudprovider|policies|runtime|webhook|gitops|controller|adapters|sim)/",
        pathNot: [
          "^$1/",
          "^(api|scheduling|cloudprovider|policies|runtime|webhook|gitops|controller|adapters|sim)/index\\.ts$",
        ],
      },
    },
    {
      name: "no-circular",
      comment: "No import cycles that run: a cycle through type-only imports is erased at run time and allowed.",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "not-to-shared",
      comment: "Nothing in the tree reads outside the project: copy what it needs in, with its SOURCE note.",
      severity: "error",
      from: {},
      to: { path: "(^|/)\\.\\./shared/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
