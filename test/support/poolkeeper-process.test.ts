// The process helper the run tests kill replicas with: a SIGKILL ends the command and every process it started,
// as a container's death does, and what a stalled wait reports comes from /proc (proc(5)'s state letters).
import assert from "node:assert/strict";
import { test } from "node:test";
import { guardAgainstHang } from "./hang-guard.ts";
import { startLoggingProcess } from "./poolkeeper-process.ts";
import { describeProcessGroup, processState } from "./process-group.ts";

// A command that starts a child holding its standard output (as `run` forks its Git process with stdio inherited),
// says both pids in a JSON line and waits for ever.
const PARENT = `
const { spawn } = require("node:child_process");
const grandchild = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: ["ignore", "inherit", "inherit"] });
console.log(JSON.stringify({ msg: "started", grandchild: grandchild.pid }));
setInterval(() => {}, 1000);
`;

/** Gone, or a zombie no one has reaped yet (a container's init may not): either way it runs no more. */
const ended = (pid: number) => ["Z", undefined].includes(processState(pid)?.state);

test("SIGKILL ends the command and the child holding its output, so its output closes", async (t) => {
  const life = startLoggingProcess(process.execPath, ["-e", PARENT], process.env);
  t.after(() => life.kill("SIGKILL"));
  const started = await life.line((l) => l.msg === "started", "the grandchild's pid");
  const grandchild = Number(started.grandchild);
  assert.equal(ended(grandchild), false, "the grandchild runs before the kill");
  assert.equal(await life.kill("SIGKILL"), null);
  assert.equal(life.child.signalCode, "SIGKILL");
  // The old helper signalled the command alone: the grandchild lived on holding the pipe, which never closed.
  await life.stdioClosed();
  assert.equal(ended(grandchild), true, `the grandchild ${grandchild} outlived the kill`);
});

test("a stalled process is described from /proc: a stopped one shows state T, and SIGKILL still ends it", async (t) => {
  const life = startLoggingProcess(process.execPath, ["-e", PARENT], process.env);
  t.after(() => life.kill("SIGKILL"));
  await life.line((l) => l.msg === "started", "the grandchild's pid");
  const pid = life.child.pid as number;
  process.kill(pid, "SIGSTOP");
  // SIGSTOP takes effect asynchronously: wait on the kernel's record of it (a stop is reported to the parent too).
  const stopped = new Promise<void>((resolve) => {
    const look = () => (processState(pid)?.state === "T" ? resolve() : setImmediate(look));
    look();
  });
  await guardAgainstHang(stopped, `pid ${pid} stopped`);
  const described = describeProcessGroup(pid);
  assert.match(described, new RegExp(`pid ${pid} ppid ${process.pid} state T`));
  assert.equal(described.split("\n").length, 2, `the command and its child:\n${described}`);
  assert.equal(await life.kill("SIGKILL"), null);
  await life.stdioClosed();
  assert.match(describeProcessGroup(pid), /no process of group \d+ is left|state Z/);
});
