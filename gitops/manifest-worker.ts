// The worker thread of large-files.ts: reads a pool file's YAML off the main thread and posts the documents back as
// plain data (values, field positions as offsets, errors). Nothing else: conversion and validation stay on the main
// thread, where the gate judges.
import { parentPort } from "node:worker_threads";
import { loadYamlData, type YamlData } from "../api/index.ts";
import type { WorkerReply } from "../runtime/index.ts";

export interface ManifestParseRequest {
  text: string;
  file: string;
}

parentPort?.on("message", ({ id, request }: { id: number; request: ManifestParseRequest }) => {
  let reply: WorkerReply<YamlData>;
  try {
    reply = { id, ok: true, value: loadYamlData(request.text, request.file) };
  } catch (error) {
    // loadYamlData reports bad input as errors; a throw here is a bug, answered rather than left to hang the task.
    reply = { id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
});
