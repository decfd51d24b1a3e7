// The container image, checked without a Docker engine: the Dockerfile read instruction by instruction, and the
// build context as .dockerignore leaves it. Every file a COPY names is in the context; every file the build bundles
// (tsconfig.build.json's sources and what they import: the JSON catalog, package.json) is copied into the build
// stage with the bundling script; the final stage is Node 24 slim with the bundle alone (its dependencies inside it,
// no node_modules), a numeric non-root user and `poolkeeper` as its entrypoint.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import ts from "typescript";
import { projectRoot } from "../support/fixtures.ts";

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions with their continuation lines joined; comments and blank lines dropped (Dockerfile reference). */
function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (pending === undefined && (line === "" || line.startsWith("#"))) return;
    const joined = pending ? `${pending.text} ${line}` : line;
    const start = pending?.line ?? index + 1;
    if (joined.endsWith("\\")) {
      pending = { text: joined.slice(0, -1).trim(), line: start };
      return;
    }
    pending = undefined;
    const [keyword = "", ...rest] = joined.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(" "), line: start });
  });
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const [base = "", as, name] = instruction.args.split(/\s+/);
      stages.push({ base, ...(as?.toUpperCase() === "AS" && name ? { name } : {}), instructions: [] });
    } else {
      assert.ok(stages.length > 0, `line ${instruction.line}: ${instruction.keyword} before FROM`);
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** A COPY's flags, sources and destination. */
function copyOf(instruction: Instruction): { from?: string; sources: string[]; destination: string } {
  const words = instruction.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith("--"));
  const paths = words.filter((w) => !w.startsWith("--"));
  const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), destination: paths.at(-1) ?? "" };
}

/**
 * .dockerignore in the allow-list form this project uses: `*`, then `!path` entries. A path is in the context when
 * it or a directory above it is listed (Docker matches a pattern against a path's parents too). Any other form
 * fails the test, so this reading stays exact.
 */
function contextFilter(text: string): (path: string) => boolean {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  assert.equal(lines[0], "*", ".dockerignore starts by leaving everything out");
  const allowed = lines.slice(1).map((line) => {
    assert.match(line, /^![A-Za-z0-9._/-]+$/, `.dockerignore: "${line}" is not a plain !path entry`);
    return line.slice(1).replace(/\/$/, "");
  });
  return (path) => allowed.some((entry) => path === entry || path.startsWith(`${entry}/`));
}

const stages = parseDockerfile(readFileSync(join(projectRoot, "Dockerfile"), "utf8"));
const inContext = contextFilter(readFileSync(join(projectRoot, ".dockerignore"), "utf8"));

/** The files tsconfig.build.json compiles, and the project files they import (JSON modules included). */
function buildInputs(): string[] {
  const configFile = join(projectRoot, "tsconfig.build.json");
  const read = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path));
  const config = ts.parseJsonConfigFileContent(read.config, ts.sys, projectRoot);
  const inputs = new Set<string>();
  for (const file of config.fileNames) {
    const path = relative(projectRoot, file);
    inputs.add(path);
    for (const imported of ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles) {
      if (!imported.fileName.startsWith(".")) continue;
      const target = relative(projectRoot, resolve(dirname(file), imported.fileName));
      // node_modules comes from `npm ci` in the stage.
      if (!target.startsWith("node_modules/") && existsSync(join(projectRoot, target))) inputs.add(target);
    }
  }
  return [...inputs].sort();
}

describe("Dockerfile", () => {
  const final = stages.at(-1) as Stage;
  const build = stages.find((s) => s.name === "build") as Stage;

  test("every stage is Node 24 slim, and the final one runs poolkeeper as a numeric non-root user", () => {
    assert.deepEqual(
      stages.map((s) => s.base),
      ["node:24-slim", "node:24-slim"],
    );
    const last = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
    const user = last("USER") ?? "";
    assert.match(user, /^[1-9][0-9]*:[1-9][0-9]*$/, "a numeric user and group, not root");
    assert.deepEqual(JSON.parse(last("ENTRYPOINT") ?? "null"), ["node", "/app/bin/poolkeeper.js"]);
    assert.equal(last("ENV"), "NODE_ENV=production");
    assert.equal(last("WORKDIR"), "/app");
  });

  test("the final stage has the bundle and what makes it run, and no node_modules", () => {
    const copies = final.instructions.filter((i) => i.keyword === "COPY").map(copyOf);
    assert.deepEqual(
      copies.map((c) => [c.from ?? "context", c.sources.join(" "), c.destination]),
      [
        ["context", "package.json", "./"],
        ["context", "bin/poolkeeper.js", "bin/"],
        ["build", "/src/dist/bundle", "dist/bundle/"],
      ],
    );
    assert.ok(!final.instructions.some((i) => i.keyword === "RUN"), "nothing is installed or built in the final stage");
    // bin/poolkeeper.js runs ../dist/bundle/main.js when the sources are absent, as they are in the image (and the
    // bundle runs without node_modules: test/cli/bundle.test.ts).
    assert.match(readFileSync(join(projectRoot, "bin/poolkeeper.js"), "utf8"), /"\.\.\/dist\/bundle\/main\.js"/);
    // package.json's "type": "module" makes the bundle's .js files ES modules.
    assert.equal(
      (JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { type: string }).type,
      "module",
    );
  });

  test("every file a COPY names from the build context exists and is in the context", () => {
    const sources = stages.flatMap((stage) =>
      stage.instructions
        .filter((i) => i.keyword === "COPY")
        .map(copyOf)
        .filter((c) => c.from === undefined)
        .flatMap((c) => c.sources.map((s) => s.replace(/\/$/, ""))),
    );
    assert.ok(sources.length > 10);
    for (const source of sources) {
      assert.ok(existsSync(join(projectRoot, source)), `${source} exists`);
      assert.ok(inContext(source), `${source} is in the build context (.dockerignore)`);
    }
  });

  test("the build stage has every file the bundle is built from, and the context nothing of the tests", () => {
    const copied = build.instructions
      .filter((i) => i.keyword === "COPY")
      .map(copyOf)
      .flatMap((c) => c.sources.map((s) => s.replace(/\/$/, "")));
    const isCopied = (path: string) => copied.some((source) => path === source || path.startsWith(`${source}/`));
    const inputs = buildInputs();
    assert.ok(inputs.includes("data/ec2-instance-types.json") && inputs.includes("package.json"), "JSON imports");
    // The script, and the TypeScript settings esbuild reads beside the sources.
    const missing = [...inputs, "scripts/bundle.ts", "tsconfig.json"].filter(
      (path) => !isCopied(path) || !inContext(path),
    );
    assert.deepEqual(missing, [], "read by the build but not copied into its stage");
    assert.ok(build.instructions.some((i) => i.keyword === "RUN" && i.args === "node scripts/bundle.ts"));
    for (const left of ["test", "bench", "node_modules", "docs", "charts", ".git", "dist", "Dockerfile"]) {
      assert.equal(inContext(left), false, `${left} stays out of the context`);
    }
    assert.ok(statSync(join(projectRoot, "data/ec2-instance-types.json")).size > 0);
  });
});
