// The Kubernetes permissions poolkeeper's code needs, derived from the code itself: every call of a Cluster port
// method (api/ports/cluster.ts) in the files a command loads, found with the TypeScript checker, its resource read
// from the argument's literal type, mapped to the verbs the API server authorizes for it. The chart's RBAC is
// checked against this, so a new call that needs a new permission fails a test instead of a rollout.
//
// Method → verbs, as adapters/kube/kube-cluster.ts sends them and the API server authorizes them:
// - start(resources) lists and watches each (the informers); list / get / onChange read that cache and need nothing
//   more (they throw when the resource is not started);
// - read get, create create, update update, patch patch, delete delete, on the subresource when one is given;
// - apply is a PATCH, and the API server also authorizes `create` for an apply that creates the object
//   (k8s.io/apiserver handlers/patch.go: the patcher's createValidation runs with create attributes);
// - addFinalizer / removeFinalizer / cordon / taint read, then update (api/ports/cluster-mutations.ts);
// - evict creates pods/eviction; recordEvent creates an Event or patches a repeat (api/ports/event-sink.ts).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { CLUSTER_RESOURCES, WATCHED_BY_DEFAULT, type ClusterResource } from "../../api/index.ts";
import { projectRoot as PROJECT_ROOT } from "./fixtures.ts";

/** One call of a port method, where it is. */
export interface ClusterCall {
  at: string;
  method: string;
  resources: string[];
  subresource?: string;
}

/** One verb on one resource (`pods/eviction` for a subresource) of one API group. */
export interface Permission {
  group: string;
  resource: string;
  verb: string;
  namespaced: boolean;
}

/** The files that declare or implement the port: their own calls are the port's inside, not a use of it. */
const PORT_FILES = [
  "api/ports/cluster.ts",
  "api/ports/cluster-base.ts",
  "api/ports/cluster-mutations.ts",
  "api/ports/event-sink.ts",
  "adapters/kube/kube-cluster.ts",
  "sim/world/cluster-port.ts",
];

const METHOD_VERBS: Record<string, readonly string[]> = {
  start: ["list", "watch"],
  list: [],
  get: [],
  onChange: [],
  read: ["get"],
  create: ["create"],
  update: ["update"],
  patch: ["patch"],
  apply: ["patch", "create"],
  delete: ["delete"],
  addFinalizer: ["get", "update"],
  removeFinalizer: ["get", "update"],
  cordon: ["get", "update"],
  taint: ["get", "update"],
  evict: ["create"],
  recordEvent: ["create", "patch"],
};

/** The argument that carries the options with `subresource`, by method. */
const OPTIONS_ARGUMENT: Record<string, number> = { update: 2, patch: 3, apply: 2 };

function compilerOptions(): ts.CompilerOptions {
  const configFile = join(PROJECT_ROOT, "tsconfig.json");
  const read = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, PROJECT_ROOT).options;
}

/**
 * Every port call in the project's own files that `roots` load (statically or by dynamic import), with the files
 * under `exclude` left out. A call whose resource is not a literal is returned in `unresolved`: the derivation
 * cannot tell what it needs, and a test should fail on it.
 */
