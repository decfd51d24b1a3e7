// examples/github-actions/plan.yaml: it parses as YAML into a workflow of the shape GitHub Actions runs (a trigger,
// jobs with a runner and steps that each either use an action or run a script), and every `npx poolkeeper …` line in
// it calls a command the CLI has, with options that command defines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { parseDocument } from "yaml";
import { buildProgram } from "../../cli/main.ts";
import { capturedOutput } from "../../cli/output.ts";
import { projectRoot } from "../support/fixtures.ts";

const file = join(projectRoot, "examples", "github-actions", "plan.yaml");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
}

test("the plan workflow parses into jobs whose steps each use an action or run a script", () => {
  const document = parseDocument(readFileSync(file, "utf8"), { prettyErrors: true, uniqueKeys: true });
  assert.deepEqual(document.errors, []);
  assert.deepEqual(document.warnings, []);
  const workflow = document.toJS() as { on: Record<string, unknown>; jobs: Record<string, Record<string, unknown>> };
  assert.ok(workflow.on["pull_request"] !== undefined, "runs on pull requests");
  const jobs = Object.entries(workflow.jobs);
  assert.ok(jobs.length > 0);
  for (const [name, job] of jobs) {
    assert.equal(typeof job["runs-on"], "string", `jobs.${name}.runs-on`);
    const steps = job["steps"] as Step[];
    assert.ok(Array.isArray(steps) && steps.length > 0, `jobs.${name}.steps`);
    steps.forEach((step, i) => {
      assert.ok((step.uses === undefined) !== (step.run === undefined), `jobs.${name}.steps[${i}]: uses or run`);
    });
  }
});

test("every poolkeeper command in the workflow exists with the options it is given", () => {
  const workflow = parseDocument(readFileSync(file, "utf8")).toJS() as { jobs: Record<string, { steps: Step[] }> };
  const program = buildProgram(capturedOutput(), () => {});
  const calls = Object.values(workflow.jobs)
    .flatMap((job) => job.steps.flatMap((s) => (s.run ?? "").split("\n")))
    .flatMap((line) => {
      const at = line.indexOf("npx poolkeeper ");
      return at < 0 ? [] : [line.slice(at + "npx poolkeeper ".length).split(/\s+/)];
    });
  assert.deepEqual(
    calls.map(([command]) => command),
    ["snapshot", "plan"],
  );
  for (const [name, ...args] of calls) {
    const command = program.commands.find((c: Command) => c.name() === name);
    assert.ok(command !== undefined, `poolkeeper ${name ?? ""}`);
    const known = new Set(command.options.flatMap((o) => [o.long, o.short]).filter((f) => f !== undefined));
    for (const flag of args.filter((a) => /^--?[a-z]/.test(a))) {
      assert.ok(known.has(flag), `poolkeeper ${name ?? ""} has no option ${flag}`);
    }
  }
});
