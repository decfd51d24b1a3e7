export * from "./config.ts";
export * from "./source.ts";
export * from "./status-render.ts";
export * from "./push-hook.ts";
export * from "./history.ts";
export * from "./status-writer.ts";