export function clusterCalls(
  roots: readonly string[],
  exclude: readonly string[] = [],
): { calls: ClusterCall[]; unresolved: string[]; files: string[] } {
  const program = ts.createProgram(
    roots.map((root) => join(PROJECT_ROOT, root)),
    { ...compilerOptions(), noEmit: true },
  );
  const checker = program.getTypeChecker();
  const calls: ClusterCall[] = [];
  const unresolved: string[] = [];
  const files: string[] = [];
  for (const source of program.getSourceFiles()) {
    const path = relative(PROJECT_ROOT, source.fileName);
    if (source.isDeclarationFile || path.startsWith("..") || path.startsWith("node_modules")) continue;
    files.push(path);
    if (PORT_FILES.includes(path) || exclude.some((prefix) => path.startsWith(prefix))) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        if (method in METHOD_VERBS && isPortMethod(checker, node.expression.name)) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
          const at = `${path}:${line + 1}`;
          const resources = resourcesOf(checker, method, node.arguments);
          if (resources === undefined) unresolved.push(`${at}: ${node.getText(source).split("\n", 1)[0]}`);
          else calls.push({ at, method, resources, ...subresourceOf(node, method) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { calls, unresolved, files };
}

function isPortMethod(checker: ts.TypeChecker, name: ts.MemberName): boolean {
  const symbol = checker.getSymbolAtLocation(name);
  return (symbol?.declarations ?? []).some((declaration) =>
    PORT_FILES.includes(relative(PROJECT_ROOT, declaration.getSourceFile().fileName)),
  );
}

function resourcesOf(checker: ts.TypeChecker, method: string, args: ts.NodeArray<ts.Expression>): string[] | undefined {
  switch (method) {
    case "cordon":
    case "taint":
      return ["nodes"];
    case "evict":
      return ["pods/eviction"];
    case "recordEvent":
      return ["events"];
    case "start": {
      const list = args[0];
      if (list === undefined) return [...WATCHED_BY_DEFAULT];
      if (!ts.isArrayLiteralExpression(list)) return undefined;
      const each = list.elements.map((element) => literals(checker, element));
      return each.every((names) => names !== undefined) ? each.flat() : undefined;
    }
    default:
      return args[0] === undefined ? undefined : literals(checker, args[0]);
  }
}

/** The string literal types an expression can have, or undefined when it can be any string. */
function literals(checker: ts.TypeChecker, expression: ts.Expression): string[] | undefined {
  const type = checker.getTypeAtLocation(expression);
  const parts = type.isUnion() ? type.types : [type];
  if (!parts.every((part) => part.isStringLiteral())) return undefined;
  const names = parts.map((part) => (part as ts.StringLiteralType).value);
  // The whole ClusterResource union is a variable that can name anything: no permission can be read from it.
  const all = Object.keys(CLUSTER_RESOURCES);
  return all.every((name) => names.includes(name)) ? undefined : names;
}

function subresourceOf(call: ts.CallExpression, method: string): { subresource?: string } {
  const index = OPTIONS_ARGUMENT[method];
  const options = index === undefined ? undefined : call.arguments[index];
  if (options === undefined || !ts.isObjectLiteralExpression(options)) return {};
  for (const property of options.properties) {
    if (
      ts.isPropertyAssignment(property) &&
      property.name.getText() === "subresource" &&
      ts.isStringLiteral(property.initializer)
    ) {
      return { subresource: property.initializer.text };
    }
  }
  return {};
}

/** The permissions the calls need, each once, sorted by group, resource, verb. */
export function permissionsOf(calls: readonly ClusterCall[]): Permission[] {
  const found = new Map<string, Permission>();
  for (const call of calls) {
    for (const name of call.resources) {
      const base = name.split("/", 1)[0] as ClusterResource;
      const { group, namespaced } = CLUSTER_RESOURCES[base];
      const resource = call.subresource ? `${name}/${call.subresource}` : name;
      for (const verb of METHOD_VERBS[call.method] ?? []) {
        found.set(`${group}|${resource}|${verb}`, { group, resource, verb, namespaced });
      }
    }
  }
  return [...found.values()].sort(
    (a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource) || a.verb.localeCompare(b.verb),
  );
}

/**
 * The project's files `roots` load, statically or by dynamic import (the project's specifiers are relative paths
 * with their `.ts` extension), read with the compiler's import scanner.
 */
export function reachableFiles(roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = roots.filter((root) => existsSync(join(PROJECT_ROOT, root)));
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(join(PROJECT_ROOT, file), "utf8");
    for (const imported of ts.preProcessFile(text, true, true).importedFiles) {
      if (!imported.fileName.startsWith(".")) continue;
      const target = relative(PROJECT_ROOT, resolve(PROJECT_ROOT, dirname(file), imported.fileName));
      if (target.endsWith(".ts") && existsSync(join(PROJECT_ROOT, target))) queue.push(target);
    }
  }
  return seen;
}
