#!/usr/bin/env node
// Entry point of the `poolkeeper` command. A source checkout runs the TypeScript directly (Node 24 strips
// types; `npm ci` installs Node 24 as a devDependency and npx puts it first on PATH); a built package, or a
// Node without type stripping, runs the bundle (dist/bundle/, scripts/bundle.ts: less code for V8 to hold), or the
// compiled dist/ where there is no bundle.
import { existsSync } from "node:fs";
import module from "node:module";

// V8's compiled code of the modules (from a checkout, of their stripped TypeScript too) is kept in the system's
// temp directory and reused by the next start (module.enableCompileCache, Node >= 22.1): a source checkout's `check`
// then starts in about half the CPU time. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
module.enableCompileCache?.();

// A reader that stops early (`poolkeeper explain | head`) closes the pipe: the rest of the output has nowhere to
// go, which is no error of ours. Stop quietly with the shell's status for a process ended by SIGPIPE (128 + 13),
// as git and coreutils do, instead of an unhandled 'error' event's stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(141);
    throw error;
  });
}

const source = new URL("../cli/main.ts", import.meta.url);
const bundled = new URL("../dist/bundle/main.js", import.meta.url);
const compiled = new URL("../dist/cli/main.js", import.meta.url);
const useSource = existsSync(source) && Boolean(process.features.typescript);
const built = existsSync(bundled) ? bundled : compiled;
if (!useSource && !existsSync(built)) {
  console.error("poolkeeper: this Node.js cannot run TypeScript sources and dist/ is missing: run `npm run build`.");
  process.exit(2);
}
// `poolkeeper demo` starts again with its heap settings (cli/demo/heap-settings.ts says why), replacing this process
// where Node can (process.execve, Node >= 22.15 on POSIX); elsewhere it runs on with Node's defaults.
const argv = process.argv.slice(2);
if (typeof process.execve === "function" && argv.includes("demo")) {
  const settings = useSource
    ? "../cli/demo/heap-settings.ts"
    : built === bundled
      ? "../dist/bundle/heap-settings.js"
      : "../dist/cli/demo/heap-settings.js";
  const { demoRelaunch } = await import(new URL(settings, import.meta.url).href);
  const relaunch = demoRelaunch(argv, process.env, process.execArgv);
  if (relaunch)
    process.execve(process.execPath, [process.execPath, ...relaunch.execArgv, ...process.argv.slice(1)], relaunch.env);
}
const { main } = await import(useSource ? source.href : built.href);
process.exitCode = await main(argv);
