export * from "./config.ts";
export * from "./source.ts";
export * from "./status-render.ts";
