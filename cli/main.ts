// The `poolkeeper` command line. Exit codes: 0 clean (warnings allowed), 1 findings that block, 2 usage or I/O.
import { Command, CommanderError, Option } from "commander";
import { runValidate } from "./commands/validate.ts";
import { InputError } from "./input-files.ts";
import { processOutput, type Output } from "./output.ts";

// Commands of the design that later work adds; listed so `--help` shows the whole tool, and each says so plainly.
const planned: [name: string, summary: string][] = [
  ["check", "judge pool manifests against policy (pull-request checks)"],
  ["fix", "apply the policy's fixes to manifests, keeping comments"],
  ["explain", "print a policy rule's documentation"],
  ["serve", "run the validating and mutating admission webhook"],
  ["sync", "sync desired pools from Git through the policy gate"],
  ["history", "print the audit trail from the status branch"],
  ["run", "run the autoscaling controller"],
  ["plan", "show what a change would do to a cluster"],
  ["demo", "run the whole job on the embedded simulated world"],
];

export function buildProgram(out: Output, setExit: (code: number) => void): Command {
  const program = new Command("poolkeeper")
    .description("GitOps policy engine and node autoscaler for Karpenter NodePools and EC2NodeClasses")
    .exitOverride()
    .configureOutput({ writeOut: out.stdout, writeErr: out.stderr })
    .showHelpAfterError();

  program
    .command("validate")
    .description(
      "validate NodePool / EC2NodeClass / NodeClaim manifests as the API server would (CRD schema and CEL rules)",
    )
    .argument("[paths...]", "files or directories (searched for *.yaml, *.yml); - reads standard input")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action((paths: string[], options: { format: "text" | "json" }) => setExit(runValidate(paths, options, out)));

  for (const [name, summary] of planned) {
    program
      .command(name)
      .description(`${summary} (not implemented yet)`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        out.stderr(`poolkeeper ${name}: not implemented yet in this version; see the README for what works today.\n`);
        setExit(2);
      });
  }
  return program;
}

export async function main(argv: readonly string[], out: Output = processOutput): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(out, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof InputError) {
      out.stderr(`poolkeeper: ${error.message}\n`);
      return 2;
    }
    out.stderr(`poolkeeper: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
